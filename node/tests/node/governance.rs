//! Studio governance through the real node: dev accounts propose, vote on and close a
//! tightening change over RPC, and the new value is read back from chain state.

use crate::harness::{submit, wait_for, Node};
use std::time::Duration;
use subxt::{
	dynamic::{self, At, Value},
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::dev;

/// The value of a studio parameter at the current finalized block.
async fn parameter(client: &OnlineClient<PolkadotConfig>, name: &str) -> u128 {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(Value,), u128>("StudioGovernance", "ParameterValues");
	let key = (Value::unnamed_variant(name, []),);
	at.storage().fetch(address, key).await.unwrap().decode().unwrap()
}

fn field_u128(fields: &Value, name: &str) -> u128 {
	fields.at(name).and_then(|v| v.as_u128()).unwrap_or_else(|| panic!("no field {name} in {fields}"))
}

#[tokio::test]
async fn dev_accounts_tighten_the_deviation_limit_by_vote() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let before = parameter(&client, "MaxStyleDeviation").await;
	let lowered = before - 50_000;

	let action = Value::named_variant(
		"SetParameter",
		[
			("parameter", Value::unnamed_variant("MaxStyleDeviation", [])),
			("value", Value::u128(lowered)),
		],
	);
	let events =
		submit(&client, &dynamic::transaction("StudioGovernance", "propose", (action,)), &dev::alice())
			.await;
	let (_, _, proposed) = events
		.iter()
		.find(|(p, e, _)| p == "StudioGovernance" && e == "Proposed")
		.expect("a Proposed event");
	let proposal = field_u128(proposed, "proposal") as u32;
	let voting_ends = field_u128(proposed, "voting_ends") as u32;
	assert!(
		format!("{}", proposed.at("track").unwrap()).contains("Fast"),
		"a tightening change runs on the fast track: {proposed}"
	);

	// Alice and Bob vote at once, well within the fast track's ten blocks.
	let stake = 600_000 * studio_runtime::UNIT;
	let vote = dynamic::transaction("StudioGovernance", "vote", (proposal, true, stake));
	let (alice, bob) = (dev::alice(), dev::bob());
	let (alice_voted, bob_voted) =
		tokio::join!(submit(&client, &vote, &alice), submit(&client, &vote, &bob));
	for events in [alice_voted, bob_voted] {
		assert!(events.iter().any(|(p, e, _)| p == "StudioGovernance" && e == "Voted"));
	}

	wait_for("the end of the voting period", Duration::from_secs(60), || {
		let client = client.clone();
		async move {
			let best = client.stream_best_blocks().await.ok()?.next().await?.ok()?;
			(best.number() > voting_ends as u64).then_some(())
		}
	})
	.await;
	let events =
		submit(&client, &dynamic::transaction("StudioGovernance", "close", (proposal,)), &dev::charlie())
			.await;
	assert!(events.iter().any(|(p, e, _)| p == "StudioGovernance" && e == "Enacted"));

	// Read back from finalized state once the close is final.
	wait_for("the new value in finalized state", Duration::from_secs(60), || {
		let client = client.clone();
		async move { (parameter(&client, "MaxStyleDeviation").await == lowered).then_some(()) }
	})
	.await;
}
