//! Builds the runtime's wasm binary.
//!
//! Source paths end up in the wasm (panic locations). They are remapped to fixed prefixes, so
//! that the same sources build the same wasm from any clone: the committed chain specs, which
//! embed the wasm, stay comparable with what a build produces.

#[cfg(feature = "std")]
fn main() {
	use std::path::Path;

	let runtime_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
	let workspace_root = Path::new(&runtime_dir).parent().expect("the runtime is inside the workspace");
	let cargo_home = std::env::var("CARGO_HOME")
		.or_else(|_| std::env::var("HOME").map(|home| format!("{home}/.cargo")))
		.unwrap_or_default();

	// The target dir lies outside the workspace: tell the wasm build where `Cargo.lock` is, so
	// that it builds with exactly the locked dependency versions.
	std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace_root);

	let mut builder = substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.append_to_rust_flags(format!("--remap-path-prefix={}=/studio-chain", workspace_root.display()));
	if !cargo_home.is_empty() {
		builder = builder.append_to_rust_flags(format!("--remap-path-prefix={cargo_home}=/cargo"));
	}
	builder.build();
}

#[cfg(not(feature = "std"))]
fn main() {}
