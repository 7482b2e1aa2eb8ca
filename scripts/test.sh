#!/usr/bin/env bash
# The README's second command: installs what is missing and runs every test, unit and
# end-to-end (the end-to-end tests start the real node binary with the real wasm runtime).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_toolchain
lint_dockerfile
build_node
fetch_models
install_js_deps
cd "$REPO_ROOT"
# Tests that start nodes run one at a time: a 2-core machine runs four validators well, not
# four validators and three dev chains at once.
cargo test --release --locked --workspace -- --test-threads=1
# The pallets' tests again (stories, attacks and the FRAME benchmarks against their mocks; no
# wasm needed), with debug assertions and overflow checks on so that a `defensive!` failure or
# an overflow fails a test, and with the try-runtime hooks compiled in.
CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true SKIP_WASM_BUILD=1 \
	cargo test --release --locked -p pallet-studio-governance -p pallet-job-escrow -p pallet-provenance \
	-p pallet-circuit-breaker -p pallet-curation -p pallet-validator-set --features runtime-benchmarks,try-runtime
# The runtime upgrade rehearsal on the dev preset's genesis (runtime/src/upgrade_rehearsal.rs;
# scripts/try-upgrade.sh runs it on a snapshot of a running chain). Native only: no wasm.
SKIP_WASM_BUILD=1 cargo test --release --locked -p studio-runtime --features try-runtime upgrade_rehearsal
log "the web studio as the browser test saw it: $CARGO_TARGET_DIR/web-studio/delivered-and-incident.png"
