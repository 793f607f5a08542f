#!/usr/bin/env bash
# Requests per second on GET /api/v1/parks (a page of 50 parks out of 1,000, with total) and on
# GET /api/v1/parks/{id}, measured with wrk on loopback, on SQLite and on PostgreSQL.
#   bench/parks-list.sh [sqlite|pg|both]   (default both; needs wrk; PB_BIN=path picks the binary)
# Results go to stdout; copy them with the machine description into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
which wrk >/dev/null || { echo "apt-get install wrk"; exit 1; }
mode=${1:-both}
# PB_BIN picks the binary, so that one run can compare two builds (before/after a change).
BIN=${PB_BIN:-build/parkbrain}
TMP=$(mktemp -d /tmp/pbbench.XXXXXX); chmod 755 "$TMP"
trap 'kill $SRV 2>/dev/null; [ -n "${PGDIR:-}" ] && scripts/pgtest.sh stop "$PGDIR" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
SRV=

run() { # url label
    local url=$1 label=$2 port token
    port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    $BIN init --db "$url" --no-admin >/dev/null
    echo 'Load-Passw0rd-1' | $BIN user add --db "$url" --username bench --role city --password-stdin >/dev/null
    $BIN serve --db "$url" --listen "127.0.0.1:$port" --access-log false >"$TMP/server.log" 2>&1 &
    SRV=$!
    for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    token=$(curl -fs -XPOST "http://127.0.0.1:$port/api/v1/session" -H 'Content-Type: application/json' \
        -d '{"username":"bench","password":"Load-Passw0rd-1"}' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).token))')
    # 1,000 parks across the counties, through the API (validation and audit included).
    node -e '
      const [port, token] = process.argv.slice(1);
      const regions = ["350502","350503","350504","350505","350521","350524","350525","350526","350581","350582","350583","QZ-KFQ","QZ-TSQ"];
      (async () => {
        for (let i = 0; i < 1000; i++) {
          const r = await fetch(`http://127.0.0.1:${port}/api/v1/parks`, {method: "POST",
            headers: {"Content-Type": "application/json", Authorization: `Bearer ${token}`},
            body: JSON.stringify({name: `基准园区${i}`, region_code: regions[i % regions.length],
              kind: i % 2 ? "new_build" : "revitalized", land_m2: `${10000 + i}.50`, pilot: i % 7 === 0})});
          if (r.status !== 201) { console.error(await r.text()); process.exit(1); }
        }
      })();' "$port" "$token"
    echo "== $label: GET /api/v1/parks (50 of 1000, sorted by updated_at, with total)"
    wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/parks" | grep -E 'Requests/sec|Latency|50%|99%|Socket|Non-2xx'
    echo "== $label: GET /api/v1/parks/500"
    wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/parks/500" | grep -E 'Requests/sec|Latency|50%|99%|Socket|Non-2xx'
    echo "== $label: GET /api/v1/parks?region_code=350582&q=基准&sort=-land_m2"
    wrk -t2 -c64 -d10s --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/parks?region_code=350582&q=%E5%9F%BA%E5%87%86&sort=-land_m2" | grep -E 'Requests/sec|Latency|50%|99%|Socket|Non-2xx'
    kill $SRV; wait $SRV 2>/dev/null || true; SRV=
}

if [ "$mode" = sqlite ] || [ "$mode" = both ]; then run "sqlite:$TMP/bench.db" SQLite; fi
if [ "$mode" = pg ] || [ "$mode" = both ]; then
    PGDIR=$TMP/pg
    url=$(scripts/pgtest.sh start "$PGDIR" | tail -n 1)
    run "$url" PostgreSQL
fi
