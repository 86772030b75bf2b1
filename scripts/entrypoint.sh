#!/bin/sh
# Container entrypoint: optionally wait for the database and migrate, then exec the command.
#   WAIT_FOR_DB=1     wait until the database answers (manage.py wait_for_db)
#   RUN_MIGRATIONS=1  apply migrations first (run this on one instance, or as a job)
set -eu

mkdir -p "${PROMETHEUS_MULTIPROC_DIR:-/tmp/inkwell-prometheus}"

if [ "${WAIT_FOR_DB:-0}" = "1" ]; then
  python manage.py wait_for_db --timeout "${WAIT_FOR_DB_TIMEOUT:-60}"
fi
if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
  python manage.py migrate --noinput
fi

exec "$@"
