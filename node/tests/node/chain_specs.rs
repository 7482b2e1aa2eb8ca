//! The committed chain specs are what the runtime produces now.

use crate::harness::{workspace_root, NODE_BINARY};
use std::process::Command;

/// The raw spec `studio-node build-spec` makes for `chain`.
fn built_spec(chain: &str) -> serde_json::Value {
	let output = Command::new(NODE_BINARY)
		.args(["build-spec", "--chain", chain, "--raw", "--disable-default-bootnode"])
		.output()
		.unwrap();
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	serde_json::from_slice(&output.stdout).unwrap()
}

fn assert_committed_spec_is_current(chain: &str, file: &str) {
	let path = workspace_root().join("chain-specs").join(file);
	let committed: serde_json::Value =
		serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
	assert!(
		committed == built_spec(chain),
		"{} no longer matches the runtime: run scripts/gen-chain-specs.sh and commit the result",
		path.display()
	);
}

#[test]
fn committed_dev_spec_matches_the_runtime() {
	assert_committed_spec_is_current("dev", "dev.json");
}

#[test]
fn committed_local_spec_matches_the_runtime() {
	assert_committed_spec_is_current("local", "local.json");
}
