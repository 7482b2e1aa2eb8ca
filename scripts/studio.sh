#!/usr/bin/env bash
# The README's first command: installs what is missing, fetches the models, builds the node, the
# worker and the web studio, and starts the studio on a dev chain: the node (Alice validates;
# RPC on ws://127.0.0.1:$STUDIO_RPC_PORT) and one worker (Bob, dev keys, registered with a
# 50 STU bond) whose gateway serves the web studio, the content store and the metrics at
# http://$STUDIO_GATEWAY. It opens the web studio in a browser when it can, and prints what to
# try next. Ctrl-C stops everything it started.
#
#   scripts/studio.sh [--no-build] [--no-open]
#
#   --no-build   run what is already built (the node, the worker, the web studio)
#   --no-open    do not open a browser
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

build=1
open_browser=1
while [ $# -gt 0 ]; do
	case "$1" in
		--no-build) build=0; shift ;;
		--no-open) open_browser=0; shift ;;
		-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
		*) log "unknown argument: $1 (see --help)"; exit 2 ;;
	esac
done

rpc_port="${STUDIO_RPC_PORT:-9944}"
gateway="${STUDIO_GATEWAY:-127.0.0.1:8080}"
url="ws://127.0.0.1:$rpc_port"
studio="$CARGO_TARGET_DIR/release/studio"
web="$REPO_ROOT/offchain-worker/web/dist"

if [ "$build" -eq 1 ]; then
	ensure_toolchain
	build_node
	install_js_deps
fi
fetch_models
[ -f "$web/index.html" ] || { log "the web studio is not built in $web: run without --no-build"; exit 2; }

run_dir="$(mktemp -d -t studio.XXXXXX)"
pids=()
stop() {
	trap "" INT TERM
	trap - EXIT
	# SIGTERM: background jobs of a script ignore SIGINT; the node and the worker stop cleanly.
	[ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
	log "stopped; logs are in $run_dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$STUDIO_NODE" --dev --tmp --rpc-port "$rpc_port" >"$run_dir/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
	"$studio" --url "$url" gov params >/dev/null 2>&1 && break
	sleep 1
done
"$studio" --url "$url" gov params >/dev/null || { log "the node did not come up; see $run_dir/node.log"; exit 1; }
"$studio" --url "$url" --suri //Bob --dev worker register --bond 50 --models 0 >/dev/null
"$studio" --url "$url" --suri //Bob --dev worker run --models-dir "$STUDIO_MODELS_DIR" \
	--store "$run_dir/store" --listen "$gateway" --web "$web" >"$run_dir/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
	grep -q "web studio at" "$run_dir/worker.log" && break
	kill -0 "${pids[1]}" 2>/dev/null || { log "the worker exited; see $run_dir/worker.log"; exit 1; }
	sleep 1
done

log "the studio runs: node at $url (log $run_dir/node.log), worker Bob (log $run_dir/worker.log)"
log "web studio: http://$gateway/"
log "try: $studio --url $url --suri //Alice --dev job submit --prompt \"an amber painted eye\" --style 0 --bounty 100 --gateway http://$gateway -o eye.png"
log "styles: 0 amber painterly, 1 grayscale etching, 2 green study; Ctrl-C stops everything"
if [ "$open_browser" -eq 1 ] && command -v xdg-open >/dev/null && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
	xdg-open "http://$gateway/" >/dev/null 2>&1 || true
fi
set +e
wait -n "${pids[@]}"
status=$?
log "a process of the studio exited with status $status"
exit "$status"
