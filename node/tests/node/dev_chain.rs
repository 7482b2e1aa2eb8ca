//! A single-validator dev chain: block production, finality, transfers, restarts, bad input.

use crate::harness::{
	free_balance, heights, run_to_exit, submit, treasury, wait_for, wait_for_finalized, Node,
};
use std::time::Duration;
use subxt::{
	dynamic::{self, At},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::dev;

/// Alice sends `amount` to Bob with `transfer_keep_alive` and waits until it is finalized;
/// returns the fee the chain reports it charged.
async fn alice_pays_bob(client: &OnlineClient<PolkadotConfig>, amount: u128) -> u128 {
	let transfer = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(dev::bob().public_key().to_address::<()>(), amount),
	);
	let events = submit(client, &transfer, &dev::alice()).await;
	let (_, _, fee_paid) = events
		.iter()
		.find(|(pallet, event, _)| pallet == "TransactionPayment" && event == "TransactionFeePaid")
		.expect("the extrinsic paid a fee");
	fee_paid.at("actual_fee").and_then(|fee| fee.as_u128()).expect("the event names the fee")
}

#[tokio::test]
async fn dev_chain_produces_blocks_and_grandpa_finalizes_them() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let rpc = node.rpc().await;
	wait_for_finalized(&rpc, 3, Duration::from_secs(60)).await;
	let (best, finalized) = heights(&rpc).await.unwrap();
	assert!(best >= finalized, "best {best} is behind finalized {finalized}");
}

#[tokio::test]
async fn transfer_keep_alive_pays_bob_and_the_fee_goes_to_the_treasury() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let (alice, bob) = (dev::alice().public_key().0, dev::bob().public_key().0);
	let before = (
		free_balance(&client, alice).await,
		free_balance(&client, bob).await,
		free_balance(&client, treasury()).await,
	);

	let amount = 12_345 * studio_runtime::MILLI_UNIT;
	let fee = alice_pays_bob(&client, amount).await;

	let after = (
		free_balance(&client, alice).await,
		free_balance(&client, bob).await,
		free_balance(&client, treasury()).await,
	);
	assert!(fee > 0, "a signed transfer pays a fee");
	assert_eq!(after.1, before.1 + amount, "Bob receives the amount");
	assert_eq!(after.0, before.0 - amount - fee, "Alice pays the amount and the fee");
	assert_eq!(after.2, before.2 + fee, "the fee lands in the studio treasury");
}

#[tokio::test]
async fn node_restarted_on_its_base_path_keeps_its_chain() {
	let dir = tempfile::tempdir().unwrap();
	let base_path = dir.path().join("base");
	let mut node = Node::start(
		&["--dev", "--base-path", base_path.to_str().unwrap()],
		dir.path().join("node.log"),
	);
	let client = node.client().await;
	alice_pays_bob(&client, 7 * studio_runtime::UNIT).await;
	let bob_before = free_balance(&client, dev::bob().public_key().0).await;
	let (best_before, _) = heights(&node.rpc().await).await.unwrap();
	drop(client);

	node.restart();

	let rpc = node.rpc().await;
	let (best_after, _) = heights(&rpc).await.unwrap();
	assert!(best_after >= best_before, "the chain went back from {best_before} to {best_after}");
	let client = node.client().await;
	assert_eq!(free_balance(&client, dev::bob().public_key().0).await, bob_before);
	// And it goes on producing and finalizing blocks on top of the old chain.
	wait_for_finalized(&rpc, best_before + 2, Duration::from_secs(60)).await;
}

#[test]
fn a_missing_chain_spec_file_is_named_in_the_error() {
	let (status, output) =
		run_to_exit(&["--chain", "/nonexistent/studio-spec.json", "--tmp"], Duration::from_secs(60));
	assert!(!status.success());
	assert!(
		output.contains("chain spec file `/nonexistent/studio-spec.json` does not exist"),
		"unexpected output: {output}"
	);
}

#[test]
fn a_malformed_chain_spec_is_refused() {
	let dir = tempfile::tempdir().unwrap();
	let spec = dir.path().join("broken.json");
	std::fs::write(&spec, "{ \"name\": \"half a spec\", ").unwrap();
	let (status, output) =
		run_to_exit(&["--chain", spec.to_str().unwrap(), "--tmp"], Duration::from_secs(60));
	assert!(!status.success());
	assert!(output.contains("is not a valid chain spec"), "unexpected output: {output}");
}

#[test]
fn an_rpc_port_in_use_is_refused_with_its_address() {
	let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
	let port = taken.local_addr().unwrap().port().to_string();
	let (status, output) =
		run_to_exit(&["--dev", "--tmp", "--rpc-port", &port], Duration::from_secs(60));
	assert!(!status.success());
	assert!(
		output.contains(&format!("cannot serve JSON-RPC on 127.0.0.1:{port}")),
		"unexpected output: {output}"
	);
}

#[tokio::test]
async fn rpc_answers_only_on_loopback_by_default() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	node.rpc().await;
	let log = wait_for("the RPC server's address in the log", Duration::from_secs(30), || async {
		let log = node.log();
		log.contains("Running JSON-RPC server").then_some(log)
	})
	.await;
	let line = log.lines().find(|l| l.contains("Running JSON-RPC server")).unwrap();
	assert!(line.contains(&format!("127.0.0.1:{}", node.rpc_port)), "{line}");
	assert!(!line.contains("0.0.0.0"), "{line}");
}
