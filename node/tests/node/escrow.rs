//! The job escrow and provenance through the real node: a client pays for a job, a dev worker
//! registers, claims and delivers, the challenge window passes, settlement pays the worker and
//! the treasury, and `ProvenanceApi` answers for the output over `state_call`. On the same
//! chain, the security review's attacks on the escrow (C2, H5, H6) are sent as an attacker
//! would, and fail.

use crate::{
	harness::{account_data, free_balance, heights, submit, submit_and_fail, treasury, wait_for, Node},
	studio::{
		bytes_of, cid_of, event, field_u128, job_status, job_spec, provenance_api,
		register_generator_and_style, register_worker, report, set_field, sha2_256, submit_job, Ask,
		BOUNTY, PLAIN,
	},
};
use pallet_provenance::{Ancestor, AssetRecordOf};
use std::time::Duration;
use studio_primitives::{AssetStatus, CidBytes};
use studio_runtime::{Runtime, UNIT};
use subxt::{
	dynamic::{self, At, Value},
	rpcs::methods::LegacyRpcMethods,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::dev;

/// The escrow's own account, which keeps live jobs' bounties.
fn escrow_account() -> [u8; 32] {
	studio_runtime::JobEscrow::escrow_account().into()
}

#[tokio::test]
async fn a_worker_delivers_a_job_is_paid_after_the_window_and_provenance_answers() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let (alice, bob) = (dev::alice(), dev::bob());
	let bob_account = bob.public_key().0;
	let (model, style) = register_generator_and_style(&client).await;

	// Alice registers her sketch as a lineage root while Bob registers as a worker.
	let sketch = cid_of(b"alice's pencil sketch");
	let register_sketch = dynamic::transaction(
		"Provenance",
		"register_external",
		(Value::from_bytes(&sketch), Value::unnamed_composite([])),
	);
	tokio::join!(submit(&client, &register_sketch, &alice), register_worker(&client, model, &bob));

	let spec = job_spec(&rpc, model, style, b"an amber eye", Ask { parents: &[sketch.clone()], seed: 42, candidates: 4 })
		.await;
	let escrow_before = free_balance(&client, escrow_account()).await;
	let job = submit_job(&client, spec, &alice).await;
	// The bounty left Alice's account for the escrow's: all she has on hold is the 1 UNIT
	// deposit of her sketch's registration.
	let alice_after_submit = account_data(&client, alice.public_key().0).await;
	assert_eq!(alice_after_submit.at("reserved").and_then(|v| v.as_u128()), Some(UNIT));
	assert_eq!(free_balance(&client, escrow_account()).await - escrow_before, BOUNTY);

	submit(&client, &dynamic::transaction("JobEscrow", "claim_job", (job,)), &bob).await;
	let output = cid_of(b"the png the worker made");
	let result = dynamic::transaction("JobEscrow", "submit_result", (job, report(&output, 60_000)));
	let events = submit(&client, &result, &bob).await;
	event(&events, "JobEscrow", "ResultDelivered");
	event(&events, "Provenance", "AssetRecorded");

	// From here on nobody transacts: every change of balance is the settlement's.
	let bob_before = free_balance(&client, bob_account).await;
	let treasury_before = free_balance(&client, treasury()).await;
	let alice_free_before = free_balance(&client, alice.public_key().0).await;
	wait_for("the job to settle after the challenge window", Duration::from_secs(90), || {
		let client = client.clone();
		async move { (job_status(&client, job).await == "Settled").then_some(()) }
	})
	.await;
	let fee = BOUNTY * 5 / 100;
	assert_eq!(free_balance(&client, bob_account).await - bob_before, BOUNTY - fee);
	assert_eq!(free_balance(&client, treasury()).await - treasury_before, fee);
	let alice_after = account_data(&client, alice.public_key().0).await;
	assert_eq!(alice_after.at("free").and_then(|v| v.as_u128()), Some(alice_free_before));
	assert_eq!(free_balance(&client, escrow_account()).await, escrow_before);

	// The record, its lineage and the sketch's derivatives, as any RPC client reads them.
	let output_cid = CidBytes::try_from(output.clone()).unwrap();
	let record: Option<AssetRecordOf<Runtime>> =
		provenance_api(&rpc, "asset", output_cid.clone()).await;
	let record = record.expect("the output has a provenance record");
	assert_eq!(<[u8; 32]>::from(record.creator.clone()), alice.public_key().0);
	assert_eq!(record.status, AssetStatus::Final);
	let generation = record.generation.expect("a generated asset says how");
	assert_eq!(<[u8; 32]>::from(generation.worker), bob_account);
	assert_eq!((generation.job, generation.model as u128, generation.seed), (job, model, 42));
	assert_eq!(generation.weights_hash, crate::studio::WEIGHTS_HASH);
	assert_eq!(generation.prompt_hash, sha2_256(b"an amber eye"));
	assert_eq!(generation.style_deviation.deconstruct(), 60_000);
	assert_eq!(record.parents.to_vec(), vec![CidBytes::try_from(sketch.clone()).unwrap()]);

	let lineage: Vec<Ancestor> = provenance_api(&rpc, "lineage", (output_cid.clone(), 5u32)).await;
	assert_eq!(lineage, vec![Ancestor { cid: CidBytes::try_from(sketch.clone()).unwrap(), depth: 1 }]);
	let derivatives: Vec<CidBytes> =
		provenance_api(&rpc, "derivatives", CidBytes::try_from(sketch).unwrap()).await;
	assert_eq!(derivatives, vec![output_cid]);
	let unknown: Option<AssetRecordOf<Runtime>> =
		provenance_api(&rpc, "asset", CidBytes::try_from(cid_of(b"nothing")).unwrap()).await;
	assert!(unknown.is_none());

	attacks_on_the_escrow_fail(&client, &rpc, model, style).await;
}

/// C2, H5 and H6 of the security review, on the running chain: Bob is a registered worker.
async fn attacks_on_the_escrow_fail(
	client: &OnlineClient<PolkadotConfig>,
	rpc: &LegacyRpcMethods<subxt::config::RpcConfigFor<PolkadotConfig>>,
	model: u128,
	style: u128,
) {
	let (bob, charlie, dave) = (dev::bob(), dev::charlie(), dev::dave());

	// H5: a deadline that leaves the worker no whole claim window is refused.
	let mut trap = job_spec(rpc, model, style, b"a trap", PLAIN).await;
	let (best, _) = heights(rpc).await.unwrap();
	set_field(&mut trap, "deadline", Value::u128(u128::from(best) + 5));
	let refused = submit_and_fail(
		client,
		&dynamic::transaction("JobEscrow", "submit_job", (trap, Value::u128(BOUNTY))),
		&charlie,
	)
	.await;
	assert!(refused.contains("DeadlineTooSoon"), "{refused}");

	// C2: Charlie submits a job, votes (nearly) everything it has on a proposal, and tries to
	// move the bounty's worth out.
	let tighten = Value::named_variant(
		"SetParameter",
		[
			("parameter", Value::unnamed_variant("MaxStyleDeviation", [])),
			("value", Value::u128(90_000)),
		],
	);
	let proposed = submit(client, &dynamic::transaction("StudioGovernance", "propose", (tighten,)), &dave).await;
	let proposal = field_u128(event(&proposed, "StudioGovernance", "Proposed"), "proposal");
	let spec = job_spec(rpc, model, style, b"a frozen client's eye", PLAIN).await;
	let job = submit_job(client, spec, &charlie).await;
	let charlie_free = free_balance(client, charlie.public_key().0).await;
	let everything_but_fees = charlie_free - UNIT;
	let vote = dynamic::transaction(
		"StudioGovernance",
		"vote",
		(Value::u128(proposal), Value::bool(true), Value::u128(everything_but_fees)),
	);
	submit(client, &vote, &charlie).await;
	let move_out = dynamic::transaction(
		"Balances",
		"transfer_keep_alive",
		(Value::unnamed_variant("Id", [Value::from_bytes(dave.public_key().0)]), Value::u128(BOUNTY)),
	);
	let frozen = submit_and_fail(client, &move_out, &charlie).await;
	assert!(frozen.contains("Frozen"), "{frozen}");

	// H6: Bob claims; Dave reads the output CID of Bob's pending result and registers it first.
	submit(client, &dynamic::transaction("JobEscrow", "claim_job", (job,)), &bob).await;
	let output = cid_of(b"the design Dave wants to squat");
	let squat = dynamic::transaction(
		"Provenance",
		"register_external",
		(Value::from_bytes(&output), Value::unnamed_composite([])),
	);
	submit(client, &squat, &dave).await;
	let result = dynamic::transaction("JobEscrow", "submit_result", (job, report(&output, 60_000)));
	let events = submit(client, &result, &bob).await;
	event(&events, "JobEscrow", "ResultDelivered");
	let superseded = event(&events, "Provenance", "ExternalSuperseded");
	assert_eq!(bytes_of(superseded, "registrar"), dave.public_key().0.to_vec());
	let record: Option<AssetRecordOf<Runtime>> =
		provenance_api(rpc, "asset", CidBytes::try_from(output).unwrap()).await;
	let record = record.expect("the output is recorded");
	assert_eq!(<[u8; 32]>::from(record.creator), charlie.public_key().0);

	// The frozen client's worker is paid in full when the window ends.
	let bob_before = free_balance(client, bob.public_key().0).await;
	wait_for("the frozen client's job to settle", Duration::from_secs(90), || {
		let client = client.clone();
		async move { (job_status(&client, job).await == "Settled").then_some(()) }
	})
	.await;
	let fee = BOUNTY * 5 / 100;
	assert_eq!(free_balance(client, bob.public_key().0).await - bob_before, BOUNTY - fee);
}

