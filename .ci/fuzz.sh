#!/usr/bin/env bash
# A short, bounded fuzzing run over the readers a user or a chart author can feed: values
# files, `--set` arguments, chart archives and manifests (fuzz/). Each target runs for
# FUZZ_SECONDS (default 25; four targets stay under two minutes of fuzzing), starting from the
# regression corpus in tests/fixtures/fuzz/. A finding fails CI; add its input to that corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-25}
if ! rustup toolchain list | grep -q nightly; then
  rustup toolchain install nightly --profile minimal
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
targets=(values set chart manifest)
# No sanitizer (the crate forbids unsafe code) and no optimization: for a run this short the
# build is most of the cost, and it is a second build of every dependency on nightly. The
# first `run` builds all targets; the others reuse that build.
for target in "${targets[@]}"; do
  corpus=$(mktemp -d)
  cp -r "tests/fixtures/fuzz/$target/." "$corpus/" 2>/dev/null || true
  echo "-- $target (${seconds}s)"
  cargo +nightly fuzz run --dev -s none "$target" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=512 -timeout=10 -max_len=65536 -print_final_stats=1 \
    2>&1 | tail -3
  rm -rf "$corpus"
done
