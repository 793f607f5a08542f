#!/usr/bin/env bash
# Runs the browser tests against the real binary: a throwaway database, a one-time admin,
# `parkbrain serve` on a free loopback port with web/dist, then `node --test tests/e2e/`.
# For the talent-apartment test (apartment.test.mjs) also: a region office and an apartment
# desk of 丰泽区 (350503) with known passwords, and a second server on the same database whose
# clock is frozen (PARKBRAIN_FAKE_NOW) at 15:00 of the earliest check-in day of a booking made
# today (the 3rd working day after today, from the calendar), where the desk checks in.
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
# a second admin with a settled password, for test files that must not depend on the
# password change parks.test.mjs makes (node --test may run the files in any order)
USER2_NAME=e2espace
USER2_PASS='E2e-Space-Passw0rd-2'
# projects.test.mjs: a city user (confirms reports) and a 晋江 region user (submits them), with
# ordinary passwords (not one-time), so that signing in leads straight to their dashboard.
CITY_USER=e2ecity
CITY_PASS='E2e-City-Passw0rd-1'
REGION_USER=e2ejinjiang
REGION_PASS='E2e-Region-Passw0rd-1'
PORT=${PB_E2E_PORT:-$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
PID=
PID2=
OFFICE_NAME=e2eoffice
DESK_NAME=e2edesk
STAFF_PASS='E2e-Staff-Passw0rd-5'
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [ -n "$PID2" ]; then kill "$PID2" 2>/dev/null || true; wait "$PID2" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

test -f "$ROOT/web/dist/index.html" || { echo "web/dist is missing: run 'make web'" >&2; exit 2; }
"$BIN" init --db "$DB" --no-admin >/dev/null
echo "$ONE_TIME" | "$BIN" user add --db "$DB" --username "$USER_NAME" --role admin --password-stdin --must-change >/dev/null
echo "$USER2_PASS" | "$BIN" user add --db "$DB" --username "$USER2_NAME" --role admin --password-stdin >/dev/null
echo "$STAFF_PASS" | "$BIN" user add --db "$DB" --username "$OFFICE_NAME" --role region --region 350503 --password-stdin >/dev/null
echo "$STAFF_PASS" | "$BIN" user add --db "$DB" --username "$DESK_NAME" --role apartment_desk --region 350503 --password-stdin >/dev/null
# the check-in day: the 3rd working day after today (China Standard Time), by the calendar
TODAY=$(TZ=Asia/Shanghai date +%F)
CHECKIN_DAY=$("$BIN" calendar workday-after "$TODAY" 3 --db "$DB" 2>/dev/null)
PORT2=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$WORK/data"

wait_ready() { # PORT PID LOG
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.1
  done
}
echo "$CITY_PASS" | "$BIN" user add --db "$DB" --username "$CITY_USER" --role city --password-stdin >/dev/null
echo "$REGION_PASS" | "$BIN" user add --db "$DB" --username "$REGION_USER" --role region --region 350582 --password-stdin >/dev/null
"$BIN" serve --db "$DB" --data "$WORK/data" --listen "127.0.0.1:$PORT" --web "$ROOT/web/dist" >"$WORK/serve.log" 2>&1 &
PID=$!
wait_ready "$PORT" "$PID" "$WORK/serve.log"
PARKBRAIN_FAKE_NOW="${CHECKIN_DAY}T15:00:00+08:00" \
  "$BIN" serve --db "$DB" --data "$WORK/data" --listen "127.0.0.1:$PORT2" --web "$ROOT/web/dist" >"$WORK/serve-day.log" 2>&1 &
PID2=$!
wait_ready "$PORT2" "$PID2" "$WORK/serve-day.log"

status=0
PB_BASE_URL="http://127.0.0.1:$PORT" PB_E2E_USER="$USER_NAME" PB_E2E_PASS="$ONE_TIME" \
  PB_DAY_URL="http://127.0.0.1:$PORT2" PB_CHECKIN_DAY="$CHECKIN_DAY" \
  PB_E2E_OFFICE="$OFFICE_NAME" PB_E2E_DESK="$DESK_NAME" PB_E2E_STAFF_PASS="$STAFF_PASS" \
  PB_E2E_USER2="$USER2_NAME" PB_E2E_PASS2="$USER2_PASS" \
  PB_E2E_CITY_USER="$CITY_USER" PB_E2E_CITY_PASS="$CITY_PASS" \
  PB_E2E_REGION_USER="$REGION_USER" PB_E2E_REGION_PASS="$REGION_PASS" \
  node --test ${PB_E2E_REPORTER:+--test-reporter=$PB_E2E_REPORTER} "$ROOT/tests/e2e/" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -n 40 "$WORK/serve.log" >&2
  echo "--- check-in-day server log (last 20 lines) ---" >&2
  tail -n 20 "$WORK/serve-day.log" >&2
fi
exit "$status"
