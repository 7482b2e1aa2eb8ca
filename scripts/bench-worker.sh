#!/usr/bin/env bash
# Candidates per second of the worker on this machine: the eye generator alone at batch 1, 16
# and 64, and the whole fitness loop of a 16-candidate job (generate, quantize, score with the
# style critic). A benchmark, not a test: it prints a markdown table for docs/performance.md.
# Usage: scripts/bench-worker.sh [seconds per measurement, default 5]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_toolchain
build_node
fetch_models
"$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" bench --seconds "${1:-5}"
