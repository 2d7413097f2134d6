#!/usr/bin/env bash
# Packages every bundled preset, as an archive and unpacked, and has the real Helm engine
# (../shared/oracles/helm-check: helm lint, helm show chart, helm package) check each one.
# Also checks that packaging is reproducible and that no packaged file holds an unescaped
# `{{`. Usage: bash .ci/package-check.sh PATH/TO/redis-ha
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/redis-ha" >&2; exit 2; }
bin=$(realpath "$1")
oracle=$(realpath ../shared/oracles/helm-check)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for env in dev staging production; do
  echo "-- $env"
  "$bin" package --env "$env" -d "$work/$env"
  "$bin" package --env "$env" -d "$work/$env" --unpacked
  "$bin" package --env "$env" -d "$work/$env-again" >/dev/null
  archive=$(find "$work/$env" -maxdepth 1 -name '*.tgz')
  dir=$(find "$work/$env" -mindepth 1 -maxdepth 1 -type d)
  [ "$(echo "$archive" | wc -l)" = 1 ] && [ "$(echo "$dir" | wc -l)" = 1 ] || {
    echo "expected one archive and one directory in $work/$env" >&2; exit 1; }
  cmp "$archive" "$work/$env-again/$(basename "$archive")" || {
    echo "$env: two packagings differ" >&2; exit 1; }
  # Every `{{` and `}}` is an escape or the namespace placeholder.
  if find "$dir/templates" -type f -exec sed -e 's/{{ "{{" }}//g; s/{{ "}}" }}//g; s/{{ "{" }}//g' \
      -e 's/{{ \.Release\.Namespace }}//g' {} + | grep -nE '\{\{|\}\}'; then
    echo "$env: unescaped template braces above" >&2; exit 1
  fi
  (cd "$work/$env" && "$oracle" "$(basename "$archive")" "$(basename "$dir")")
done
echo "package-check: every preset packaged and accepted by Helm"
