#!/usr/bin/env bash
# The worker on an NVIDIA GPU, measured from built binaries alone (docs/performance.md, "GPU"),
# for a machine with the GPU, nvidia-smi and Python with a CUDA build of PyTorch (plus
# safetensors and numpy), and no Rust toolchain or network. Build first with
# scripts/build-cuda.sh (CUDA 13.0, compute capability 90: H100/H200), then carry studio-node
# and studio ($CARGO_TARGET_DIR/release/), the cuda build of studio-worker
# ($CARGO_TARGET_DIR/cuda/studio-worker, named by STUDIO_WORKER), the models folder
# ($STUDIO_MODELS_DIR) and this tree's scripts. The worker's CUDA libraries (libcublas.so.13,
# libcublasLt.so.13, libcurand.so.10, libnvrtc.so.13) come from the system or, where it has
# none, from the Python's NVIDIA wheels (PyTorch's cu130 build brings them).
# One run, three parts, each a markdown table:
#   1. Correctness: three jobs (seeds 7, 8, 9; 8 candidates, 2 rounds) designed on the GPU and
#      each checked on the CPU as a verifier does (`studio-worker verify`): the reported and the
#      re-measured deviation and quality, and the PSNR of the CPU's re-generation.
#   2. Throughput: `studio-worker bench` and scripts/bench_torch.py on the same GPU, side by
#      side (scripts/bench_table.py): the generator at batch 1, 16, 64 and 256 in fp32 and at
#      1024 in bf16, the critic and the fitness loop.
#   3. The daemon: scripts/bench-daemon.sh with the worker on the GPU, and the GPU's mean
#      utilisation from the worker's start to the last delivery (nvidia-smi every 100 ms).
#
# Usage: scripts/bench-gpu.sh [device, default cuda] [seconds per measurement, default 5]
# `scripts/bench-gpu.sh cpu 1` runs the same steps on the CPU, without nvidia-smi: how the script
# is checked where no GPU is.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

device="${1:-cuda}"
seconds="${2:-5}"
python="${STUDIO_TORCH_PYTHON:-python3}"
[ -x "$STUDIO_WORKER" ] || { log "no worker at $STUDIO_WORKER: build it with scripts/build-cuda.sh and name it in STUDIO_WORKER"; exit 2; }
if [ "$device" != cpu ] && ldd "$STUDIO_WORKER" | grep -q "not found"; then
	nvidia_libs="$("$python" -c 'import glob, os, nvidia; print(":".join(sorted({os.path.dirname(p) for d in nvidia.__path__ for p in glob.glob(os.path.join(d, "**", "lib*.so*"), recursive=True)})))')"
	export LD_LIBRARY_PATH="$nvidia_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	ldd "$STUDIO_WORKER" | grep "not found" && { log "the worker's CUDA libraries are missing (above)"; exit 2; }
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
worker() { "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" "$@"; }

log "1. correctness: designed on $device, checked on the CPU"
prompt="an amber painted eye"
reference="$(worker --device cpu style-reference --class amber)"
echo "| seed | deviation reported ($device) | re-measured (CPU) | quality reported | re-measured | re-generation PSNR |"
echo "|---|---|---|---|---|---|"
for seed in 7 8 9; do
	designed="$(worker --device "$device" search --prompt "$prompt" --reference "$reference" --seed "$seed" \
		--candidates 8 --rounds 2 --target-ppm 0 --store "$work/store" 2>/dev/null)"
	measured="$(worker --device cpu verify --png "$(json_field "$designed" "['path']")" \
		--settings "$(json_field_as_json "$designed" "['settings']")" --prompt "$prompt" --reference "$reference" --seed "$seed" 2>/dev/null)"
	psnr="$(json_field "$measured" "['reproduction_centibels']")"
	[ "$psnr" = 4294967295 ] && psnr="identical" || psnr="$(python3 -c "print(f'{$psnr/100:.2f} dB')")"
	echo "| $seed | $(json_field "$designed" "['deviation_ppm']") ppm | $(json_field "$measured" "['deviation_ppm']") ppm | $(json_field "$designed" "['quality_ppm']") ppm | $(json_field "$measured" "['quality_ppm']") ppm | $psnr |"
done

log "2. throughput on $device: candle and PyTorch side by side"
batches="1,16,64,256"
half_batches="1024"
[ "$device" = cpu ] && batches="1,16" && half_batches=""
worker --device "$device" bench --seconds "$seconds" --batches "$batches" ${half_batches:+--bf16-batches "$half_batches"} | tee "$work/candle.md"
"$python" "$REPO_ROOT/scripts/bench_torch.py" --models-dir "$STUDIO_MODELS_DIR" --seconds "$seconds" \
	--device "$device" --batches "$batches" --half-batches "$half_batches" | tee "$work/torch.md"
echo
python3 "$REPO_ROOT/scripts/bench_table.py" "$work/candle.md" "$work/torch.md"

log "3. the daemon with its worker on $device"
STUDIO_WORKER_ARGS="--device $device" "$REPO_ROOT/scripts/bench-daemon.sh" 20 64 >"$work/daemon.log" 2>&1 &
daemon=$!
until grep -q "starting the worker" "$work/daemon.log" || ! kill -0 "$daemon" 2>/dev/null; do sleep 0.2; done
sampler=""
if [ "$device" != cpu ]; then
	nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 100 >"$work/utilisation.csv" &
	sampler=$!
fi
wait "$daemon" || { cat "$work/daemon.log"; exit 1; }
[ -z "$sampler" ] || kill "$sampler"
grep '^|' "$work/daemon.log"
if [ -n "$sampler" ]; then
	python3 - "$work/utilisation.csv" <<'MEAN'
import sys
samples = [float(line) for line in open(sys.argv[1]) if line.strip()]
print(f"\nGPU utilisation from the worker's start to its last delivery: mean {sum(samples) / len(samples):.0f} % over {len(samples)} samples")
MEAN
fi
