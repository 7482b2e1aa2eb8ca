#!/usr/bin/env bash
# The README's first command: installs what is missing, fetches the models, builds, and starts
# the studio on a dev chain: the node (Alice validates; RPC on ws://127.0.0.1:$STUDIO_RPC_PORT)
# and one worker (Bob, dev keys, registered with a 50 UNIT bond) whose gateway and metrics are
# at http://$STUDIO_GATEWAY. It prints what to try next. Ctrl-C stops everything it started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

rpc_port="${STUDIO_RPC_PORT:-9944}"
gateway="${STUDIO_GATEWAY:-127.0.0.1:8080}"
url="ws://127.0.0.1:$rpc_port"
studio="$CARGO_TARGET_DIR/release/studio"

ensure_toolchain
build_node
fetch_models

run_dir="$(mktemp -d)"
pids=()
stop() {
	trap - EXIT INT TERM
	[ ${#pids[@]} -eq 0 ] || kill -INT "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	log "stopped; logs were in $run_dir"
}
trap stop EXIT INT TERM

"$STUDIO_NODE" --dev --tmp --rpc-port "$rpc_port" >"$run_dir/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
	"$studio" --url "$url" gov params >/dev/null 2>&1 && break
	sleep 1
done
"$studio" --url "$url" gov params >/dev/null || { log "the node did not come up; see $run_dir/node.log"; exit 1; }
"$studio" --url "$url" --suri //Bob --dev worker register --bond 50 --models 0 >/dev/null
"$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" run --url "$url" --suri //Bob --dev \
	--store "$run_dir/store" --listen "$gateway" >"$run_dir/worker.log" 2>&1 &
pids+=($!)

log "the studio runs: node at $url (logs: $run_dir/node.log), worker Bob with its gateway and /metrics at http://$gateway (logs: $run_dir/worker.log)"
log "try: $studio --url $url --suri //Alice --dev job submit --prompt \"an amber painted eye\" --style 0 --bounty 100 --gateway http://$gateway -o eye.png"
log "styles: 0 amber painterly, 1 grayscale etching, 2 green study; Ctrl-C stops everything"
wait -n "${pids[@]}"
log "a process of the studio exited"
