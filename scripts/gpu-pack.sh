#!/usr/bin/env bash
# Packs what scripts/bench-gpu.sh needs on a GPU machine that has no Rust toolchain and no
# network into parts small enough to travel to it. The device tool sends at most 64 MiB a call
# (tracked files and carried paths together), while the node, the CLI, the cuda build of the
# worker and the five default models come to 394 MiB stripped, 224 MiB compressed: four parts.
#
# One xz stream of: $CARGO_TARGET_DIR/release/studio-node and release/studio,
# $CARGO_TARGET_DIR/cuda/studio-worker (scripts/build-cuda.sh), the three stripped of their
# symbols, and the default models ($STUDIO_MODELS_DIR), laid out as target/release/,
# target/cuda/ and models/, split into .gpu-pack/studio-gpu.tar.xz.part-NN-of-MM (.gpu-pack/ is
# git-ignored), each as large as a call can carry beside the repository's files, less 1 MiB.
#
# On the GPU machine the parts arrive one call each: call k carries part k only, with a command
# that does nothing (`true`), and the machine keeps what earlier calls carried while it stays
# warm (30 s after a call: make the calls back to back). The last call carries the last part
# and runs, with a timeout that leaves room for a rerun:
#   scripts/gpu-unpack.sh scripts/bench-gpu.sh cuda 5 2>&1 | tee $OUT/gpu.md
# Checked here with `scripts/gpu-unpack.sh scripts/bench-gpu.sh cpu 1`.
#
# Usage: scripts/gpu-pack.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pack="$REPO_ROOT/.gpu-pack"
worker="$CARGO_TARGET_DIR/cuda/studio-worker"
[ -x "$worker" ] || { log "no cuda build at $worker: run scripts/build-cuda.sh first"; exit 2; }
for binary in studio-node studio; do
	[ -x "$CARGO_TARGET_DIR/release/$binary" ] || { log "no $binary in $CARGO_TARGET_DIR/release: build the workspace first"; exit 2; }
done
fetch_models

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/target/release" "$staging/target/cuda" "$staging/models"
cp "$CARGO_TARGET_DIR/release/studio-node" "$CARGO_TARGET_DIR/release/studio" "$staging/target/release/"
cp "$worker" "$staging/target/cuda/"
strip "$staging"/target/*/*
for model in "$STUDIO_MODELS_DIR"/*/; do ln -s "${model%/}" "$staging/models/"; done

# What travels with every call besides a part: the tracked and the untracked, not ignored files.
tree_bytes="$(git -C "$REPO_ROOT" ls-files -z --cached --others --exclude-standard |
	(cd "$REPO_ROOT" && xargs -0 stat -c %s 2>/dev/null) | awk '{ total += $1 } END { print total }')"
part_bytes=$(((64 - 1) * 1024 * 1024 - tree_bytes))
rm -rf "$pack"
mkdir -p "$pack"
log "packing $(du -shL "$staging" | cut -f1) into $pack, in parts of $((part_bytes / 1024)) KiB"
tar -C "$staging" -chf - target models | xz -9 -T2 | split -b "$part_bytes" -d -a 2 - "$pack/studio-gpu.tar.xz.part-"
parts=("$pack"/studio-gpu.tar.xz.part-*)
for part in "${parts[@]}"; do mv "$part" "$part-of-$(printf '%02d' "${#parts[@]}")"; done
ls -l "$pack"
log "${#parts[@]} parts: carry one per call, in order; the last call runs scripts/gpu-unpack.sh scripts/bench-gpu.sh cuda 5"
