#!/usr/bin/env bash
# Builds studio-worker with its `cuda` feature on a machine with no GPU and no CUDA installed:
# the toolkit (nvcc, headers, the libraries to link) comes from NVIDIA's PyPI wheels pinned in
# scripts/cuda-wheels.txt, unpacked once into $STUDIO_CUDA_ROOT (default
# ~/.cache/studio-chain/cuda-13.0). The driver library, libcuda.so.1, is not in any wheel: the
# link uses a stub with the driver API's names (taken from cudarc's bindings), whose every call
# fails; the GPU machine's own driver replaces it when the binary starts there.
#
# The binary goes to $CARGO_TARGET_DIR/cuda/studio-worker (the CPU build at
# $CARGO_TARGET_DIR/release/studio-worker is restored afterwards), then it is checked here: it
# loads, finds no GPU through the stub, says so and falls back to the CPU, where it makes the
# same image as the CPU build; asked for `--device cuda`, it refuses with the driver's error. On
# the GPU machine it needs libcuda.so.1 (the driver), libcublas.so.13, libcublasLt.so.13,
# libcurand.so.10, libnvrtc.so.13 and libcudart.so.13 (PyTorch's cu130 wheels carry the last
# five; scripts/bench-gpu.sh finds them).
#
# The first build takes about 20 minutes on the 2-core development machine: nvcc compiles
# candle-kernels' PTX and its quantized matrix-product and MoE objects (9 min), beside the
# recompilation of the worker's dependencies that candle's `cuda` feature changes; later builds
# recompile only what changed. Do not run it beside the tests.
#
# Usage: scripts/build-cuda.sh [compute capability, default 90: H100/H200]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

compute_cap="${1:-90}"
root="${STUDIO_CUDA_ROOT:-$HOME/.cache/studio-chain/cuda-13.0}"
out="$CARGO_TARGET_DIR/cuda"

ensure_toolchain
if [ ! -x "$root/bin/nvcc" ]; then
	log "unpacking CUDA 13.0 from its PyPI wheels into $root"
	wheels="$(mktemp -d)"
	trap 'rm -rf "$wheels"' EXIT
	python3 -m pip download --quiet --no-deps --require-hashes -r "$REPO_ROOT/scripts/cuda-wheels.txt" -d "$wheels"
	rm -rf "$root.partial"
	mkdir -p "$root.partial"
	for wheel in "$wheels"/*.whl; do
		python3 - "$wheel" "$root.partial" <<-'EOF'
			import sys, zipfile
			wheel, root = sys.argv[1:]
			with zipfile.ZipFile(wheel) as archive:
			    for name in archive.namelist():
			        if name.startswith("nvidia/cu13/") and not name.endswith("/"):
			            archive.extract(name, root)
		EOF
	done
	cp -r "$root.partial/nvidia/cu13/." "$root.partial/"
	rm -rf "$root.partial/nvidia"
	chmod +x "$root.partial"/bin/* "$root.partial"/nvvm/bin/*
	# The driver's stub: every name cudarc's bindings may call, each returning
	# CUDA_ERROR_NO_DEVICE (100).
	(cd "$REPO_ROOT" && cargo fetch --locked)
	cudarc_version="$(awk '/^name = "cudarc"$/ { getline; gsub(/"/, "", $3); print $3 }' "$REPO_ROOT/Cargo.lock")"
	cudarc="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"cudarc-$cudarc_version" | head -1)"
	mkdir -p "$root.partial/lib/stubs"
	grep -oP 'pub unsafe fn \Kcu\w+(?=\()' "$cudarc/src/driver/sys/mod.rs" | sort -u |
		sed 's/.*/int &(void) { return 100; }/' >"$root.partial/lib/stubs/cuda_stub.c"
	cc -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$root.partial/lib/stubs/libcuda.so" "$root.partial/lib/stubs/cuda_stub.c"
	ln -sf libcuda.so "$root.partial/lib/stubs/libcuda.so.1"
	mv "$root.partial" "$root"
fi
# The linker looks for the unversioned names (cudart: candle-kernels' statically built kernels).
for library in cublas.so.13 cublasLt.so.13 curand.so.10 nvrtc.so.13 cudart.so.13; do
	ln -sf "lib$library" "$root/lib/lib${library%.so.*}.so"
done

log "building studio-worker with the cuda feature (compute capability $compute_cap, nvcc $("$root/bin/nvcc" --version | grep -oP 'release \K[0-9.]+'))"
export PATH="$root/bin:$PATH" CUDA_ROOT="$root" CUDA_PATH="$root" CUDA_COMPUTE_CAP="$compute_cap"
# The cuda build takes the CPU build's place in the target dir until it is copied out: the
# CPU build is put back whatever happens (the tests and scripts run it).
restore_cpu_build() {
	log "restoring the CPU build of studio-worker"
	cargo build --release --locked -p studio-worker
}
trap restore_cpu_build EXIT
cargo build --release --locked -p studio-worker --features cuda
mkdir -p "$out"
cp "$CARGO_TARGET_DIR/release/studio-worker" "$out/studio-worker"
trap - EXIT
restore_cpu_build

log "checking $out/studio-worker here, on the driver stub"
export LD_LIBRARY_PATH="$root/lib/stubs:$root/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fetch_models
ldd "$out/studio-worker" | grep -E 'libcuda|libcublas|libcurand|libnvrtc'
check="$(mktemp -d)"
trap 'rm -rf "$check" ${wheels:+"$wheels"}' EXIT
reference="$("$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" --device cpu style-reference --class amber)"
design() {
	"$1" --models-dir "$STUDIO_MODELS_DIR" "${@:2}" search --prompt "an amber painted eye" --reference "$reference" \
		--seed 7 --candidates 8 --rounds 0 --store "$check/$(basename "$(dirname "$1")")"
}
gpu_build="$(design "$out/studio-worker" 2>"$check/cuda.log")"
cpu_build="$(design "$STUDIO_WORKER" --device cpu 2>/dev/null)"
grep -m1 "inference device" "$check/cuda.log"
# Asked for the GPU by name, it refuses with the driver's answer instead of falling back.
if refused="$("$out/studio-worker" --models-dir "$STUDIO_MODELS_DIR" --device cuda bench --seconds 1 --batches 1 2>&1)"; then
	log "--device cuda ran on the driver stub: $refused"
	exit 1
fi
grep -m1 "cannot open --device cuda:0" <<<"$refused"
cmp "$(json_field "$gpu_build" "['path']")" "$(json_field "$cpu_build" "['path']")"
log "the cuda build runs here on the CPU and makes the CPU build's image: $out/studio-worker"
