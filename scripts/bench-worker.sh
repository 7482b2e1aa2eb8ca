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
python3 - "$candle_rows" "$torch_rows" <<'MERGE'
import re, sys
def rows(path):
    found = {}
    for line in open(path):
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[0-9.]+", cells[2]):
            found[(re.sub(r" \(.*\)$", "", cells[0]), cells[1])] = (re.search(r"\((.*)\)$", cells[0]).group(1), float(cells[2]))
    return found
candle, torch = rows(sys.argv[1]), rows(sys.argv[2])
print()
print("| measurement | batch | candle (candidates/s) | PyTorch (candidates/s) | candle ÷ PyTorch |")
print("|---|---|---|---|---|")
for key, (candle_on, candle_rate) in candle.items():
    torch_on, torch_rate = torch.get(key, ("not measured", float("nan")))
    print(f"| {key[0]} | {key[1]} | {candle_rate:.1f} ({candle_on}) | {torch_rate:.1f} ({torch_on}) | **{candle_rate / torch_rate:.2f}×** |")
MERGE
