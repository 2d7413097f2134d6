#!/usr/bin/env bash
# A bounded differential against the real Helm engine: generated values files and charts of
# static templates (fixed seed), `redis-ha values`/`render` against the helm-values and
# helm-template oracles; fails on any disagreement the README does not list as deliberate.
# Usage: .ci/helm-differential.sh BIN   (a minute or two on 2 cores, most of it the oracle's
# first-use install)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
oracles=${ORACLES:-../shared/oracles}
echo "-- the fixture chart of static templates, byte for byte"
values=$(mktemp)
trap 'rm -f "$values"' EXIT
echo '{}' >"$values"
diff <("$bin" render rel --chart tests/fixtures/render/static) \
  <("$oracles/helm-template" tests/fixtures/render/static --values-json "$values" --name rel)
echo "-- generated cases"
python3 .ci/helm-differential.py "$bin" "$oracles" 400
