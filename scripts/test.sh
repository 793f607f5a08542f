#!/usr/bin/env bash
# Run every suite: unit tests (cmocka) on SQLite and on a throwaway PostgreSQL cluster, the same
# under ASan+UBSan, the API tests over HTTP against the real binary on both databases (and the
# ASan binary on SQLite), the fuzz corpora replay, the web unit tests, and the browser tests.
# Prints one closing line "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOGDIR=$ROOT/build/test-logs
rm -rf "$LOGDIR"
mkdir -p "$LOGDIR"
TMP=$(mktemp -d /tmp/parkbrain-test.XXXXXX)
chmod 755 "$TMP"
PASSED=0
FAILED=0
FAILED_SUITES=()

cleanup() {
    [ -n "${PGDIR:-}" ] && scripts/pgtest.sh stop "$PGDIR" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

# Count a cmocka run: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
count_cmocka() {
    local log=$1 rc=$2 p f
    p=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
    f=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "$p $f"
}

# Count a node --test TAP run: "# pass N" / "# fail N".
count_tap() {
    local log=$1 rc=$2 p f
    p=$(grep -E '^# pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
    f=$(grep -E '^# fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    echo "$p $f"
}

record() {
    local name=$1 p=$2 f=$3 log=$4
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    if [ "$f" -gt 0 ]; then
        FAILED_SUITES+=("$name")
        printf '  %-44s %4d passed %4d failed   FAILED (log: %s)\n' "$name" "$p" "$f" "${log#$ROOT/}"
        tail -n 40 "$log" | sed 's/^/      | /'
    else
        printf '  %-44s %4d passed %4d failed\n' "$name" "$p" "$f"
    fi
}

run_cmocka() { # name db_url binary
    local name=$1 url=$2 bin=$3 log rc
    log="$LOGDIR/$(echo "$name" | tr ' /:' '___').log"
    PB_TEST_DB_URL="$url" timeout 600 "$bin" >"$log" 2>&1
    rc=$?
    read -r p f < <(count_cmocka "$log" $rc)
    record "$name" "$p" "$f" "$log"
}

run_node() { # name log-key env... -- args
    local name=$1 log rc
    shift
    log="$LOGDIR/$(echo "$name" | tr ' /:' '___').log"
    env "$@" >"$log" 2>&1
    rc=$?
    read -r p f < <(count_tap "$log" $rc)
    record "$name" "$p" "$f" "$log"
}

echo "== static checks"
static_check() { # name command...
    local name=$1 log rc
    shift
    log="$LOGDIR/static-$name.log"
    "$@" >"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then record "static $name" 1 0 "$log"; else record "static $name" 0 1 "$log"; fi
}
static_check clang-format clang-format --dry-run --Werror $(find src tools -name '*.[ch]')
# Banned string functions (banned.h poisons them at compile time; this catches a missing include).
static_check banned-functions bash -c '! grep -nE "\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|gets)\s*\(" $(find src -name "*.[ch]" ! -name banned.h)'
# Only the store layer talks to the database libraries, and only it may run SQL text directly.
static_check store-boundary bash -c '! grep -nE "(sqlite3\.h|libpq-fe\.h|sqlite3_exec|PQexec\b|sqlite3_mprintf)" $(find src -name "*.[ch]" ! -path "src/core/store/*")'

echo "== starting a throwaway PostgreSQL cluster"
PGDIR=$TMP/pg
PGURL=$(scripts/pgtest.sh start "$PGDIR" | tail -n 1)
if [ -z "$PGURL" ]; then
    echo "could not start PostgreSQL"; exit 1
fi
echo "   $PGURL"
# A fresh database per suite, so suites never see each other's rows.
newdb() { scripts/pgtest.sh createdb "$PGDIR" "$1" | tail -n 1; }

# The suites that use a database (they read PB_TEST_DB_URL, most through testutil.h) run on
# both; a new module's suite joins by using testutil.h, with no list to edit here.
DB_SUITES=" $(grep -lE "PB_TEST_DB_URL|testutil\.h" $(find tests/unit -name 'test_*.c') | xargs -n1 basename | sed 's/\.c$//' | tr '\n' ' ')"
echo "== unit tests (cmocka)"
for variant in build build/asan; do
    tag=""; [ "$variant" = build/asan ] && tag=" [asan]"
    for bin in "$variant"/tests/test_*; do
        [ -x "$bin" ] || continue
        name=$(basename "$bin")
        if [[ " $DB_SUITES " == *" $name "* ]]; then
            run_cmocka "unit $name sqlite$tag" "sqlite:$TMP/$name-${variant//\//_}.db" "$bin"
            run_cmocka "unit $name postgresql$tag" "$(newdb "u_${name}_${variant//\//_}")" "$bin"
        else
            run_cmocka "unit $name$tag" "" "$bin"
        fi
    done
done

echo "== API tests over HTTP (node:test)"
# The suites live in tests/api/<module>/; node --test searches the folder recursively.
if [ -n "$(find tests/api -name '*.test.mjs' -print -quit)" ]; then
    run_node "api sqlite" PB_BIN="$ROOT/build/parkbrain" PB_API_DB=sqlite \
        node --test --test-concurrency=1 --test-reporter=tap tests/api/
    run_node "api postgresql" PB_BIN="$ROOT/build/parkbrain" PB_API_DB=pg PB_TEST_PG_URL="$PGURL" \
        node --test --test-concurrency=1 --test-reporter=tap tests/api/
    run_node "api sqlite [asan]" PB_BIN="$ROOT/build/asan/parkbrain" PB_API_DB=sqlite PB_SLOW=1 \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        node --test --test-concurrency=1 --test-reporter=tap tests/api/
fi

echo "== fuzz corpora replay"
if [ -x scripts/fuzz.sh ]; then
    log=$LOGDIR/fuzz-replay.log
    scripts/fuzz.sh replay >"$log" 2>&1
    rc=$?
    p=$(grep -cE '^replayed ' "$log"); f=0
    [ $rc -ne 0 ] && f=1
    record "fuzz corpora replay" "$p" "$f" "$log"
fi

echo "== web unit tests (vitest)"
if [ -f web/package.json ] && grep -q '"test"' web/package.json; then
    log=$LOGDIR/web-vitest.log
    (cd web && NO_COLOR=1 FORCE_COLOR=0 npx vitest run --reporter=verbose) >"$log" 2>&1
    rc=$?
    p=$(grep -E '^\s+Tests\s+' "$log" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' | head -1)
    f=$(grep -E '^\s+Tests\s+' "$log" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' | head -1)
    p=${p:-0}; f=${f:-0}
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    record "web vitest" "$p" "$f" "$log"
fi

echo "== browser tests (Playwright + Chromium)"
if ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
    run_node "browser e2e" PB_E2E_REPORTER=tap PB_E2E_OUT="$ROOT/build/e2e" tests/e2e/run.sh "$ROOT/build/parkbrain"
fi

echo
if ((${#FAILED_SUITES[@]})); then
    echo "failed suites: ${FAILED_SUITES[*]}"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
