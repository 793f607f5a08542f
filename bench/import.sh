#!/usr/bin/env bash
# Import 1,000,000 enterprise rows into a fresh SQLite database (budget: 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
T=$(mktemp -d /tmp/pb_bench_import.XXXXXX)
python3 bench/gen_enterprises.py "$N" > "$T/ent.csv"
./build/parkbrain init --db "sqlite:$T/pb.db" --no-admin >/dev/null
/usr/bin/time -f "wall %e s, max RSS %M KiB" ./build/parkbrain import enterprises "$T/ent.csv" --db "sqlite:$T/pb.db"
echo "re-import (all upserts):"
/usr/bin/time -f "wall %e s, max RSS %M KiB" ./build/parkbrain import enterprises "$T/ent.csv" --db "sqlite:$T/pb.db"
rm -rf "$T"
