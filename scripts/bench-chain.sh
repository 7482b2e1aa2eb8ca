#!/usr/bin/env bash
# The chain's throughput, side by side in one run on one fresh dev node (release build, real
# wasm, 127.0.0.1): `transfer_keep_alive`s per second against whole job lifecycles per second,
# without and with random audits (`studio-bench`, which counts what the blocks included, not
# what it sent), block fullness,
# the node's own time to build the full blocks (from its log), and the state's size after the
# lifecycles. A benchmark, not a test: it prints a markdown table for docs/performance.md.
# Usage: scripts/bench-chain.sh [lifecycles, default 10000] [seconds per scenario, default 600]
#        [accounts per role, default 128] [transfers each sender signs, default 60]
#        [verified lifecycles (10 % audited), default 2000]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

lifecycles="${1:-10000}"
seconds="${2:-600}"
accounts="${3:-128}"
per_account="${4:-60}"
verified="${5:-2000}"

ensure_toolchain
build_node
run_dir="$(mktemp -d)"
trap 'stop_started; rm -rf "$run_dir"' EXIT
rpc_port="$(free_port)"
url="ws://127.0.0.1:$rpc_port"
# A pool that takes a whole pre-signed run; the database under $run_dir, to weigh the state.
"$STUDIO_NODE" --dev --base-path "$run_dir/chain" --rpc-port "$rpc_port" --no-prometheus \
	--pool-limit 65536 --pool-kbytes 262144 --rpc-max-connections 1000 >"$run_dir/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
	"$CARGO_TARGET_DIR/release/studio" --url "$url" gov params >/dev/null 2>&1 && break
	sleep 1
done
database="$run_dir/chain/chains/studio_dev"
before=$(du -sb "$database" | cut -f1)
log "loading the node at $url: $accounts accounts per role, $per_account transfers each, $lifecycles lifecycles, $verified verified ones"
"$CARGO_TARGET_DIR/release/studio-bench" --url "$url" --accounts "$accounts" \
	--transfers-per-account "$per_account" --lifecycles "$lifecycles" --verified-lifecycles "$verified" --seconds "$seconds" \
	--json "$run_dir/report.json"
# Let the last blocks finalize and reach the disk before weighing the database.
sleep 10
after=$(du -sb "$database" | cut -f1)
python3 - "$run_dir/report.json" "$run_dir/node.log" "$before" "$after" <<'PY'
import json, re, statistics, sys
report = json.load(open(sys.argv[1]))
built = {}
for line in open(sys.argv[2], errors="replace"):
    match = re.search(r"Prepared block for proposing at (\d+) \((\d+) ms\)", line)
    if match:
        built[int(match.group(1))] = int(match.group(2))
print()
print("| scenario | blocks ≥ 90 % full | time to build them (median / max) |")
print("|---|---|---|")
for name in ("transfers", "lifecycles", "verified"):
    scenario = report.get(name)
    if not scenario:
        continue
    full = [block["number"] for block in scenario["blocks"] if block["fullness"] >= 0.9]
    times = [built[number] for number in full if number in built]
    shown = f"{statistics.median(times):.0f} ms / {max(times)} ms" if times else "none full"
    print(f"| {name} | {len(full)} of {len(scenario['blocks'])} | {shown} |")
before, after = int(sys.argv[3]), int(sys.argv[4])
settled = sum((report.get(name) or {}).get("settled", 0) for name in ("lifecycles", "verified"))
print(f"\ndatabase: {before / 2**20:.1f} MiB before, {after / 2**20:.1f} MiB after"
      f" ({settled} lifecycles settled)")
PY
