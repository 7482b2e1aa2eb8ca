#!/usr/bin/env bash
# Rehearses a runtime upgrade before the vote: this tree's runtime, built natively with
# `--features try-runtime`, upgrades a snapshot of a running chain's state with every check
# try-runtime makes (the migrations' pre/post checks, on-chain storage versions equal to the
# code's, the whole state decoding with the new types, every pallet's try_state, the upgrade's
# weight within a block, a second run changing nothing). See runtime/src/upgrade_rehearsal.rs.
#
#   scripts/try-upgrade.sh [ws://host:port]
#
# With a node's RPC address, the snapshot is that chain's finalized state (any node of a
# running network; its RPC must allow `state_getKeysPaged`, i.e. `--rpc-methods unsafe` on a
# public node, or run it against your own node on 127.0.0.1). Without one, it starts a dev
# chain, fills it as users would (a worker bonded and delivering, a job open, an asset
# registered, a proposal with votes frozen) and rehearses on that.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

uri="${1:-}"
ensure_toolchain
if [ -z "$uri" ]; then
	build_node
	fetch_models
	run_dir="$(mktemp -d)"
	trap 'stop_started; rm -rf "$run_dir"' EXIT
	start_dev_chain
	studio() { "$CARGO_TARGET_DIR/release/studio" --url "$url" --dev "$@"; }
	log "filling the dev chain at $url as users would"
	studio --suri //Bob worker register --bond 50 --models 0 >/dev/null
	"$CARGO_TARGET_DIR/release/studio" --url "$url" --suri //Bob --dev worker run \
		--models-dir "$STUDIO_MODELS_DIR" --store "$run_dir/store" --listen "127.0.0.1:$gateway_port" \
		>"$run_dir/worker.log" 2>&1 &
	pids+=($!)
	studio --suri //Alice job submit --prompt "an amber painted eye" --style 0 --bounty 20 --no-wait >/dev/null
	# Up to three minutes for the worker to deliver it (or for the breaker to quarantine it):
	# either way the chain then holds a delivery, a provenance record or an incident.
	for _ in $(seq 90); do
		studio job show 0 2>/dev/null | grep -qiE "delivered|settled|quarantined" && break
		sleep 2
	done
	studio --suri //Charlie job submit --prompt "a green study of an eye" --style 2 --bounty 10 --no-wait >/dev/null
	studio --suri //Dave asset register "$REPO_ROOT/docs/images/curation-learning/before-1005.png" --no-upload >/dev/null
	studio --suri //Alice gov propose param MaxStyleDeviation 50000 >/dev/null
	studio --suri //Eve gov vote 0 --aye --amount 1000 >/dev/null
	uri="$url"
fi
log "rehearsing this tree's runtime upgrade on $uri"
cd "$REPO_ROOT"
# Native only: the rehearsal runs the runtime's Rust code, not its wasm.
STUDIO_TRY_UPGRADE_URI="$uri" SKIP_WASM_BUILD=1 cargo test --release --locked -p studio-runtime \
	--features try-runtime upgrade_rehearsal -- --nocapture --test-threads=1
