//! Builds the runtime's wasm binary.

#[cfg(feature = "std")]
fn main() {
	use std::path::Path;

	let runtime_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
	let workspace_root = Path::new(&runtime_dir).parent().expect("the runtime is inside the workspace");
	// The target dir lies outside the workspace: tell the wasm build where `Cargo.lock` is, so
	// that it builds with exactly the locked dependency versions.
	std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace_root);

	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

#[cfg(not(feature = "std"))]
fn main() {}
