#!/usr/bin/env bash
# Issue 15, against the real Helm engine and the Kubernetes validator:
# - a packaged chart installs with no values, and `helm install --set anything=1` (or a changed
#   value) fails saying the values are fixed at package time (../shared/oracles/helm-template
#   runs Helm's own `install --dry-run=client`, which checks values.schema.json as
#   `helm install` does);
# - the Argo CD plugin's generate script renders what `redis-ha render` renders, and the
#   manifests pass the validator.
# Usage: bash .ci/dist-check.sh PATH/TO/redis-ha
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/redis-ha" >&2; exit 2; }
bin=$(realpath "$1")
oracles=${ORACLES:-../shared/oracles}
template=$(realpath "$oracles/helm-template")
validate=$(realpath "$oracles/k8s-validate")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" package redis-ha --env production --unpacked -d "$work/pkg" >/dev/null
chart="$work/pkg/redis-ha"
echo '{}' >"$work/none.json"
"$template" "$chart" --values-json "$work/none.json" --name redis-ha --namespace redis >"$work/installed.yaml"
grep -q 'kind: StatefulSet' "$work/installed.yaml"
for values in '{"anything": 1}' '{"sentinel": {"quorum": 5}}' '{"auth": {"password": "x"}}'; do
  echo "$values" >"$work/values.json"
  if "$template" "$chart" --values-json "$work/values.json" >"$work/out" 2>"$work/err"; then
    echo "dist-check: Helm installed the packaged chart with $values" >&2
    exit 1
  fi
  grep -q 'values are fixed at package time' "$work/err" || {
    echo "dist-check: Helm refused $values without saying why:" >&2
    cat "$work/err" >&2
    exit 1
  }
done
echo "dist-check: Helm refuses install-time values of a packaged chart"

(
  cd "$work"
  printf 'replicas: 3\n' >values.yaml
  env -i PATH=/usr/bin:/bin REDIS_HA="$bin" ARGOCD_APP_NAME=cache ARGOCD_APP_NAMESPACE=redis \
    KUBE_VERSION=1.33 PARAM_ENV=production PARAM_VALUES_FILES_0=values.yaml \
    PARAM_SET_0=sentinel.quorum=2 sh "$OLDPWD/dist/argocd/generate.sh" >plugin.yaml 2>/dev/null
  "$bin" render cache -n redis --env production --kube-version 1.33 -f values.yaml \
    --set sentinel.quorum=2 >direct.yaml 2>/dev/null
  cmp plugin.yaml direct.yaml
  "$validate" plugin.yaml
)
echo "dist-check: the Argo CD plugin renders valid manifests"
