#!/usr/bin/env bash
# The runtime fuzzer's long pass: random sequences of every studio call from clients, workers,
# voters and reviewers through all the studio pallets wired together
# (pallets/studio-test-runtime/tests/fuzz.rs), each pallet's invariants, total issuance and the
# escrow's balance checked after every call and every block. CI runs a short pass of it with
# the other tests; this runs as many sequences as asked and prints how many calls they made
# and which were refused how often. A failure prints the shortest sequence that fails.
# With debug assertions and overflow checks on, so a `defensive!` failure fails it too.
# Usage: scripts/fuzz-runtime.sh [sequences, default 20000] [steps per sequence, default 150]
# (STUDIO_FUZZ_SEED=<n> replays a run.)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

export STUDIO_FUZZ_CASES="${1:-20000}"
export STUDIO_FUZZ_STEPS="${2:-150}"
# A new seed each run (CI's short pass keeps seed 1); a failure names its seed to replay it.
export STUDIO_FUZZ_SEED="${STUDIO_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
ensure_toolchain
cd "$REPO_ROOT"
start=$(date +%s)
CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true SKIP_WASM_BUILD=1 \
	cargo test --release --locked -p studio-test-runtime --test fuzz -- --nocapture
log "fuzzed $STUDIO_FUZZ_CASES sequences of $STUDIO_FUZZ_STEPS steps (seed $STUDIO_FUZZ_SEED) in $(( $(date +%s) - start )) s"
