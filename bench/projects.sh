#!/usr/bin/env bash
# The issue-4 budget: 20,000 projects × 60 months (1.2 M confirmed report rows) on SQLite; the
# monthly report for the whole city under 20 ms and the dashboard under 5 ms at the median.
#   bench/projects.sh            (needs build/parkbrain, sqlite3 and node)
#   bench/projects.sh pg         the same on a throwaway PostgreSQL 15 cluster (scripts/pgtest.sh,
#                                psql), data loaded with the same statements in its dialect
# Data: `parkbrain demo` (parks, users, the demo portfolio), then 20,000 projects with four
# transitions each and 60 monthly reports each (2019-01 .. 2023-12), bulk-inserted with sqlite3
# with the maintained monthly aggregate filled to match (the API path keeps it up to date; the
# unit tests check it equals the base sums). Then one client, sequential requests:
#   warm: 200 requests each (answers from the cache keyed by the data version);
#   cold: 5 rounds of (a write through the API, which bumps the data version, then the request);
#   the writes alternate between a monthly report (PUT) and a back-dated stage transition, so
#   that both maintained aggregates are updated in the write's transaction before the read.
# Results go to stdout; copy them with the machine description into bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TMP=$(mktemp -d /tmp/pbbench.XXXXXX); chmod 755 "$TMP"
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; [ -n "${PB_BENCH_KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT
KIND=${1:-sqlite}
DB="$TMP/bench.db"
URL="sqlite:$DB"
if [ "$KIND" = pg ]; then
    URL=$(scripts/pgtest.sh start "$TMP/pg" | tail -1)
    trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; scripts/pgtest.sh stop "$TMP/pg" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
fi
build/parkbrain demo --db "$URL" >/dev/null
echo 'Load-Passw0rd-1' | build/parkbrain user add --db "$URL" --username bench --role city --password-stdin >/dev/null
t0=$(date +%s)
if [ "$KIND" = pg ]; then
psql -q -v ON_ERROR_STOP=1 "$URL" <<'SQL'
BEGIN;
CREATE TEMP TABLE parks AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id, region_code FROM park;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
INSERT INTO project (region_code, name, park_id, kind, county_only, pilot, invest_plan_yuan,
                     plan_factory_m2, plan_supporting_m2, version, created_at, updated_at)
SELECT p.region_code, '基准项目' || i, p.id, 'new_build', 0, CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, 100000000000,
       10000000, 2000000, 1, 0, 0
FROM n JOIN parks p ON p.k = i % (SELECT COUNT(*) FROM parks);
CREATE TEMP TABLE bp AS SELECT id, region_code, ROW_NUMBER() OVER (ORDER BY id) AS r FROM project WHERE name LIKE '基准项目%';
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, 'planned', '2018-06-01', 'bench', 0 FROM bp;
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, 'started', format('%s-%s-01', 2019 + r % 3, lpad((1 + r % 12)::text, 2, '0')), 'bench', 0 FROM bp;
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, 'building', format('%s-%s-15', 2019 + r % 3, lpad((1 + r % 12)::text, 2, '0')), 'bench', 0 FROM bp;
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, CASE WHEN r % 2 = 1 THEN 'in_use' ELSE 'partly_in_use' END,
       format('%s-%s-20', 2022 + r % 2, lpad((1 + r % 12)::text, 2, '0')), 'bench', 0 FROM bp WHERE r % 3 = 0;
UPDATE project SET stage = (SELECT stage FROM project_transition t WHERE t.project_id = project.id
                            ORDER BY on_date DESC, id DESC LIMIT 1),
                   stage_date = (SELECT on_date FROM project_transition t WHERE t.project_id = project.id
                            ORDER BY on_date DESC, id DESC LIMIT 1)
 WHERE name LIKE '基准项目%';
WITH RECURSIVE m(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM m WHERE k < 59)
INSERT INTO project_report (project_id, region_code, month, rev, status, is_current, effective,
                            invest_done, topped_out, topped_supporting, completed, stage,
                            submitted_at, confirmed_at)
SELECT bp.id, bp.region_code, format('%s-%s', 2019 + k / 12, lpad((1 + k % 12)::text, 2, '0')), 1, 'confirmed', 1, 1,
       100000000 + (bp.r * 7919 + k * 104729) % 100000000, 100000 + (bp.r + k) % 100000, 0, 0,
       'building', 0, 0
FROM bp CROSS JOIN m;
UPDATE project_report SET park_id = (SELECT park_id FROM project p WHERE p.id = project_id),
       pilot = (SELECT pilot FROM project p WHERE p.id = project_id)
 WHERE project_id IN (SELECT id FROM bp);
INSERT INTO project_month_agg (month, region_code, park_id, county_only, pilot, invest_done,
                               topped_out, topped_supporting, completed)
SELECT month, region_code, park_id, county_only, pilot, SUM(invest_done), SUM(topped_out),
       SUM(topped_supporting), SUM(completed)
FROM project_report WHERE effective = 1 AND project_id IN (SELECT id FROM bp)
GROUP BY month, region_code, park_id, county_only, pilot
ON CONFLICT (month, region_code, park_id, county_only, pilot) DO UPDATE SET
  invest_done = project_month_agg.invest_done + excluded.invest_done,
  topped_out = project_month_agg.topped_out + excluded.topped_out,
  topped_supporting = project_month_agg.topped_supporting + excluded.topped_supporting,
  completed = project_month_agg.completed + excluded.completed;
INSERT INTO project_data_version (region_code, v) VALUES ('bench', 1)
  ON CONFLICT (region_code) DO UPDATE SET v = project_data_version.v + 1;
COMMIT;
ANALYZE;
SQL
else
sqlite3 "$DB" <<'SQL'
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE parks AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, id, region_code FROM park;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
INSERT INTO project (region_code, name, park_id, kind, county_only, pilot, invest_plan_yuan,
                     plan_factory_m2, plan_supporting_m2, version, created_at, updated_at)
SELECT p.region_code, '基准项目' || i, p.id, 'new_build', 0, i % 10 = 0, 100000000000,
       10000000, 2000000, 1, 0, 0
FROM n JOIN parks p ON p.k = i % (SELECT COUNT(*) FROM parks);
CREATE TEMP TABLE bp AS SELECT id, region_code, ROW_NUMBER() OVER (ORDER BY id) AS r FROM project WHERE name LIKE '基准项目%';
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, 'planned', '2018-06-01', 'bench', 0 FROM bp;
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, 'started', printf('%04d-%02d-01', 2019 + r % 3, 1 + r % 12), 'bench', 0 FROM bp;
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, 'building', printf('%04d-%02d-15', 2019 + r % 3, 1 + r % 12), 'bench', 0 FROM bp;
INSERT INTO project_transition (project_id, region_code, stage, on_date, evidence, created_at)
SELECT id, region_code, CASE WHEN r % 2 THEN 'in_use' ELSE 'partly_in_use' END,
       printf('%04d-%02d-20', 2022 + r % 2, 1 + r % 12), 'bench', 0 FROM bp WHERE r % 3 = 0;
UPDATE project SET stage = (SELECT stage FROM project_transition t WHERE t.project_id = project.id
                            ORDER BY on_date DESC, id DESC LIMIT 1),
                   stage_date = (SELECT on_date FROM project_transition t WHERE t.project_id = project.id
                            ORDER BY on_date DESC, id DESC LIMIT 1)
 WHERE name LIKE '基准项目%';
WITH RECURSIVE m(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM m WHERE k < 59)
INSERT INTO project_report (project_id, region_code, month, rev, status, is_current, effective,
                            invest_done, topped_out, topped_supporting, completed, stage,
                            submitted_at, confirmed_at)
SELECT bp.id, bp.region_code, printf('%04d-%02d', 2019 + k / 12, 1 + k % 12), 1, 'confirmed', 1, 1,
       100000000 + (bp.r * 7919 + k * 104729) % 100000000, 100000 + (bp.r + k) % 100000, 0, 0,
       'building', 0, 0
FROM bp CROSS JOIN m;
UPDATE project_report SET park_id = (SELECT park_id FROM project p WHERE p.id = project_id),
       pilot = (SELECT pilot FROM project p WHERE p.id = project_id)
 WHERE project_id IN (SELECT id FROM bp);
INSERT INTO project_month_agg (month, region_code, park_id, county_only, pilot, invest_done,
                               topped_out, topped_supporting, completed)
SELECT month, region_code, park_id, county_only, pilot, SUM(invest_done), SUM(topped_out),
       SUM(topped_supporting), SUM(completed)
FROM project_report WHERE effective = 1 AND project_id IN (SELECT id FROM bp)
GROUP BY month, region_code, park_id, county_only, pilot
ON CONFLICT (month, region_code, park_id, county_only, pilot) DO UPDATE SET
  invest_done = project_month_agg.invest_done + excluded.invest_done,
  topped_out = project_month_agg.topped_out + excluded.topped_out,
  topped_supporting = project_month_agg.topped_supporting + excluded.topped_supporting,
  completed = project_month_agg.completed + excluded.completed;
INSERT INTO project_data_version (region_code, v) VALUES ('bench', 1)
  ON CONFLICT (region_code) DO UPDATE SET v = v + 1;
COMMIT;
ANALYZE;
SQL
fi
# The transitions were inserted with SQL: rebuild the maintained stage counts (decision 0034).
t1=$(date +%s%N)
build/parkbrain report rebuild --db "$URL" 2>/dev/null
echo "stage counts rebuilt in $(( ($(date +%s%N) - t1) / 1000000 )) ms"
if [ "$KIND" = pg ]; then Q() { psql -tA "$URL" -c "$1"; }; else Q() { sqlite3 "$DB" "$1"; }; fi
echo "data ($KIND): $(Q 'SELECT COUNT(*) FROM project') projects, $(Q 'SELECT COUNT(*) FROM project_transition') transitions, $(Q 'SELECT COUNT(*) FROM project_report') reports, $(( $(date +%s) - t0 )) s to load"
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
build/parkbrain serve --db "$URL" --listen "127.0.0.1:$port" --access-log false >"$TMP/server.log" 2>&1 &
SRV=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
node - "$port" <<'JS'
const port = process.argv[2];
const base = `http://127.0.0.1:${port}`;
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const p90 = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * 0.9)]; };
(async () => {
  const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'Load-Passw0rd-1' }) });
  const token = (await login.json()).token;
  const H = { Authorization: `Bearer ${token}` };
  const time = async (path) => { const t = process.hrtime.bigint(); const r = await fetch(base + path, { headers: H });
    await r.arrayBuffer(); if (r.status !== 200) throw new Error(`${path} ${r.status}`); return Number(process.hrtime.bigint() - t) / 1e6; };
  const pid = (await (await fetch(`${base}/api/v1/projects?q=${encodeURIComponent('基准项目1')}&limit=1`, { headers: H })).json()).items[0].id;
  let n = 0;
  const park = (await (await fetch(`${base}/api/v1/parks?limit=1`, { headers: H })).json()).items[0];
  const wtimes = [];
  const put = async () => { const r = await fetch(`${base}/api/v1/projects/${pid}/reports/2023-12`, { method: 'PUT',
    headers: { ...H, 'Content-Type': 'application/json' }, body: JSON.stringify({ invest_done_yuan: `${1000 + n}.00`, topped_out_m2: '0', completed_m2: '0' }) });
    if (r.status !== 200) throw new Error(`PUT ${r.status} ${await r.text()}`); };
  const transition = async () => {
    const c = await fetch(`${base}/api/v1/projects`, { method: 'POST', headers: { ...H, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `基准写入${n}`, park_id: park.id, region_code: park.region_code }) });
    if (c.status !== 201) throw new Error(`POST project ${c.status} ${await c.text()}`);
    const id = (await c.json()).id;
    const t = process.hrtime.bigint();
    const r = await fetch(`${base}/api/v1/projects/${id}/transitions`, { method: 'POST', headers: { ...H, 'Content-Type': 'application/json' },
      body: JSON.stringify({ stage: 'planned', date: '2023-06-01', evidence: 'bench' }) });
    if (r.status !== 201) throw new Error(`POST transition ${r.status} ${await r.text()}`);
    wtimes.push(Number(process.hrtime.bigint() - t) / 1e6); };
  const write = async () => { await (n++ % 2 ? transition() : put()); };
  for (const [label, path] of [['monthly report, city, 2023-12', '/api/v1/reports/monthly?month=2023-12&scope=city'],
                               ['dashboard, city, 2023-12', '/api/v1/dashboard?month=2023-12&scope=city'],
                               ['monthly report, region 350582, 2023-12', '/api/v1/reports/monthly?month=2023-12&scope=region&id=350582']]) {
    const cold = [];
    for (let i = 0; i < 5; i++) { await write(); cold.push(await time(path)); }
    const warm = [];
    for (let i = 0; i < 200; i++) warm.push(await time(path));
    console.log(`${label}: warm median ${med(warm).toFixed(2)} ms, p90 ${p90(warm).toFixed(2)} ms; cold (after a write) median ${med(cold).toFixed(0)} ms, max ${Math.max(...cold).toFixed(0)} ms`);
  }
  console.log(`write: POST a back-dated transition (both aggregates updated in its transaction): median ${med(wtimes).toFixed(1)} ms, max ${Math.max(...wtimes).toFixed(1)} ms over ${wtimes.length}`);
})().catch((e) => { console.error(e); process.exit(1); });
JS
