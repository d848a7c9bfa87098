#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for the `pg` dbt target and the tests: Debian's `postgresql` binaries,
# a data directory of its own, trust auth on loopback only (nothing secret anywhere), a role and a database named
# after the project.
#
#   scripts/pg_cluster.sh start     initdb if needed, start if not running (idempotent), wait until it accepts
#   scripts/pg_cluster.sh stop      stop it if running (idempotent); the data directory stays
#   scripts/pg_cluster.sh destroy   stop it and delete the data directory
#   scripts/pg_cluster.sh status    exit 0 when it accepts connections, 3 when not
#   scripts/pg_cluster.sh env       print the DBT_GROUNDING_PG_* settings for `eval`
#
# Settings (environment):
#   DBT_GROUNDING_PG_DIR       data directory          default /tmp/dbt-grounding-pg
#   DBT_GROUNDING_PG_PORT      port on 127.0.0.1        default 54329 (not 5432: leave a real server alone)
#   DBT_GROUNDING_PG_USER      role dbt connects as     default dbt_grounding
#   DBT_GROUNDING_PG_DATABASE  database                 default dbt_grounding
#   PG_BINDIR                  initdb/pg_ctl location   default: the newest /usr/lib/postgresql/*/bin
#
# PostgreSQL refuses to run as root: when run as root, the server runs as the `postgres` system user (which the
# Debian package creates) and the data directory belongs to it.
set -euo pipefail

PG_DIR=${DBT_GROUNDING_PG_DIR:-/tmp/dbt-grounding-pg}
PG_PORT=${DBT_GROUNDING_PG_PORT:-54329}
PG_USER=${DBT_GROUNDING_PG_USER:-dbt_grounding}
PG_DATABASE=${DBT_GROUNDING_PG_DATABASE:-dbt_grounding}
PG_HOST=127.0.0.1

die() { echo "pg_cluster: $*" >&2; exit 1; }

find_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR"; return; fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [[ -n "$dir" && -x "$dir/initdb" ]] || die "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin.
Install Debian's server package: apt-get install -y postgresql (or set PG_BINDIR to the directory holding initdb)."
    echo "$dir"
}

BINDIR=$(find_bindir)

# Run a server binary as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root, but there is no 'postgres' user to run the server as"
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

accepting() {
    "$BINDIR/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -d postgres >/dev/null 2>&1
}

psql_admin() {
    # the bootstrap superuser is the OS user that ran initdb
    local superuser
    superuser=$([[ $(id -u) -eq 0 ]] && echo postgres || id -un)
    "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$superuser" -d postgres "$@"
}

init_cluster() {
    [[ -f "$PG_DIR/PG_VERSION" ]] && return
    mkdir -p "$PG_DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$PG_DIR"
    chmod 700 "$PG_DIR"
    as_owner "$BINDIR/initdb" -D "$PG_DIR" --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    # loopback only, and the socket inside the data directory (not /var/run/postgresql, which may not exist)
    cat >>"$PG_DIR/postgresql.conf" <<EOF
listen_addresses = '$PG_HOST'
unix_socket_directories = '$PG_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

ensure_role_and_database() {
    psql_admin -c "do \$\$ begin
        if not exists (select from pg_roles where rolname = '$PG_USER') then
            create role \"$PG_USER\" login superuser;
        end if; end \$\$;"
    if [[ -z $(psql_admin -tA -c "select 1 from pg_database where datname = '$PG_DATABASE'") ]]; then
        psql_admin -c "create database \"$PG_DATABASE\" owner \"$PG_USER\""
    fi
}

start() {
    if accepting; then
        ensure_role_and_database
        echo "pg_cluster: already running on $PG_HOST:$PG_PORT ($PG_DIR)"
        return
    fi
    init_cluster
    as_owner "$BINDIR/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -o "-p $PG_PORT" -w -t 30 start >/dev/null \
        || die "the server did not start; its log: $PG_DIR/server.log
$(tail -n 20 "$PG_DIR/server.log" 2>/dev/null)"
    ensure_role_and_database
    echo "pg_cluster: running on $PG_HOST:$PG_PORT, database $PG_DATABASE, user $PG_USER ($PG_DIR)"
}

stop() {
    if [[ -f "$PG_DIR/postmaster.pid" ]]; then
        as_owner "$BINDIR/pg_ctl" -D "$PG_DIR" -m fast -w -t 30 stop >/dev/null
        echo "pg_cluster: stopped ($PG_DIR)"
    else
        echo "pg_cluster: not running ($PG_DIR)"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    destroy) stop; rm -rf "$PG_DIR"; echo "pg_cluster: removed $PG_DIR" ;;
    status)
        if accepting; then echo "pg_cluster: accepting connections on $PG_HOST:$PG_PORT"; else
            echo "pg_cluster: not accepting connections on $PG_HOST:$PG_PORT"; exit 3; fi ;;
    env)
        echo "export DBT_GROUNDING_TARGET=pg DBT_GROUNDING_PG_HOST=$PG_HOST DBT_GROUNDING_PG_PORT=$PG_PORT" \
             "DBT_GROUNDING_PG_USER=$PG_USER DBT_GROUNDING_PG_DATABASE=$PG_DATABASE" ;;
    *) echo "usage: $0 start|stop|destroy|status|env" >&2; exit 2 ;;
esac
