#!/usr/bin/env bash
# Matching one demand against 1,000,000 spaces (budget 50 ms). Builds bench/match_bench.c
# against build/libparkbrain.a and runs it on a fresh SQLite database.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s -j2 build >/dev/null
CFLAGS_ALL="-std=c11 -D_GNU_SOURCE -O2 -Isrc -Ibuild/gen $(pkg-config --cflags jansson)"
LIBS="$(pkg-config --libs libmicrohttpd sqlite3 libpq jansson libsodium xlsxwriter) -lpthread -lm"
cc $CFLAGS_ALL -o build/match_bench bench/match_bench.c build/libparkbrain.a $LIBS
DB=$(mktemp -d /tmp/pb_match.XXXXXX)
./build/match_bench "sqlite:$DB/pb.db" "${N:-1000000}"
rm -rf "$DB"
