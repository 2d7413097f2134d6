#!/bin/sh
# Argo CD config-management plugin: `generate` for redis-ha. Argo CD runs it in the sidecar,
# in the Application's source directory, with the plugin parameters in the environment
# (PARAM_<NAME> for strings, PARAM_<NAME>_<i> for arrays) and the Application's name,
# destination namespace and cluster version in ARGOCD_APP_NAME, ARGOCD_APP_NAMESPACE and
# KUBE_VERSION. It prints the manifests on stdout, as Argo CD expects; notes go to stderr.
#
# Parameters: env (a preset), values-files (array, in order), set (array of key=value),
# set-string (array of key=value), chart (a directory in the repository; the bundled chart
# when empty), kube-version (defaults to the cluster's).
set -eu

bin=${REDIS_HA:-redis-ha}
set -- render "${ARGOCD_APP_NAME:-redis-ha}" -n "${ARGOCD_APP_NAMESPACE:-default}"

if [ -n "${PARAM_CHART:-}" ]; then set -- "$@" --chart "$PARAM_CHART"; fi
if [ -n "${PARAM_ENV:-}" ]; then set -- "$@" --env "$PARAM_ENV"; fi
kube=${PARAM_KUBE_VERSION:-${KUBE_VERSION:-}}
if [ -n "$kube" ]; then set -- "$@" --kube-version "$kube"; fi

# Arrays arrive as PARAM_<NAME>_0, PARAM_<NAME>_1, ...: read them in order.
add_array() {
  flag=$1 var=$2 i=0
  while eval "[ -n \"\${${var}_${i}+x}\" ]"; do
    eval "value=\${${var}_${i}}"
    set_args="$set_args $flag $(quote "$value")"
    i=$((i + 1))
  done
}
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

set_args=
add_array -f PARAM_VALUES_FILES
add_array --set PARAM_SET
add_array --set-string PARAM_SET_STRING
eval "set -- \"\$@\" $set_args"

exec "$bin" "$@"
