//! The committed chain specs are what the runtime produces now.
//!
//! The genesis state is compared key by key. The runtime code (`:code`) is compared by what it
//! is, not by its bytes: its runtime version and its metadata (every call, event, error,
//! storage item and constant) must be the same. Its bytes differ between clones, because the
//! symbol hashes of path dependencies include their path.

use crate::harness::{workspace_root, NODE_BINARY};
use sc_executor_common::runtime_blob::RuntimeBlob;
use std::process::Command;

/// The storage key of the runtime code, `:code`, hex encoded.
const CODE_KEY: &str = "0x3a636f6465";

/// The raw spec `studio-node build-spec` makes for `chain`.
fn built_spec(chain: &str) -> serde_json::Value {
	let output = Command::new(NODE_BINARY)
		.args(["build-spec", "--chain", chain, "--raw", "--disable-default-bootnode"])
		.output()
		.unwrap();
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	serde_json::from_slice(&output.stdout).unwrap()
}

/// Takes the runtime code out of a raw spec and returns what identifies it: its runtime
/// version and its SCALE-encoded metadata.
fn take_code_identity(spec: &mut serde_json::Value) -> (sc_executor::RuntimeVersion, Vec<u8>) {
	let code = spec["genesis"]["raw"]["top"]
		.as_object_mut()
		.and_then(|top| top.remove(CODE_KEY))
		.expect("a raw spec holds the runtime code");
	let code = code.as_str().unwrap().trim_start_matches("0x");
	let code: Vec<u8> = (0..code.len())
		.step_by(2)
		.map(|i| u8::from_str_radix(&code[i..i + 2], 16).unwrap())
		.collect();
	let blob = RuntimeBlob::uncompress_if_needed(&code).unwrap();
	let version = sc_executor::read_embedded_version(&blob).unwrap().expect("a version section");
	let executor = sc_executor::WasmExecutor::<sp_io::SubstrateHostFunctions>::builder().build();
	let mut state = sp_io::TestExternalities::default();
	let metadata = executor
		.uncached_call(blob, &mut state.ext(), true, "Metadata_metadata", &[])
		.expect("the runtime returns its metadata");
	(version, metadata)
}

fn assert_committed_spec_is_current(chain: &str, file: &str) {
	let path = workspace_root().join("chain-specs").join(file);
	let stale = format!(
		"{} no longer matches the runtime: run scripts/gen-chain-specs.sh and commit the result",
		path.display()
	);
	let mut committed: serde_json::Value =
		serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
	let mut built = built_spec(chain);
	let (committed_version, committed_metadata) = take_code_identity(&mut committed);
	let (built_version, built_metadata) = take_code_identity(&mut built);
	assert_eq!(committed_version, built_version, "{stale} (runtime version)");
	assert!(committed_metadata == built_metadata, "{stale} (runtime metadata)");
	assert!(committed == built, "{stale} (genesis state)");
}

#[test]
fn committed_dev_spec_matches_the_runtime() {
	assert_committed_spec_is_current("dev", "dev.json");
}

#[test]
fn committed_local_spec_matches_the_runtime() {
	assert_committed_spec_is_current("local", "local.json");
}
