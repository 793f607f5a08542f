#!/usr/bin/env bash
# Runs the browser tests against the real binary: a throwaway database, a one-time admin,
# `parkbrain serve` on a free loopback port with web/dist, then `node --test tests/e2e/`.
#   tests/e2e/run.sh [path/to/parkbrain]
#   PB_E2E_DB=postgresql://… to use PostgreSQL instead of a temporary SQLite file.
# Needs: web/dist built (make web), tests/node_modules (playwright-core), /usr/bin/chromium.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/parkbrain}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pb-e2e.XXXXXX")
DB=${PB_E2E_DB:-sqlite:$WORK/pb.db}
USER_NAME=e2eadmin
ONE_TIME='Init-Passw0rd-1'
# projects.test.mjs: a city user (confirms reports) and a 晋江 region user (submits them), with
# ordinary passwords (not one-time), so that signing in leads straight to their dashboard.
CITY_USER=e2ecity
CITY_PASS='E2e-City-Passw0rd-1'
REGION_USER=e2ejinjiang
REGION_PASS='E2e-Region-Passw0rd-1'
PORT=${PB_E2E_PORT:-$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

test -f "$ROOT/web/dist/index.html" || { echo "web/dist is missing: run 'make web'" >&2; exit 2; }
"$BIN" init --db "$DB" --no-admin >/dev/null
echo "$ONE_TIME" | "$BIN" user add --db "$DB" --username "$USER_NAME" --role admin --password-stdin --must-change >/dev/null
echo "$CITY_PASS" | "$BIN" user add --db "$DB" --username "$CITY_USER" --role city --password-stdin >/dev/null
echo "$REGION_PASS" | "$BIN" user add --db "$DB" --username "$REGION_USER" --role region --region 350582 --password-stdin >/dev/null
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --web "$ROOT/web/dist" >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.1
done

status=0
PB_BASE_URL="http://127.0.0.1:$PORT" PB_E2E_USER="$USER_NAME" PB_E2E_PASS="$ONE_TIME" \
  PB_E2E_CITY_USER="$CITY_USER" PB_E2E_CITY_PASS="$CITY_PASS" \
  PB_E2E_REGION_USER="$REGION_USER" PB_E2E_REGION_PASS="$REGION_PASS" \
  node --test ${PB_E2E_REPORTER:+--test-reporter=$PB_E2E_REPORTER} "$ROOT/tests/e2e/" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$WORK/serve.log" >&2
fi
exit "$status"
