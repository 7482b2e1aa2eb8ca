#!/usr/bin/env bash
# Does the studio learn from its curators? On a fresh dev chain with one worker (Bob):
#   1. before: M probe jobs (one prompt, style 0, seeds 1001…, 32 candidates) are designed;
#   2. curation: N curated jobs ask for 4 finalists each; a scripted curator (Charlie) always
#      stakes on the most colourful finalist (`studio-worker palette`), and the chain closes
#      each curation, moving style 0's preference direction;
#   3. after: the same M probe jobs again (same seeds: the same candidates), now designed with
#      the learned preference.
# It prints each probe's colourfulness before and after, their means, and how many moved up,
# and copies the images to $OUT (default: a temporary directory) for docs/curation.md.
# A measurement, not a test.
#
#   scripts/curation-learning.sh [curated jobs N, default 8] [probe jobs M, default 6]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

curated="${1:-8}"
probes="${2:-6}"
studio="$CARGO_TARGET_DIR/release/studio"
fetch_models
[ -x "$STUDIO_NODE" ] && [ -x "$STUDIO_WORKER" ] && [ -x "$studio" ] || { log "build first: cargo build --release --workspace"; exit 2; }

run_dir="$(mktemp -d -t studio-curation.XXXXXX)"
out="${OUT:-$run_dir/images}"
mkdir -p "$out"
trap stop_started EXIT
start_dev_chain
gateway="http://127.0.0.1:$gateway_port"
"$studio" --url "$url" --suri //Bob --dev worker register --bond 500 --models 0 >/dev/null
NO_COLOR=1 RUST_LOG=info "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" run --url "$url" --suri //Bob --dev \
	--store "$run_dir/store" --listen "127.0.0.1:$gateway_port" >"$run_dir/worker.log" 2>&1 &
pids+=($!)

# The CIDs of job $1's finalists while its curation runs; nothing once it closed.
finalists_of() {
	"$studio" --url "$url" curate list --json | python3 -c '
import json, sys
for row in json.load(sys.stdin):
    if row["job"] == int(sys.argv[1]):
        print(" ".join(f["cid"] for f in row["finalists"]))' "$1"
}
colourfulness() { "$STUDIO_WORKER" palette "$1" | python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["colourfulness"])'; }

# Designs the probe jobs; writes "<seed> <colourfulness>" lines to $1 and the images to $out.
probe() {
	local phase="$1"
	: >"$run_dir/$phase.txt"
	for index in $(seq "$probes"); do
		local seed=$((1000 + index)) image="$out/$phase-$((1000 + index)).png"
		"$studio" --url "$url" --suri //Alice --dev job submit --prompt "an amber painted eye" --style 0 --bounty 10 \
			--seed "$seed" --candidates 32 --gateway "$gateway" -o "$image" --timeout 300 >/dev/null 2>>"$run_dir/studio.log"
		echo "$seed $(colourfulness "$image")" >>"$run_dir/$phase.txt"
	done
}

log "before: $probes probe jobs"
probe before
log "curation: $curated curated jobs; Charlie stakes on the most colourful finalist"
for index in $(seq "$curated"); do
	job="$("$studio" --url "$url" --suri //Alice --dev job submit --prompt "an amber painted eye" --style 0 --bounty 10 \
		--seed $((2000 + index)) --candidates 16 --curate 4 --curation-period 8 --no-wait --json | python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["job"])')"
	finalists=""
	for _ in $(seq 240); do
		finalists="$(finalists_of "$job")"
		[ -n "$finalists" ] && break
		sleep 1
	done
	[ -n "$finalists" ] || { log "job $job never reached curation; see $run_dir"; exit 1; }
	best=0 best_value=-1 position=0
	for cid in $finalists; do
		"$studio" --url "$url" asset get "$cid" --gateway "$gateway" -o "$run_dir/finalist.png" >/dev/null
		value="$(colourfulness "$run_dir/finalist.png")"
		if python3 -c "import sys; sys.exit(0 if $value > $best_value else 1)"; then best=$position best_value=$value; fi
		position=$((position + 1))
	done
	"$studio" --url "$url" --suri //Charlie --dev curate stake "$job" "$best" --amount 10 >/dev/null
	for _ in $(seq 120); do
		[ -n "$(finalists_of "$job")" ] || break
		sleep 1
	done
	log "job $job: staked on finalist $best (colourfulness $best_value)"
done
log "after: the same $probes probe jobs"
probe after
python3 - "$run_dir/before.txt" "$run_dir/after.txt" "$curated" <<'PY'
import sys
before = dict(line.split() for line in open(sys.argv[1]))
after = dict(line.split() for line in open(sys.argv[2]))
print(f"| probe seed | colourfulness before | after {sys.argv[3]} curations | change |")
print("|---|---|---|---|")
for seed in sorted(before):
    b, a = float(before[seed]), float(after[seed])
    print(f"| {seed} | {b:.4f} | {a:.4f} | {a - b:+.4f} |")
mb = sum(float(v) for v in before.values()) / len(before)
ma = sum(float(v) for v in after.values()) / len(after)
up = sum(float(after[s]) > float(before[s]) for s in before)
same = sum(float(after[s]) == float(before[s]) for s in before)
print(f"| mean | {mb:.4f} | {ma:.4f} | {ma - mb:+.4f} ({(ma - mb) / mb * 100:+.1f} %) |")
print(f"\n{up} of {len(before)} probes moved up, {same} kept their design.")
PY
log "images in $out; logs in $run_dir"
