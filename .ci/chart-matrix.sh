#!/usr/bin/env bash
# chart-matrix.sh BIN: renders the bundled chart over a matrix of value combinations
# (architectures x auth modes x exporter modes x TLS x persistence, plus the presets) and checks
# every render with the strict Kubernetes schema validator. Also checks that values the chart
# must refuse are refused with a clear message. Fails on the first broken combination's
# report, after running them all.
set -euo pipefail
bin=${1:?usage: chart-matrix.sh path/to/redis-ha}
root=$(cd "$(dirname "$0")/.." && pwd)
validate=${K8S_VALIDATE:-$root/../shared/oracles/k8s-validate}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
count=0

# render NAME ARGS...: renders with ARGS and validates the manifests (through a file: the
# validator reads its program from its own stdin).
render() {
  local name=$1
  shift
  count=$((count + 1))
  if ! "$bin" render "$@" >"$tmp/$name.yaml" 2>"$tmp/$name.err"; then
    printf 'FAIL %-38s render failed: %s\n' "$name" "$(head -n 3 "$tmp/$name.err")"
    failures=$((failures + 1))
    return
  fi
  local report
  if report=$("$validate" "$tmp/$name.yaml" 2>&1); then
    printf 'ok   %-38s %s\n' "$name" "$(tail -n 1 <<<"$report")"
  else
    printf 'FAIL %-38s\n%s\n' "$name" "$report"
    failures=$((failures + 1))
  fi
}

# refused NAME PATTERN ARGS...: the render must fail with a message matching PATTERN.
refused() {
  local name=$1 pattern=$2
  shift 2
  count=$((count + 1))
  if "$bin" render "$@" >/dev/null 2>"$tmp/$name.err"; then
    printf 'FAIL %-38s rendered, but must be refused\n' "$name"
    failures=$((failures + 1))
  elif grep -q -- "$pattern" "$tmp/$name.err"; then
    printf 'ok   %-38s refused: %s\n' "$name" "$pattern"
  else
    printf 'FAIL %-38s refused without naming %s:\n%s\n' "$name" "$pattern" "$(cat "$tmp/$name.err")"
    failures=$((failures + 1))
  fi
}

password=(--set auth.password=matrix-password)
existing=(--set auth.existingSecret=matrix-redis-auth)
no_auth=(--set auth.enabled=false)
tls=(--set tls.enabled=true --set tls.existingSecret=matrix-redis-tls)
no_pvc=(--set persistence.enabled=false)
monitors=(--set metrics.serviceMonitor.enabled=true --set metrics.prometheusRule.enabled=true)
netpol=(--set networkPolicy.enabled=true)
deployment=(--set exporter.enabled=true --set exporter.mode=deployment "${monitors[@]}")
sidecar=(--set exporter.enabled=true --set exporter.mode=sidecar "${monitors[@]}")

for preset in dev staging production; do
  render "preset-$preset" --env "$preset"
done

# Each architecture with each auth mode and each exporter mode; TLS and persistence vary.
render standalone-password-noexporter --set architecture=standalone "${password[@]}" "${no_pvc[@]}"
render standalone-existing-sidecar-tls --set architecture=standalone "${existing[@]}" "${sidecar[@]}" "${tls[@]}"
render standalone-noauth-deployment --set architecture=standalone "${no_auth[@]}" "${deployment[@]}" "${netpol[@]}"
render replication-password-deployment-tls --set architecture=replication "${password[@]}" "${deployment[@]}" "${tls[@]}" "${netpol[@]}"
render replication-existing-noexporter --set architecture=replication "${existing[@]}" "${no_pvc[@]}"
render replication-noauth-sidecar --set architecture=replication "${no_auth[@]}" "${sidecar[@]}" "${netpol[@]}"
render sentinel-password-deployment "${password[@]}" "${deployment[@]}" "${netpol[@]}"
render sentinel-existing-sidecar-tls-nopvc "${existing[@]}" "${sidecar[@]}" "${tls[@]}" "${no_pvc[@]}" "${netpol[@]}"
render sentinel-noauth-noexporter "${no_auth[@]}"
render sentinel-password-sidecar-nopvc "${password[@]}" "${sidecar[@]}" "${no_pvc[@]}"
render sentinel-noauth-deployment-tls-nopvc "${no_auth[@]}" "${deployment[@]}" "${tls[@]}" "${no_pvc[@]}" "${netpol[@]}"
render sentinel-no-sentinel-auth-sidecar "${password[@]}" --set auth.sentinel=false "${sidecar[@]}"
# The exporter in its own namespace, with its copy of the Secret and its own NetworkPolicy.
render sentinel-exporter-namespace "${password[@]}" "${deployment[@]}" "${netpol[@]}" \
  --set exporter.namespace=monitoring --set metrics.serviceMonitor.namespace=monitoring
render production-tls --env production "${tls[@]}"
# The master endpoint (HAProxy) with each architecture, auth mode, TLS and the sidecar exporter.
haproxy=(--set haproxy.enabled=true)
render haproxy-standalone-password --set architecture=standalone "${password[@]}" "${haproxy[@]}" "${netpol[@]}"
render haproxy-replication-noauth-sidecar --set architecture=replication "${no_auth[@]}" "${sidecar[@]}" "${haproxy[@]}" "${netpol[@]}"
render haproxy-sentinel-existing-tls-sidecar "${existing[@]}" "${tls[@]}" "${sidecar[@]}" "${haproxy[@]}" "${netpol[@]}"
render haproxy-sentinel-no-read-only "${password[@]}" "${haproxy[@]}" --set haproxy.readOnlyService=false --set haproxy.replicas=1
# Everything a user can add: labels, annotations, extra containers, volumes, scheduling.
render sentinel-extras "${password[@]}" "${netpol[@]}" \
  --set commonLabels.team=cache --set commonAnnotations.owner=platform \
  --set podLabels.tier=data --set podAnnotations.note=matrix \
  --set-json 'extraEnv=[{"name":"EXTRA","value":"1"}]' \
  --set-json 'extraVolumes=[{"name":"extra","emptyDir":{}}]' \
  --set-json 'extraVolumeMounts=[{"name":"extra","mountPath":"/extra"}]' \
  --set-json 'sidecars=[{"name":"pause","image":"registry.k8s.io/pause:3.10","resources":{"requests":{"cpu":"1m","memory":"8Mi"},"limits":{"cpu":"10m","memory":"8Mi"}}}]' \
  --set-json 'initContainers=[{"name":"init","image":"docker.io/redis:7.4.2","command":["true"]}]' \
  --set-json 'tolerations=[{"key":"dedicated","operator":"Equal","value":"redis","effect":"NoSchedule"}]' \
  --set nodeSelector.disktype=ssd --set priorityClassName=high \
  --set-json 'topologySpreadConstraints=[{"topologyKey":"topology.kubernetes.io/zone","maxSkew":1,"whenUnsatisfiable":"DoNotSchedule"}]' \
  --set networkPolicy.clientNamespaces[0]=apps --set-string networkPolicy.clientPodLabels.redis-client=true \
  --set persistence.storageClass=- --set image.digest=sha256:0000000000000000000000000000000000000000000000000000000000000000

# Neither a password nor a Secret: the pods read the Secret `<release>-auth` the user creates.
render no-password --set auth.password=
refused secret-name-invalid 'auth.existingSecret' --set auth.existingSecret=Bad_Name
refused tls-without-secret 'tls.existingSecret' "${password[@]}" --set tls.enabled=true
refused config-disabled 'redis.renameCommands' "${password[@]}" --set 'redis.disableCommands={CONFIG}'

echo "$count combinations, $failures failed"
[ "$failures" -eq 0 ]
