#!/usr/bin/env bash
# The first load of the UI: each JS and CSS file dist/index.html loads up front (the entry
# script, its modulepreloads and stylesheets), gzip -9, and their sum in bytes. Lazy chunks
# (the pages, ECharts) are not counted. Run after `npm run build`: scripts/first-load-size.sh
set -euo pipefail
cd "$(dirname "$0")/../dist"
total=0
for f in $(grep -oE '(src|href)="/assets/[^"]+\.(js|css)"' index.html | sed -E 's/.*="\/(.*)"/\1/'); do
  n=$(gzip -9 -c "$f" | wc -c)
  total=$((total + n))
  printf '%8d %s\n' "$n" "$f"
done
echo "total gzip -9 bytes: $total"
