#!/usr/bin/env bash
# fuzz.sh: the libFuzzer targets tests/fuzz/fuzz_*.c.
#
#   scripts/fuzz.sh build                      build every target into build/fuzz/<name>
#                                              (skipped when the binary is newer than its sources)
#   scripts/fuzz.sh replay                     build if needed, then run each target once over
#                                              every input of tests/fuzz/corpus/<short>/ (fuzz_qs →
#                                              corpus/qs); prints "replayed <target> <N> inputs";
#                                              non-zero exit on any crash
#   scripts/fuzz.sh run TARGET SECONDS [--merge] [-- LIBFUZZER_FLAGS...]
#                                              fuzz TARGET (fuzz_body or body) for SECONDS in a
#                                              scratch copy of its corpus, build/fuzz/work/<short>/;
#                                              the repository's corpus is only written with --merge
#                                              (libFuzzer -merge=1: inputs that add coverage)
#
# Crash reproducers go to build/fuzz/artifacts/<target>/ (never into the working directory);
# rerun one with `build/fuzz/<target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

CC=${FUZZ_CC:-clang-14}
OUT=build/fuzz
CORPUS=tests/fuzz/corpus
PKGS_CFLAGS=(jansson libpq)
PKGS_LIBS=(libmicrohttpd sqlite3 libpq jansson libsodium xlsxwriter)
# shellcheck disable=SC2054 # the commas belong to -fsanitize=
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11
    -D_GNU_SOURCE -Isrc -Ibuild/gen)

die() {
    echo "fuzz.sh: $*" >&2
    exit 2
}

usage() {
    die "usage: $0 build | replay | run TARGET SECONDS [--merge] [-- FLAGS...]"
}

targets() {
    local f
    for f in tests/fuzz/fuzz_*.c; do
        [ -e "$f" ] || continue
        basename "$f" .c
    done
}

lib_sources() {
    find src -name '*.c' ! -path src/cli/main.c | LC_ALL=C sort
}

# Is build/fuzz/NAME older than any of its inputs (or absent)?
stale() {
    local bin=$OUT/$1
    [ -x "$bin" ] || return 0
    [ -n "$(find src "tests/fuzz/$1.c" build/gen/embedded.c -type f \( -name '*.c' -o -name '*.h' \) \
        -newer "$bin" -print -quit)" ] && return 0
    [ scripts/fuzz.sh -nt "$bin" ] && return 0
    return 1
}

build_one() {
    local name=$1 log=$OUT/logs/build-$1.log tmp=$OUT/.$1.tmp.$$
    local -a srcs pcf plibs
    mapfile -t srcs < <(lib_sources)
    read -ra pcf <<<"$(pkg-config --cflags "${PKGS_CFLAGS[@]}")"
    read -ra plibs <<<"$(pkg-config --libs "${PKGS_LIBS[@]}")"
    if "$CC" "${CFLAGS[@]}" "${pcf[@]}" -o "$tmp" "tests/fuzz/$name.c" "${srcs[@]}" build/gen/embedded.c \
        "${plibs[@]}" -lpthread -lm >"$log" 2>&1; then
        mv -f "$tmp" "$OUT/$name"
    else
        rm -f "$tmp"
        cat "$log" >&2
        echo "fuzz.sh: building $name failed (log: $log)" >&2
        return 1
    fi
}

# Build the named targets (all when none is named) that are out of date, in parallel.
cmd_build() {
    local name pids=() names=() failed=0 i
    local -a want=("$@")
    command -v "$CC" >/dev/null || die "$CC not found (set FUZZ_CC)"
    make -s build/gen/embedded.c
    mkdir -p "$OUT/logs"
    [ ${#want[@]} -gt 0 ] || mapfile -t want < <(targets)
    for name in "${want[@]}"; do
        if stale "$name"; then
            echo "building $OUT/$name"
            build_one "$name" &
            pids+=($!)
            names+=("$name")
        fi
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || failed=1
    done
    [ "$failed" -eq 0 ] || die "build failed"
}

short_name() {
    local t=${1##*/}
    t=${t%.c}
    echo "${t#fuzz_}"
}

cmd_replay() {
    local name short dir n log failed=0 empty
    cmd_build
    mkdir -p "$OUT/logs"
    empty=$(mktemp -d "$OUT/empty.XXXXXX")
    for name in $(targets); do
        short=$(short_name "$name")
        dir=$CORPUS/$short
        [ -d "$dir" ] || dir=$empty
        n=$(find "$dir" -maxdepth 1 -type f | wc -l)
        log=$OUT/logs/replay-$name.log
        mkdir -p "$OUT/artifacts/$name"
        # -runs=0: load the corpus (each input runs once), then stop without mutating.
        if "$OUT/$name" -runs=0 -timeout=30 -artifact_prefix="$OUT/artifacts/$name/" "$dir" >"$log" 2>&1; then
            echo "replayed $name $n inputs"
        else
            tail -n 60 "$log" >&2
            echo "fuzz.sh: $name crashed during replay (log: $log; reproducers in $OUT/artifacts/$name/)" >&2
            failed=1
        fi
    done
    rmdir "$empty" 2>/dev/null || true
    return $failed
}

cmd_run() {
    local target=$1 secs=$2 merge=0 name short work rc
    shift 2
    local -a extra=()
    while [ $# -gt 0 ]; do
        case $1 in
        --merge) merge=1 ;;
        --) shift; extra=("$@"); break ;;
        *) usage ;;
        esac
        shift
    done
    [[ $secs =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number"
    short=$(short_name "$target")
    name=fuzz_$short
    [ -f "tests/fuzz/$name.c" ] || die "no target tests/fuzz/$name.c"
    cmd_build "$name"
    work=$OUT/work/$short
    mkdir -p "$work" "$OUT/artifacts/$name"
    if [ -d "$CORPUS/$short" ]; then
        cp -rp "$CORPUS/$short"/. "$work"/
    fi
    echo "fuzzing $name for ${secs}s in $work"
    set +e
    "$OUT/$name" -max_total_time="$secs" -timeout=30 -print_final_stats=1 \
        -artifact_prefix="$OUT/artifacts/$name/" "${extra[@]}" "$work"
    rc=$?
    set -e
    if [ $rc -ne 0 ]; then
        echo "fuzz.sh: $name found a problem (exit $rc); reproducers in $OUT/artifacts/$name/" >&2
        ls -1 "$OUT/artifacts/$name/" >&2 || true
        return $rc
    fi
    if [ $merge -eq 1 ]; then
        mkdir -p "$CORPUS/$short"
        "$OUT/$name" -merge=1 -artifact_prefix="$OUT/artifacts/$name/" "$CORPUS/$short" "$work"
        echo "merged into $CORPUS/$short: $(find "$CORPUS/$short" -maxdepth 1 -type f | wc -l) inputs"
    fi
}

[ $# -ge 1 ] || usage
case $1 in
build) [ $# -eq 1 ] || usage; cmd_build ;;
replay) [ $# -eq 1 ] || usage; cmd_replay ;;
run) [ $# -ge 3 ] || usage; shift; cmd_run "$@" ;;
*) usage ;;
esac
