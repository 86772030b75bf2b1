#!/usr/bin/env bash
# Render the Kubernetes manifests and check them offline: schemas, then policy.
#   scripts/check_k8s.sh            base and every overlay under deploy/k8s/
#   scripts/check_k8s.sh DIR...     these kustomization directories instead
# The tools live in a virtualenv of their own (.venv-deploy, from the hashed
# requirements-deploy.txt), installed when that file changes; after that the
# check needs no network. Any error or failed check exits non-zero.
set -euo pipefail

# Directories given relative to the caller's working directory.
dirs=()
for dir in "$@"; do
  dirs+=("$(cd "$dir" && pwd)")
done

cd "$(dirname "$0")/.."
root=$(pwd)
if [ ${#dirs[@]} -eq 0 ]; then
  dirs=("$root/deploy/k8s/base")
  for overlay in "$root"/deploy/k8s/overlays/*/; do
    dirs+=("${overlay%/}")
  done
fi

# The oldest Kubernetes release the manifests support (the preStop sleep
# action is on by default from 1.30) and the newest the validator knows.
KUBERNETES_VERSIONS=(1.33.0 1.37.0)

# Checks that do not apply, skipped everywhere, one reason each:
#   CKV_K8S_35  secrets as files: the settings read every secret from the
#               environment, so the Secret is given as environment variables.
SKIP_CHECKS=CKV_K8S_35
# ... and for the base alone:
#   CKV_K8S_43  image digest: the base pins a tag; each overlay deploys a
#               digest (and the check holds there).
SKIP_CHECKS_BASE=CKV_K8S_43

VENV=$root/.venv-deploy
PYTHON=${PYTHON:-python3}
stamp=$VENV/.requirements-deploy.sha256
wanted=$(sha256sum requirements-deploy.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing the deploy tools into $VENV (requirements-deploy.txt changed)"
  test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --require-hashes -r requirements-deploy.txt
  echo "$wanted" > "$stamp"
fi
bin=$VENV/bin

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# checkov: no version check and nothing fetched from its vendor's platform.
export CKV_SKIP_PACKAGE_UPDATE_CHECK=true

failed=0
for dir in "${dirs[@]}"; do
  name=${dir#"$root"/}
  # Named for its directory; the tools below run in $out and so report it
  # by this name.
  rendered=$(echo "$name" | tr '/' '_').yaml
  echo "=== $name"

  if ! "$bin/kubectl" kustomize "$dir" > "$out/$rendered"; then
    echo "FAILED: kubectl kustomize $name"
    failed=1
    continue
  fi
  echo "rendered: $(grep -c '^kind:' "$out/$rendered") resources"

  # --strict rejects unknown fields. A resource whose schema the validator
  # lacks is only a warning there (WARN); here it fails too, since an
  # unchecked resource is not a checked one.
  validate_args=(--strict --quiet)
  for version in "${KUBERNETES_VERSIONS[@]}"; do
    validate_args+=(-k "$version")
  done
  if report=$(cd "$out" && "$bin/kubernetes-validate" "${validate_args[@]}" "$rendered" 2>&1) \
    && ! grep -qE '^(WARN|ERROR|FATAL)' <<< "$report"; then
    echo "schemas: valid against Kubernetes ${KUBERNETES_VERSIONS[*]}"
  else
    echo "$report"
    echo "FAILED: kubernetes-validate $name"
    failed=1
    continue
  fi

  skip=$SKIP_CHECKS
  if [ "$dir" = "$root/deploy/k8s/base" ]; then
    skip="$skip,$SKIP_CHECKS_BASE"
  fi
  if ! (cd "$out" && "$bin/checkov" --framework kubernetes --file "$rendered" \
    --quiet --compact --skip-download --skip-check "$skip"); then
    echo "FAILED: checkov $name"
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "Kubernetes manifests: FAILED"
  exit 1
fi
echo "Kubernetes manifests: ${#dirs[@]} rendered, valid and passing checkov"
