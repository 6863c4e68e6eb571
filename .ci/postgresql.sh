# Sourced by .ci/run and .ci/production: `start_postgresql` starts a PostgreSQL cluster of its own in a new
# temporary folder on a free loopback port (PGHOST, PGPORT exported; `pg` runs its client tools as its
# superuser); `stop_postgresql` stops it and removes the folder.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

as_postgres() {
  # PostgreSQL refuses to run as root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg() {
  local program=$1
  shift
  as_postgres "$pgbin/$program" -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"
}

start_postgresql() {
  pgwork=$(mktemp -d)
  [ "$(id -u)" = 0 ] && chown postgres "$pgwork"
  export PGHOST=127.0.0.1
  PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export PGPORT
  as_postgres "$pgbin/initdb" -D "$pgwork/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_postgres "$pgbin/pg_ctl" -D "$pgwork/data" -l "$pgwork/postgres.log" -w \
    -o "-p $PGPORT -k $pgwork -c listen_addresses=127.0.0.1" start >/dev/null
  echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on port $PGPORT"
}

stop_postgresql() {
  as_postgres "$pgbin/pg_ctl" -D "$pgwork/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pgwork"
}
