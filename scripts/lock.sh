#!/usr/bin/env bash
# Compile each requirements*.in into its hashed requirements*.txt lock.
#
#   scripts/lock.sh                      keep every locked version that still fits
#   scripts/lock.sh --upgrade            newest releases the .in pins allow
#   scripts/lock.sh --upgrade-package X  the same for X alone
#
# requirements.in goes first: every other requirements-*.in is constrained to
# the runtime lock (-c requirements.txt), so they share its versions. The
# locks are universal (markers for Python 3.11, pyproject's floor, and newer,
# on any platform) and carry a hash for every file of every release, so
# `pip install --require-hashes` works without uv on any supported Python.
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-.venv/bin/uv}

lock() {
  "$UV" pip compile "$1" --output-file "${1%.in}.txt" \
    --universal --python-version 3.11 --generate-hashes \
    --no-emit-index-url --custom-compile-command "make lock" --quiet \
    "${@:2}"
  echo "locked ${1%.in}.txt"
}

lock requirements.in "$@"
shopt -s nullglob
for in_file in requirements-*.in; do
  lock "$in_file" "$@"
done
