#!/usr/bin/env bash
# Images per second of the restyling networks on this machine, candle and onnxruntime side by
# side in one run on the same weights, inputs and threads: style transfer (multistyle26) and
# line art (HED) at 256² and 512² (or the sides given). A benchmark, not a test: it prints a
# markdown table for docs/performance.md.
#
# onnxruntime (the PyPI wheel, with onnx, numpy and safetensors) goes into a throwaway venv,
# $STUDIO_ORT_VENV (default ~/.cache/studio-chain/ort-venv), created when missing.
# Usage: scripts/bench-restyle.sh [seconds per measurement, default 5] [sides…]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds="${1:-5}"
shift || true
sides=("${@:-256 512}")
threads="$(nproc)"
venv="${STUDIO_ORT_VENV:-$HOME/.cache/studio-chain/ort-venv}"

ensure_toolchain
build_node
fetch_models
if ! "$venv/bin/python" -c "import onnxruntime, onnx, numpy, safetensors" 2>/dev/null; then
	log "installing onnxruntime into $venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet "onnxruntime==1.32.0" onnx numpy safetensors
fi
# shellcheck disable=SC2086
RAYON_NUM_THREADS="$threads" "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" bench-restyle --seconds "$seconds" --sides ${sides[*]}
# shellcheck disable=SC2086
"$venv/bin/python" "$REPO_ROOT/scripts/bench_restyle.py" --wheel-cache "$STUDIO_WHEEL_CACHE" \
	--models-dir "$STUDIO_MODELS_DIR" --seconds "$seconds" --threads "$threads" --sides ${sides[*]}
