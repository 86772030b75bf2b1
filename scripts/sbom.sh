#!/usr/bin/env bash
# Write a CycloneDX JSON SBOM of the runtime environment to $1 (default
# test-artifacts/sbom.cdx.json): requirements.txt installed hash-checked into a
# throwaway virtualenv without pip, so the SBOM lists the runtime packages and
# nothing else. cyclonedx-py validates it against the CycloneDX schema;
# scripts/check_sbom.py then holds it to the lock, package for package.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
out=${1:-test-artifacts/sbom.cdx.json}

runtime=$(mktemp -d)
trap 'rm -rf "$runtime"' EXIT
"$PY" -m venv --without-pip "$runtime"
"$PY" -m pip --python "$runtime/bin/python" install --quiet \
  --disable-pip-version-check --require-hashes -r requirements.txt

mkdir -p "$(dirname "$out")"
# The root component (pyproject.toml) declares no dependencies, as they live in
# requirements.in, so cyclonedx-py warns that its part of the graph is empty.
PYTHONWARNINGS="ignore:The Component this BOM is describing" \
  "$PY" -m cyclonedx_py environment "$runtime/bin/python" \
  --pyproject pyproject.toml --output-reproducible --validate --output-file "$out"
"$PY" scripts/check_sbom.py "$out" requirements.txt
