#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on loopback, for tests, CI and benchmarks.
#
#   scripts/services.sh up       install if missing, start them, print the URLs
#   scripts/services.sh env      print the export lines for running services
#   scripts/services.sh status   say what is running
#   scripts/services.sh down     stop them and delete their data
#
# PostgreSQL comes with a streaming standby of itself (pg_basebackup -R) on
# the next port, for the read-replica tests: INKWELL_STANDBY_URL. It is not
# DATABASE_REPLICA_URLS, so the rest of the suite uses the primary alone.
#
# Data lives in a temporary directory ($INKWELL_SERVICES_DIR); nothing is
# installed as a system service. As root, PostgreSQL runs as the postgres user.
set -euo pipefail

STATE_DIR=${INKWELL_SERVICES_DIR:-${TMPDIR:-/tmp}/inkwell-services}
PG_PORT=${INKWELL_PG_PORT:-54329}
STANDBY_PORT=${INKWELL_PG_STANDBY_PORT:-$((PG_PORT + 1))}
REDIS_PORT=${INKWELL_REDIS_PORT:-63799}
PG_DB=inkwell
PG_USER=inkwell

log() { printf 'services: %s\n' "$*" >&2; }

pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

install_packages() {
  local missing=()
  pg_bin_dir >/dev/null || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing ${missing[*]}: install them with apt-get (needs root)"; exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Run a PostgreSQL binary as the postgres user when we are root (it refuses root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
  local bin; bin=$(pg_bin_dir)
  local data="$STATE_DIR/pg"
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    # The postgres user must be able to enter the directory (mktemp -d's is 700).
    [ "$(id -u)" -eq 0 ] && chmod a+x "$STATE_DIR" && chown -R postgres:postgres "$data"
    as_pg "$bin/initdb" -D "$data" -U "$PG_USER" --auth=trust -E UTF8 >/dev/null
  fi
  pg_start "$data" "$PG_PORT"
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 ||
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
}

# Start the cluster in $1 on port $2 unless it runs.
pg_start() {
  local bin; bin=$(pg_bin_dir)
  if ! as_pg "$bin/pg_ctl" -D "$1" status >/dev/null 2>&1; then
    # Durability is pointless for throwaway data; speed is not. A standby
    # needs max_connections as high as its primary's.
    as_pg "$bin/pg_ctl" -D "$1" -l "$1/server.log" -w -t 30 start -o \
      "-c listen_addresses=127.0.0.1 -p $2 -k $1 -c max_connections=200 \
       -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  fi
}

# A hot standby of the primary, streaming from it. initdb's trust pg_hba and
# PostgreSQL's defaults (wal_level=replica, max_wal_senders=10) allow it.
standby_up() {
  local bin; bin=$(pg_bin_dir)
  local data="$STATE_DIR/pg-standby"
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$data"
    chmod 700 "$data"
    as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" \
      -D "$data" -R -X stream --checkpoint=fast >/dev/null
  fi
  pg_start "$data" "$STANDBY_PORT"
  log "PostgreSQL standby on 127.0.0.1:$STANDBY_PORT"
}

redis_up() {
  mkdir -p "$STATE_DIR/redis"
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "Redis already on 127.0.0.1:$REDIS_PORT"; return 0
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --dir "$STATE_DIR/redis" --pidfile "$STATE_DIR/redis/redis.pid" \
    --logfile "$STATE_DIR/redis/redis.log" --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  log "Redis on 127.0.0.1:$REDIS_PORT"
}

print_env() {
  echo "export DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
  echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
  echo "export INKWELL_STANDBY_URL=postgres://$PG_USER@127.0.0.1:$STANDBY_PORT/$PG_DB"
}

down() {
  local bin
  if bin=$(pg_bin_dir); then
    for data in "$STATE_DIR/pg-standby" "$STATE_DIR/pg"; do
      [ -s "$data/PG_VERSION" ] || continue
      as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    done
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$STATE_DIR"
  log "stopped"
}

status() {
  local bin
  bin=$(pg_bin_dir) && as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >&2 || true
  bin=$(pg_bin_dir) && as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$STANDBY_PORT" >&2 || true
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >&2 || true
}

case "${1:-}" in
  up) install_packages; pg_up; standby_up; redis_up; print_env ;;
  env) print_env ;;
  status) status ;;
  down) down ;;
  *) echo "usage: $0 up|env|status|down" >&2; exit 2 ;;
esac
