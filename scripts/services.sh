#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on loopback, for tests, CI and benchmarks.
#
#   scripts/services.sh up       install if missing, start both, print the URLs
#   scripts/services.sh env      print the export lines for a running pair
#   scripts/services.sh status   say what is running
#   scripts/services.sh down     stop both and delete their data
#
# Data lives in a temporary directory ($INKWELL_SERVICES_DIR); nothing is
# installed as a system service. As root, PostgreSQL runs as the postgres user.
set -euo pipefail

STATE_DIR=${INKWELL_SERVICES_DIR:-${TMPDIR:-/tmp}/inkwell-services}
PG_PORT=${INKWELL_PG_PORT:-54329}
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
    [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$STATE_DIR/pg"
    as_pg "$bin/initdb" -D "$data" -U "$PG_USER" --auth=trust -E UTF8 >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    # Durability is pointless for throwaway data; speed is not.
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 start -o \
      "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $data -c max_connections=200 \
       -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
  fi
  as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 ||
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
  log "PostgreSQL on 127.0.0.1:$PG_PORT"
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
}

down() {
  local bin
  if bin=$(pg_bin_dir) && [ -s "$STATE_DIR/pg/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$STATE_DIR/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$STATE_DIR"
  log "stopped"
}

status() {
  local bin
  bin=$(pg_bin_dir) && as_pg "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >&2 || true
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >&2 || true
}

case "${1:-}" in
  up) install_packages; pg_up; redis_up; print_env ;;
  env) print_env ;;
  status) status ;;
  down) down ;;
  *) echo "usage: $0 up|env|status|down" >&2; exit 2 ;;
esac
