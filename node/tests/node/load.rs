//! The load generator (`studio-bench`) on a dev chain, in a short bounded pass of all three
//! scenarios: transfers, job lifecycles, and lifecycles with every result audited (its
//! verifiers commit and reveal). `scripts/bench-chain.sh` runs the long measurement.

use crate::harness::{run_binary_to_exit, sibling_binary, Node};
use serde_json::Value;
use std::time::Duration;

/// How many of `call` a scenario's blocks included, succeeded or failed.
fn included(scenario: &Value, call: &str) -> (u64, u64) {
	let blocks = scenario["blocks"].as_array().expect("the scenario's blocks");
	blocks.iter().fold((0, 0), |(succeeded, failed), block| {
		let counts = &block["included"][call];
		(succeeded + counts["succeeded"].as_u64().unwrap_or(0), failed + counts["failed"].as_u64().unwrap_or(0))
	})
}

#[tokio::test]
async fn the_load_generator_measures_transfers_lifecycles_and_audited_lifecycles_from_the_blocks() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	node.client().await;
	let report = dir.path().join("report.json");
	let url = node.url();
	let args = [
		"--url", &url, "--accounts", "6", "--transfers-per-account", "5", "--jobs-per-client", "2",
		"--lifecycles", "12", "--verified-lifecycles", "6", "--audit-ppm", "1000000", "--seconds", "120",
		"--json", report.to_str().unwrap(),
	];
	let (status, output) = run_binary_to_exit(&sibling_binary("studio-bench"), &args, Duration::from_secs(480));
	assert!(status.success(), "studio-bench failed: {output}\nnode: {}", node.log());
	let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();

	// (a) Every transfer signed went in, none failed.
	assert_eq!(included(&report["transfers"], "Balances.transfer_keep_alive"), (30, 0), "{output}");
	// (b) Lifecycles ran to settlement, each of their four calls included and none failed.
	let lifecycles = &report["lifecycles"];
	assert!(lifecycles["settled"].as_u64().unwrap() >= 12, "{output}");
	assert_eq!(lifecycles["rates"]["failed"], 0, "{output}");
	assert_eq!(lifecycles["expired"], 0, "no claim outlived its timeout: {output}");
	for call in ["submit_job", "claim_job", "submit_result", "accept_result"] {
		assert!(included(lifecycles, &format!("JobEscrow.{call}")).0 >= 12, "{call}: {output}");
	}
	// (c) Every result audited: no client accepted, the other workers committed to and revealed
	// honest findings, and every result stood and settled (the counts include the blocks after
	// the measured ones, in which the run drove its last jobs to settlement).
	let verified = &report["verified"];
	let settled = verified["settled"].as_u64().unwrap();
	assert!(settled >= 6, "{output}");
	assert_eq!(verified["verified"].as_u64().unwrap(), settled, "every settled result was verified: {output}");
	assert_eq!(verified["stood"].as_u64().unwrap(), settled, "{output}");
	assert_eq!(verified["rates"]["failed"], 0, "{output}");
	assert_eq!(verified["expired"], 0, "{output}");
	assert_eq!(included(verified, "JobEscrow.accept_result"), (0, 0), "{output}");
	let (commits, _) = included(verified, "JobEscrow.commit_finding");
	let (reveals, _) = included(verified, "JobEscrow.reveal_finding");
	assert!(commits >= 3 && reveals >= 3, "{commits} commits, {reveals} reveals: {output}");

	// A block that ends a session (every 10th) takes transactions like any other: the session
	// pallet's own hook would have booked it whole.
	let rotations_with_load = ["lifecycles", "verified"]
		.iter()
		.flat_map(|name| report[name]["blocks"].as_array().unwrap())
		.filter(|block| block["number"].as_u64().unwrap() % 10 == 0)
		.filter(|block| block["included"].as_object().is_some_and(|calls| !calls.is_empty()))
		.count();
	assert!(rotations_with_load > 0, "no session-ending block included a transaction: {output}");
}
