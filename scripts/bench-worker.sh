#!/usr/bin/env bash
# Candidates per second of the worker on this machine, candle and PyTorch side by side in one
# run on the same weights and threads: the eye generator alone at batch 1, 16 and 64, and the
# whole fitness loop of a 16-candidate job (generate, quantize, score with the style critic).
# A benchmark, not a test: it prints a markdown table for docs/performance.md.
#
# PyTorch (CPU use of the PyPI wheel, with safetensors and numpy) goes into a throwaway venv,
# $STUDIO_TORCH_VENV (default ~/.cache/studio-chain/torch-venv), created when missing.
# Usage: scripts/bench-worker.sh [seconds per measurement, default 5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds="${1:-5}"
threads="$(nproc)"
venv="${STUDIO_TORCH_VENV:-$HOME/.cache/studio-chain/torch-venv}"

ensure_toolchain
build_node
fetch_models
if ! "$venv/bin/python" -c "import torch, safetensors, numpy" 2>/dev/null; then
	log "installing PyTorch into $venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet "torch==2.5.1" safetensors numpy
fi
candle_rows="$(mktemp)" torch_rows="$(mktemp)"
trap 'rm -f "$candle_rows" "$torch_rows"' EXIT
RAYON_NUM_THREADS="$threads" "$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" --threads "$threads" bench \
	--seconds "$seconds" | tee "$candle_rows"
"$venv/bin/python" "$REPO_ROOT/scripts/bench_torch.py" --models-dir "$STUDIO_MODELS_DIR" \
	--seconds "$seconds" --threads "$threads" | tee "$torch_rows"
# One table, each row's two measurements side by side with their ratio.
echo
python3 "$REPO_ROOT/scripts/bench_table.py" "$candle_rows" "$torch_rows"
