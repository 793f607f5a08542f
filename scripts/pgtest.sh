#!/usr/bin/env bash
# pgtest.sh: a throwaway PostgreSQL 15 cluster for the test suites.
#
#   scripts/pgtest.sh start DIR          create and start a cluster in DIR (must not exist or be
#                                        empty); last stdout line: its URL
#   scripts/pgtest.sh createdb DIR NAME  create another database; prints its URL
#   scripts/pgtest.sh stop DIR           stop the cluster and remove DIR
#
# The server listens on 127.0.0.1 at a free random port, trusts local connections (user
# parkbrain, no password), and keeps its socket in DIR. PostgreSQL refuses to run as root, so
# under root the cluster belongs to the system user pbtest, created if absent.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGUSER_DB=parkbrain
RUN_AS=pbtest
MARKER=.parkbrain-pgtest

die() {
    echo "pgtest: $*" >&2
    exit 1
}

usage() {
    die "usage: $0 start DIR | stop DIR | createdb DIR NAME"
}

# Run a PostgreSQL program as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! id -u "$RUN_AS" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            "$RUN_AS" 2>/dev/null || id -u "$RUN_AS" >/dev/null 2>&1 ||
            die "cannot create user $RUN_AS"
    fi
}

port_free() {
    ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

url_for() { # DIR DBNAME
    local port
    port=$(cat "$1/port")
    echo "postgresql://$PGUSER_DB@127.0.0.1:$port/$2"
}

cmd_start() {
    local dir=$1 port="" tries locale
    [ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 is not installed ($PGBIN/initdb missing)"
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        die "$dir exists and is not empty"
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    touch "$dir/$MARKER"
    ensure_user
    if [ "$(id -u)" -eq 0 ]; then
        chown -R "$RUN_AS": "$dir"
        chmod 700 "$dir"
        as_owner test -w "$dir" ||
            die "$RUN_AS cannot reach $dir (a parent directory is closed to other users; use e.g. /tmp)"
    fi
    # C.UTF-8 when the system has it: UTF-8 collation-independent ordering, like SQLite's.
    locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale=C.UTF-8
    fi
    as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U "$PGUSER_DB" --encoding=UTF8 \
        --locale="$locale" --no-instructions >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
shared_buffers = 32MB
log_min_messages = warning
EOF
    # A random port; if another process takes it first the start fails, so try again.
    for tries in 1 2 3 4 5 6 7 8 9 10; do
        port=$(shuf -i 20000-59999 -n 1)
        port_free "$port" || continue
        echo "$port" >"$dir/port"
        if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port" start >/dev/null 2>&1; then
            break
        fi
        port=""
        if [ -f "$dir/data/postmaster.pid" ]; then
            as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        fi
    done
    [ -n "$port" ] || { tail -n 20 "$dir/server.log" >&2 || true; die "cannot start the server"; }
    as_owner "$PGBIN/createdb" -h "$dir" -p "$port" -U "$PGUSER_DB" parkbrain_test ||
        die "createdb parkbrain_test failed"
    url_for "$dir" parkbrain_test
}

cmd_createdb() {
    local dir=$1 name=$2
    [ -f "$dir/port" ] || die "$dir holds no running cluster"
    [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || die "database names are [a-z_][a-z0-9_]*"
    dir=$(cd "$dir" && pwd -P)
    as_owner "$PGBIN/createdb" -h "$dir" -p "$(cat "$dir/port")" -U "$PGUSER_DB" "$name" ||
        die "createdb $name failed"
    url_for "$dir" "$name"
}

cmd_stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    # Only ever delete what start made.
    [ -f "$dir/$MARKER" ] || die "$dir was not made by pgtest.sh; not touching it"
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
            as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf -- "$dir"
}

[ $# -ge 2 ] || usage
case $1 in
start) [ $# -eq 2 ] || usage; cmd_start "$2" ;;
stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
createdb) [ $# -eq 3 ] || usage; cmd_createdb "$2" "$3" ;;
*) usage ;;
esac
