#!/usr/bin/env bash
# Unpacks scripts/gpu-pack.sh's parts (.gpu-pack/studio-gpu.tar.xz.part-NN-of-MM, all of them
# present or it says which are missing) into .gpu-pack/tree, again only when the parts differ
# from those it was unpacked from (a rerun on the same machine skips it), then runs the given
# command with the scripts' paths pointing into it: CARGO_TARGET_DIR (the node and the CLI),
# STUDIO_WORKER (the cuda build) and STUDIO_MODELS_DIR. Needs only bash and Python 3.11.4 or
# later (tarfile's extraction filters): no xz command, no network.
#
# Usage: scripts/gpu-unpack.sh COMMAND [ARGS...], e.g. scripts/gpu-unpack.sh scripts/bench-gpu.sh cuda 5
set -euo pipefail
pack="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.gpu-pack"
tree="$pack/tree"

parts=("$pack"/studio-gpu.tar.xz.part-*-of-*)
if [ ! -e "${parts[0]}" ]; then
	[ -x "$tree/target/cuda/studio-worker" ] || { echo "no parts in $pack: carry them (scripts/gpu-pack.sh)" >&2; exit 2; }
	stamp=""
else
	# The parts' names, sizes and times, kept beside what they unpacked to.
	stamp="$(stat -c '%n %s %Y' "${parts[@]}")"
fi
if [ -n "$stamp" ] && [ "$stamp" != "$(cat "$tree/.parts" 2>/dev/null)" ]; then
	count="${parts[0]##*-of-}"
	missing=()
	for ((index = 0; index < 10#$count; index++)); do
		part="$pack/studio-gpu.tar.xz.part-$(printf '%02d' "$index")-of-$count"
		[ -f "$part" ] || missing+=("$(basename "$part")")
	done
	[ "${#missing[@]}" = 0 ] || { echo "missing parts: ${missing[*]}" >&2; exit 2; }
	rm -rf "$tree.partial"
	mkdir -p "$tree.partial"
	cat "$pack"/studio-gpu.tar.xz.part-*-of-"$count" | python3 -c '
import sys, tarfile
with tarfile.open(fileobj=sys.stdin.buffer, mode="r|xz") as archive:
    archive.extractall(sys.argv[1], filter="data")
' "$tree.partial"
	echo "$stamp" >"$tree.partial/.parts"
	rm -rf "$tree"
	mv "$tree.partial" "$tree"
fi

export CARGO_TARGET_DIR="$tree/target" STUDIO_WORKER="$tree/target/cuda/studio-worker" STUDIO_MODELS_DIR="$tree/models"
exec "$@"
