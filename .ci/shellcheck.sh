#!/usr/bin/env bash
# Every script the chart renders, for every preset, through `shellcheck -s sh`: a value that
# reaches a script unquoted (`tls.certFilename='a b;$(id)'`) shows up here as a warning.
# Usage: .ci/shellcheck.sh BIN
set -euo pipefail
bin=${1:?usage: shellcheck.sh BIN}
if ! command -v shellcheck >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck python3-yaml >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
render() { # NAME ARGS...: writes each script of the render to $out/NAME/
  local name=$1; shift
  mkdir -p "$out/$name"
  "$bin" render "$@" | python3 -c '
import sys, yaml
for doc in yaml.safe_load_all(sys.stdin):
    if doc and doc.get("kind") == "ConfigMap":
        for key, text in (doc.get("data") or {}).items():
            if key.endswith(".sh"):
                open(sys.argv[1] + "/" + key, "w").write(text)
' "$out/$name"
}
for env in dev staging production; do
  render "$env" --env "$env"
done
render tls --env production --set tls.enabled=true,tls.existingSecret=redis-tls
# Excluded, on purpose: SC3028 (Kubernetes sets HOSTNAME in every container); SC1007
# (`a= b=1` assigns an empty string, as meant); SC2034 in common.sh only (a library the
# other scripts source: its variables are used there).
status=0
for script in "$out"/*/*.sh; do
  echo "-- ${script#"$out"/}"
  exclude=SC3028,SC1007
  [ "$(basename "$script")" = common.sh ] && exclude=$exclude,SC2034
  shellcheck -s sh -S warning -e "$exclude" "$script" || status=1
done
exit $status
