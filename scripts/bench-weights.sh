#!/usr/bin/env bash
# Regenerates every weight file from the FRAME benchmarks, on this machine, in one command:
# the studio's pallets (`pallets/*/src/weights.rs`, from scripts/weight-template.hbs) and the
# runtime's FRAME pallets it measures itself (`runtime/src/weights/`). The benchmarks run in
# the runtime's wasm, built with its `runtime-benchmarks` feature, by `studio-node benchmark
# pallet` (the node's feature of that name).
# Usage: scripts/bench-weights.sh [steps, default 50] [repeats, default 20] [pallet ...]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

steps="${1:-50}"
repeat="${2:-20}"
shift $(( $# > 2 ? 2 : $# ))
studio_pallets=(pallet_studio_governance pallet_job_escrow pallet_provenance pallet_circuit_breaker pallet_curation pallet_validator_set)
runtime_pallets=(frame_system pallet_balances pallet_multisig pallet_utility pallet_timestamp pallet_sudo)
selected=("$@")

ensure_toolchain
cd "$REPO_ROOT"
started=$(date +%s)
# The benchmarking wasm (its own file, beside the wasm the node embeds). `check` runs the
# runtime's build script, which builds the wasm, without compiling the native runtime again.
log "building the runtime's wasm with its benchmarks"
cargo check --release --locked -p studio-runtime --features runtime-benchmarks
wasm="$CARGO_TARGET_DIR/release/wbuild/studio-runtime/studio_runtime_benchmarks.compact.compressed.wasm"
[ -f "$wasm" ] || { log "no benchmarking wasm at $wasm"; exit 1; }
log "building studio-node with its benchmark command"
cargo build --release --locked -p studio-node --features runtime-benchmarks
# Kept apart: the next plain build of studio-node replaces the binary at the usual path.
bencher="$CARGO_TARGET_DIR/release/studio-node-benchmarks"
cp "$CARGO_TARGET_DIR/release/studio-node" "$bencher"
built=$(date +%s)

dir_of() { # the crate directory of a studio pallet
	case "$1" in
		pallet_studio_governance) echo pallets/studio-governance ;;
		pallet_job_escrow) echo pallets/job-escrow ;;
		pallet_provenance) echo pallets/provenance ;;
		pallet_circuit_breaker) echo pallets/circuit-breaker ;;
		pallet_curation) echo pallets/curation ;;
		pallet_validator_set) echo pallets/validator-set ;;
	esac
}
wanted() { [ ${#selected[@]} -eq 0 ] || [[ " ${selected[*]} " == *" $1 "* ]]; }
measure() { # pallet, output, [template]
	local pallet="$1" output="$2" template=("${@:3}") from
	from=$(date +%s)
	"$bencher" benchmark pallet --runtime "$wasm" --genesis-builder runtime --genesis-builder-preset development \
		--pallet "$pallet" --extrinsic '*' --steps "$steps" --repeat "$repeat" \
		--wasm-execution compiled --heap-pages 4096 --output "$output" "${template[@]}" >&2
	log "$pallet: $(( $(date +%s) - from )) s"
}
mkdir -p runtime/src/weights
for pallet in "${studio_pallets[@]}"; do
	wanted "$pallet" || continue
	measure "$pallet" "$(dir_of "$pallet")/src/weights.rs" --template scripts/weight-template.hbs
done
for pallet in "${runtime_pallets[@]}"; do
	wanted "$pallet" || continue
	measure "$pallet" "runtime/src/weights/$pallet.rs"
done
log "built in $(( built - started )) s, measured in $(( $(date +%s) - built )) s"
