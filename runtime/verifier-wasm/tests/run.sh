#!/usr/bin/env bash
# Builds the WebAssembly verifier with wasm-bindgen, proves the bundled mlp_digits example with
# the zkmc CLI, and runs tests/verify.test.cjs under Node.js. Needs the wasm32-unknown-unknown
# target, wasm-bindgen-cli at the version pinned in the workspace Cargo.toml, and node.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
out="$root/target/wasm-test"
rm -rf "$out" && mkdir -p "$out"

# Without debug info (the release profile keeps line tables for profiling natively).
CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo build --quiet --release -p zkm-verifier-wasm --target wasm32-unknown-unknown
wasm-bindgen --target nodejs --out-dir "$out/pkg" \
    target/wasm32-unknown-unknown/release/zkm_verifier_wasm.wasm

model=examples/mlp_digits/mlp_digits.zkm
cargo run --quiet -p zkmc -- build "$model" -o "$out" >/dev/null
cargo run --quiet -p zkmc -- prove "$model" -o "$out/mlp_digits.proof" --backend cpu >/dev/null

ZKM_WASM_PKG="$out/pkg" ZKM_ARTIFACT="$out/mlp_digits.air.json" \
ZKM_PARAMS=examples/mlp_digits/weights.json ZKM_PROOF="$out/mlp_digits.proof" \
    node --test runtime/verifier-wasm/tests/verify.test.cjs
