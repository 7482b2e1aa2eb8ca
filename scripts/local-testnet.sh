#!/usr/bin/env bash
# A four-validator Studio Chain network on 127.0.0.1: Alice, Bob, Charlie and Dave, with session
# keys from the dev seeds, on free ports, each with its own base path under one directory.
# Prints every node's RPC endpoint; Ctrl-C (or any exit) stops every node it started.
#
#   scripts/local-testnet.sh [--chain SPEC] [--base-dir DIR]
#
#   --chain SPEC     chain spec to run (default: chain-specs/local.json)
#   --base-dir DIR   keep the nodes' databases in DIR (default: a temporary directory, removed
#                    on exit)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

chain="$REPO_ROOT/chain-specs/local.json"
base_dir=""
while [ $# -gt 0 ]; do
	case "$1" in
		--chain) chain="$2"; shift 2 ;;
		--base-dir) base_dir="$2"; shift 2 ;;
		-h|--help) sed -n '2,12p' "$0"; exit 0 ;;
		*) log "unknown argument: $1 (see --help)"; exit 2 ;;
	esac
done
[ -f "$chain" ] || { log "chain spec $chain does not exist"; exit 2; }

ensure_toolchain
build_node

remove_base_dir=0
if [ -z "$base_dir" ]; then
	base_dir="$(mktemp -d -t studio-testnet.XXXXXX)"
	remove_base_dir=1
fi
mkdir -p "$base_dir"

pids=()
stop_all() {
	trap - EXIT INT TERM
	if [ ${#pids[@]} -gt 0 ]; then
		log "stopping ${#pids[@]} nodes"
		kill -INT "${pids[@]}" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "${pids[@]}" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "${pids[@]}" 2>/dev/null || true
		wait "${pids[@]}" 2>/dev/null || true
	fi
	[ "$remove_base_dir" -eq 0 ] || rm -rf "$base_dir"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

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

# Alice's fixed node key makes her the network's bootnode.
alice_key="$base_dir/alice.node-key"
echo 0000000000000000000000000000000000000000000000000000000000000001 > "$alice_key"
alice_peer_id="$("$STUDIO_NODE" key inspect-node-key --file "$alice_key" 2>/dev/null)"

bootnode=""
for name in alice bob charlie dave; do
	rpc_port="$(free_port)"; p2p_port="$(free_port)"; prometheus_port="$(free_port)"
	args=(--chain "$chain" "--$name" --base-path "$base_dir/$name"
		--rpc-port "$rpc_port" --listen-addr "/ip4/127.0.0.1/tcp/$p2p_port"
		--prometheus-port "$prometheus_port" --no-telemetry --no-mdns)
	if [ "$name" = alice ]; then
		args+=(--node-key-file "$alice_key")
		bootnode="/ip4/127.0.0.1/tcp/$p2p_port/p2p/$alice_peer_id"
	else
		args+=(--bootnodes "$bootnode")
	fi
	"$STUDIO_NODE" "${args[@]}" > "$base_dir/$name.log" 2>&1 &
	pids+=($!)
	printf '%-8s rpc ws://127.0.0.1:%s  metrics http://127.0.0.1:%s/metrics  log %s\n' \
		"$name" "$rpc_port" "$prometheus_port" "$base_dir/$name.log"
done
log "4 validators running; Ctrl-C stops them"

# Run until Ctrl-C, or until a node dies (then stop the others and report it).
set +e
wait -n "${pids[@]}"
status=$?
log "a node exited with status $status; its log is kept in $base_dir"
remove_base_dir=0
exit "$status"
