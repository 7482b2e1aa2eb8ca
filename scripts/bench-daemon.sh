#!/usr/bin/env bash
# How well the worker daemon keeps its CPU busy: on a fresh dev chain, N jobs (default 20) of
# C candidates each (default 16) are queued first, then one worker (Bob, `--queue 8`) is
# started; measured from its first claim going into the pool to its last delivery (the
# timestamps of its own log lines), against the sum of its jobs' inference seconds
# (`studio_worker_inference_seconds_sum`), the CPU time the process used in that interval (as
# a share of the cores' time) and its peak resident memory.
# A benchmark, not a test: it prints one markdown row for docs/performance.md, and the worker's
# CPU time in the interval by thread (inference pool, candle's pool, tokio's threads).
#
#   scripts/bench-daemon.sh [jobs, default 20] [candidates per job, default 16]
#
# STUDIO_WORKER picks the worker binary, so two builds compare side by side on the same
# machine: e.g. STUDIO_WORKER=/tmp/studio-worker-serial scripts/bench-daemon.sh.
# STUDIO_WORKER_ARGS adds the worker's global arguments (scripts/bench-gpu.sh: --device cuda).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

jobs="${1:-20}"
candidates="${2:-16}"
studio="$CARGO_TARGET_DIR/release/studio"
fetch_models
[ -x "$STUDIO_NODE" ] && [ -x "$STUDIO_WORKER" ] && [ -x "$studio" ] || { log "build first: cargo build --release --workspace"; exit 2; }

run_dir="$(mktemp -d -t studio-bench-daemon.XXXXXX)"
trap stop_started EXIT
start_dev_chain
"$studio" --url "$url" --suri //Bob --dev worker register --bond 500 --models 0 >/dev/null
log "queueing $jobs jobs"
# Four clients submit side by side (each one job after another, in its own nonce order).
clients=(//Alice //Charlie //Dave //Eve)
submitting=()
for client in 0 1 2 3; do
	for job in $(seq $((client + 1)) 4 "$jobs"); do
		"$studio" --url "$url" --suri "${clients[$client]}" --dev job submit --prompt "an amber painted eye" --style 0 \
			--candidates "$candidates" --bounty 10 --seed "$job" --deadline-in 2000 --no-wait >/dev/null
	done &
	submitting+=($!)
done
for pid in "${submitting[@]}"; do wait "$pid" || { log "a job submission failed"; exit 1; }; done
log "starting the worker ($STUDIO_WORKER)"
# shellcheck disable=SC2086 # STUDIO_WORKER_ARGS is a list of arguments (e.g. --device cuda).
NO_COLOR=1 RUST_LOG=info "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" ${STUDIO_WORKER_ARGS:-} run --url "$url" --suri //Bob --dev \
	--store "$run_dir/store" --listen "127.0.0.1:$gateway_port" --queue 8 >"$run_dir/worker.log" 2>&1 &
worker_pid=$!
pids+=("$worker_pid")
ticks="$(getconf CLK_TCK)"
cpu_seconds() {
	awk -v ticks="$ticks" '{ print ($14 + $15) / ticks }' "/proc/$worker_pid/stat"
}
# Each thread's CPU ticks, "tid name ticks" (the name has no spaces: tokio-runtime-w, candle-bp-0,
# and the process's own name for the rayon pool and the main thread).
thread_ticks() {
	for task in /proc/"$worker_pid"/task/*; do
		echo "${task##*/} $(cat "$task/comm" 2>/dev/null) $(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null)"
	done
}
# The CPU time before the first claim (loading the models, joining the network) is left out.
for _ in $(seq 3000); do
	grep -q ': claiming jobs=' "$run_dir/worker.log" && break
	kill -0 "$worker_pid" 2>/dev/null || { log "the worker exited; see $run_dir/worker.log"; exit 1; }
	sleep 0.1
done
cpu_at_first_claim="$(cpu_seconds)"
thread_ticks >"$run_dir/threads-at-first-claim"
metric() {
	curl -s "http://127.0.0.1:$gateway_port/metrics" | awk -v name="$1" '$1 == name { print $2 }'
}
for _ in $(seq 1200); do
	[ "$(metric studio_worker_jobs_delivered_total)" = "$jobs" ] && break
	kill -0 "$worker_pid" 2>/dev/null || { log "the worker exited; see $run_dir/worker.log"; exit 1; }
	sleep 1
done
[ "$(metric studio_worker_jobs_delivered_total)" = "$jobs" ] || { log "not all jobs were delivered; see $run_dir"; exit 1; }
cpu="$(python3 -c "print($(cpu_seconds) - $cpu_at_first_claim)")"
thread_ticks >"$run_dir/threads-at-end"
# The worker's peak resident memory so far (models, IPFS node, gateway and every job's search).
peak_rss_mib="$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$worker_pid/status")"
inference="$(metric studio_worker_inference_seconds_sum)"
# Log lines start with an RFC 3339 timestamp; the interval is first claim to last delivery.
first="$(grep -m1 ': claiming jobs=' "$run_dir/worker.log" | cut -d' ' -f1)"
last="$(grep ' delivered' "$run_dir/worker.log" | tail -1 | cut -d' ' -f1)"
python3 - "$first" "$last" "$inference" "$cpu" "$jobs" "$candidates" "$STUDIO_WORKER" "$peak_rss_mib" "$(nproc)" <<'EOF'
import sys, datetime
first, last, inference, cpu, jobs, candidates, binary, peak_rss, cores = sys.argv[1:]
parse = lambda text: datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
interval = (parse(last) - parse(first)).total_seconds()
inference, cpu, cores = float(inference), float(cpu), int(cores)
print("| worker | jobs × candidates | first claim → last delivery (s) | sum of inference (s) | ratio | worker CPU time in it (s) | CPU busy | peak RSS (MiB) |")
print("|---|---|---|---|---|---|---|---|")
print(f"| {binary} | {jobs} × {candidates} | {interval:.1f} | {inference:.1f} | {interval / inference:.2f} | {cpu:.1f} | {100 * cpu / (interval * cores):.0f} % of {cores} cores | {peak_rss} |")
EOF
# Where the CPU time went, by thread: the inference pool (rayon's threads carry the process's
# name), candle's own pool for its element-wise ops, and tokio's threads (the chain client, the
# IPFS node, and each design's calling thread, a blocking task).
python3 - "$run_dir/threads-at-first-claim" "$run_dir/threads-at-end" "$ticks" <<'EOF'
import sys, collections
def read(path):
    ticks = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 3:
            ticks[parts[0]] = (parts[1], int(parts[2]))
    return ticks
before, after, per_second = read(sys.argv[1]), read(sys.argv[2]), int(sys.argv[3])
by_name = collections.Counter()
for tid, (name, ticks) in after.items():
    by_name[name] += ticks - before.get(tid, (name, 0))[1]
print("worker CPU by thread in the interval: " + ", ".join(f"{name} {ticks / per_second:.1f} s" for name, ticks in by_name.most_common()))
EOF
log "logs in $run_dir"
