#!/usr/bin/env bash
# Install what parkbrain needs on Debian 12: the C libraries, PostgreSQL (for the tests),
# Chromium (for the browser tests), clang (fuzzing), and the npm packages of web/ and tests/.
# Idempotent and quick when everything is there. Run by `make run` and `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential pkg-config libmicrohttpd-dev libsqlite3-dev sqlite3 libpq-dev libjansson-dev
      libsodium-dev libcmocka-dev libxlsxwriter-dev postgresql postgresql-client nodejs npm oathtool
      chromium clang-14 libclang-rt-14-dev ca-certificates libreoffice-calc-nogui curl tzdata)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm may come from elsewhere (the machine image ships them): accept working binaries.
if command -v node >/dev/null && command -v npm >/dev/null; then
    tmp=(); for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || tmp+=("$p"); done
    missing=("${tmp[@]}")
fi
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, from the lock files, only when the lock file changed since the last install.
for dir in web tests; do
    [ -f "$dir/package-lock.json" ] || continue
    stamp="$dir/node_modules/.parkbrain-lock"
    if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
        echo "install-deps: npm ci in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$dir/package-lock.json" "$stamp"
    fi
done
