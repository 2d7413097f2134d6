#!/usr/bin/env bash
# Builds THE release binary of CI as a static executable and smoke-tests it the way a user
# without Rust runs it: copied into an empty directory, with a PATH holding no cargo or rustc.
# x86_64-unknown-linux-musl when that target is installed (or installable with rustup), else
# x86_64-unknown-linux-gnu linked with `+crt-static`. Prints the binary's path as its last line.
# Usage: bin=$(bash .ci/static.sh | tail -n1)
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl \
  || timeout 60 rustup target add x86_64-unknown-linux-musl >/dev/null 2>&1; then
  target=x86_64-unknown-linux-musl
else
  # Only for the target: build scripts and proc macros stay dynamic, as they must.
  export CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS='-C target-feature=+crt-static'
fi
echo "static.sh: building for $target" >&2
cargo build --release --locked -q --target "$target" >&2
bin=$(realpath "target/$target/release/redis-ha")

if ldd "$bin" 2>&1 | grep -q '=>'; then
  echo "static.sh: $bin is dynamically linked:" >&2
  ldd "$bin" >&2
  exit 1
fi

clean=$(mktemp -d)
trap 'rm -rf "$clean"' EXIT
cp "$bin" "$clean/redis-ha"
(
  cd "$clean"
  if env -i PATH=/usr/bin:/bin sh -c 'command -v cargo || command -v rustc' >/dev/null; then
    echo "static.sh: cargo or rustc is on /usr/bin:/bin; the smoke test would prove nothing" >&2
    exit 1
  fi
  env -i PATH=/usr/bin:/bin ./redis-ha --version >&2
  env -i PATH=/usr/bin:/bin ./redis-ha render --env production >production.yaml
  env -i PATH=/usr/bin:/bin ./redis-ha render >bare.yaml 2>notes.txt
  grep -q 'kind: StatefulSet' production.yaml
  grep -q 'kind: StatefulSet' bare.yaml
  grep -q 'create the Secret' notes.txt
  env -i PATH=/usr/bin:/bin ./redis-ha completion bash | grep -q redis-ha
)
echo "static.sh: $(du -h "$bin" | cut -f1) static binary runs from a clean directory without Rust" >&2
echo "$bin"
