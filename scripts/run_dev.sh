#!/bin/sh
# make run: the development server and a task worker, started and stopped together.
#   scripts/run_dev.sh 127.0.0.1:8000
set -eu
PY=${PY:-.venv/bin/python}

# The worker sends the e-mails (printed below) and runs the periodic jobs.
"$PY" manage.py worker --reload &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

"$PY" manage.py runserver "$1"
