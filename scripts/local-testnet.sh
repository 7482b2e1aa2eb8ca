#!/usr/bin/env bash
# A four-validator Studio Chain network on 127.0.0.1: Alice, Bob, Charlie and Dave, with session
# keys from the dev seeds, on free ports, each with its own base path under one directory, and
# optionally N workers. Prints every node's RPC endpoint and every worker's gateway; Ctrl-C (or
# any exit) stops everything it started.
#
#   scripts/local-testnet.sh [--chain SPEC] [--base-dir DIR] [--workers N] [--no-build]
#
#   --chain SPEC     chain spec to run (default: chain-specs/local.json)
#   --base-dir DIR   keep the nodes' databases in DIR (default: a temporary directory, removed
#                    on exit)
#   --workers N      also run N workers (0-6; default 0): the dev stash accounts (//Alice//stash,
#                    //Bob//stash …), each registered with a 50 STU bond and following its own
#                    validator (round robin); the first serves the web studio when it is built
#   --no-build       run what is already built (or the studio-node $STUDIO_NODE names)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

chain="$REPO_ROOT/chain-specs/local.json"
base_dir=""
build=1
workers=0
while [ $# -gt 0 ]; do
	case "$1" in
		--chain) chain="$2"; shift 2 ;;
		--base-dir) base_dir="$2"; shift 2 ;;
		--workers) workers="$2"; shift 2 ;;
		--no-build) build=0; shift ;;
		-h|--help) sed -n '2,19p' "$0"; exit 0 ;;
		*) log "unknown argument: $1 (see --help)"; exit 2 ;;
	esac
done
[ -f "$chain" ] || { log "chain spec $chain does not exist"; exit 2; }
case "$workers" in
	[0-6]) ;;
	*) log "--workers takes 0 to 6 (one per dev stash account), not $workers"; exit 2 ;;
esac
studio="$(dirname "$STUDIO_NODE")/studio"

if [ "$build" -eq 1 ]; then
	ensure_toolchain
	build_node
	[ "$workers" -eq 0 ] || install_js_deps
fi
[ -x "$STUDIO_NODE" ] || { log "no studio-node at $STUDIO_NODE: run without --no-build"; exit 2; }
[ "$workers" -eq 0 ] || fetch_models >&2

remove_base_dir=0
if [ -z "$base_dir" ]; then
	base_dir="$(mktemp -d -t studio-testnet.XXXXXX)"
	remove_base_dir=1
fi
mkdir -p "$base_dir"

pids=()
stop_all() {
	# Cleaning up must not be cut short by a second Ctrl-C.
	trap "" INT TERM
	trap - EXIT
	if [ ${#pids[@]} -gt 0 ]; then
		log "stopping ${#pids[@]} processes"
		# SIGTERM: background jobs of a script ignore SIGINT. Substrate shuts down cleanly on both.
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for _ in $(seq 1 100); do
			local alive=0 pid
			for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
			[ "$alive" -eq 1 ] || break
			sleep 0.1
		done
		kill -KILL "${pids[@]}" 2>/dev/null || true
		wait "${pids[@]}" 2>/dev/null || true
	fi
	[ "$remove_base_dir" -eq 0 ] || rm -rf "$base_dir"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port on 127.0.0.1 that nothing listens on and that this script has not handed out yet.
taken_ports=" "
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 40000))
		case "$taken_ports" in *" $port "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			taken_ports="$taken_ports$port "
			echo "$port"
			return
		fi
	done
}

# Fixed node keys (…01 for Alice, …02 for Bob …): validators need a persistent network
# identity, and Alice's is the network's bootnode.
node_key() { printf '%064x' "$1"; }
alice_peer_id="$(node_key 1 | "$STUDIO_NODE" key inspect-node-key 2>/dev/null)"

bootnode=""
index=0
rpc_urls=()
for name in alice bob charlie dave; do
	index=$((index + 1))
	rpc_port="$(free_port)"; p2p_port="$(free_port)"; prometheus_port="$(free_port)"
	args=(--chain "$chain" "--$name" --base-path "$base_dir/$name"
		--rpc-port "$rpc_port" --listen-addr "/ip4/127.0.0.1/tcp/$p2p_port"
		--prometheus-port "$prometheus_port" --no-telemetry --no-mdns --node-key "$(node_key "$index")")
	if [ "$name" = alice ]; then
		bootnode="/ip4/127.0.0.1/tcp/$p2p_port/p2p/$alice_peer_id"
	else
		args+=(--bootnodes "$bootnode")
	fi
	"$STUDIO_NODE" "${args[@]}" > "$base_dir/$name.log" 2>&1 &
	pids+=($!)
	rpc_urls+=("ws://127.0.0.1:$rpc_port")
	printf '%-8s rpc ws://127.0.0.1:%s  metrics http://127.0.0.1:%s/metrics  log %s\n' \
		"$name" "$rpc_port" "$prometheus_port" "$base_dir/$name.log"
done
log "4 validators running"

# The workers: each registers (once the network finalizes) and follows its own validator.
if [ "$workers" -gt 0 ]; then
	for _ in $(seq 120); do
		"$studio" --url "${rpc_urls[0]}" gov params >/dev/null 2>&1 && break
		sleep 1
	done
	web=()
	[ -f "$REPO_ROOT/offchain-worker/web/dist/index.html" ] && web=(--web "$REPO_ROOT/offchain-worker/web/dist")
	stashes=(Alice Bob Charlie Dave Eve Ferdie)
	for index in $(seq 0 $((workers - 1))); do
		suri="//${stashes[$index]}//stash"
		url="${rpc_urls[$((index % 4))]}"
		name="worker$((index + 1))"
		"$studio" --url "$url" --suri "$suri" --dev worker register --bond 50 --models 0 >"$base_dir/$name.log" 2>&1 || {
			log "registering $name ($suri) failed; see $base_dir/$name.log"; exit 1; }
		gateway_port="$(free_port)"
		"$studio" --url "$url" --suri "$suri" --dev worker run --models-dir "$STUDIO_MODELS_DIR" \
			--store "$base_dir/$name-store" --listen "127.0.0.1:$gateway_port" "${web[@]}" >>"$base_dir/$name.log" 2>&1 &
		pids+=($!)
		printf '%-8s %s via %s  gateway http://127.0.0.1:%s/  log %s\n' \
			"$name" "$suri" "$url" "$gateway_port" "$base_dir/$name.log"
		web=()
	done
fi
log "running; Ctrl-C stops everything"

# Run until Ctrl-C, or until a node dies (then stop the others and report it).
set +e
wait -n "${pids[@]}"
status=$?
log "a node or worker exited with status $status; the logs are kept in $base_dir"
remove_base_dir=0
exit "$status"
