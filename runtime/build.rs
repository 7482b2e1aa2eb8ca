//! Builds the runtime's wasm binary.

#[cfg(feature = "std")]
fn main() {
	use std::path::Path;

	let runtime_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
	let workspace_root = Path::new(&runtime_dir).parent().expect("the runtime is inside the workspace");
	// The target dir lies outside the workspace: tell the wasm build where `Cargo.lock` is, so
	// that it builds with exactly the locked dependency versions.
	std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace_root);

	let builder = substrate_wasm_builder::WasmBuilder::init_with_defaults();
	// The benchmarking runtime is written to its own file: building it never replaces the wasm
	// the node embeds (both are built in the same `wbuild` project).
	let builder = if std::env::var_os("CARGO_FEATURE_RUNTIME_BENCHMARKS").is_some() {
		builder.set_file_name("studio_runtime_benchmarks")
	} else {
		builder
	};
	builder.build();
}

#[cfg(not(feature = "std"))]
fn main() {}
