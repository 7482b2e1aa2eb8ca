//! The four-validator local network (`chain-specs/local.json`): finality with all four, with
//! one stopped (3 of 4 > 2/3), and catch-up of the stopped one after its restart.

use crate::harness::{heights, run_to_exit, wait_for, wait_for_finalized, workspace_root, Node};
use std::{path::Path, time::Duration};

/// The libp2p peer id of the node key in `key_file`, as `studio-node key inspect-node-key`
/// prints it.
fn peer_id(key_file: &Path) -> String {
	let (status, output) = run_to_exit(
		&["key", "inspect-node-key", "--file", key_file.to_str().unwrap()],
		Duration::from_secs(30),
	);
	assert!(status.success(), "{output}");
	output.lines().last().unwrap().trim().to_string()
}

#[tokio::test]
async fn four_validators_finalize_and_survive_the_loss_of_one() {
	let dir = tempfile::tempdir().unwrap();
	let spec = workspace_root().join("chain-specs/local.json");
	let spec = spec.to_str().unwrap();
	let alice_key = dir.path().join("alice.key");
	std::fs::write(&alice_key, "0000000000000000000000000000000000000000000000000000000000000001")
		.unwrap();

	let start = |name: &str, extra: Vec<String>| {
		let base = dir.path().join(name);
		let mut args = vec![
			"--chain".to_string(),
			spec.to_string(),
			format!("--{name}"),
			"--base-path".into(),
			base.to_str().unwrap().to_string(),
		];
		args.extend(extra);
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		Node::start(&args, dir.path().join(format!("{name}.log")))
	};
	let alice = start("alice", vec!["--node-key-file".into(), alice_key.to_str().unwrap().into()]);
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", alice.p2p_port, peer_id(&alice_key));
	let others: Vec<Node> = ["bob", "charlie", "dave"]
		.iter()
		.map(|name| start(name, vec!["--bootnodes".into(), bootnode.clone()]))
		.collect();
	let mut dave = others.into_iter().nth(2).unwrap();

	let alice_rpc = alice.rpc().await;
	let dave_rpc = dave.rpc().await;
	wait_for_finalized(&alice_rpc, 3, Duration::from_secs(120)).await;
	wait_for_finalized(&dave_rpc, 3, Duration::from_secs(60)).await;

	// Three of four validators are more than two thirds: finality goes on without Dave.
	dave.stop();
	let (_, finalized_without_dave) = heights(&alice_rpc).await.unwrap();
	wait_for_finalized(&alice_rpc, finalized_without_dave + 3, Duration::from_secs(90)).await;

	// Dave comes back and catches up with the finalized head.
	dave.restart();
	let dave_rpc = dave.rpc().await;
	let (_, network_finalized) = heights(&alice_rpc).await.unwrap();
	wait_for("Dave to catch up", Duration::from_secs(120), || async {
		heights(&dave_rpc).await.filter(|(_, f)| *f >= network_finalized)
	})
	.await;
}
