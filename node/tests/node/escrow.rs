//! The job escrow and provenance through the real node: a client pays for a job, a dev worker
//! registers, claims and delivers, the challenge window passes, settlement pays the worker and
//! the treasury, and `ProvenanceApi` answers for the output over `state_call`.

use crate::harness::{account_data, free_balance, heights, submit, treasury, wait_for, Node};
use codec::{Decode, Encode};
use pallet_provenance::{Ancestor, AssetRecordOf};
use sha2::{Digest, Sha256};
use std::time::Duration;
use studio_primitives::{AssetStatus, CidBytes};
use studio_runtime::{Runtime, UNIT};
use subxt::{
	dynamic::{self, At, Value},
	rpcs::methods::LegacyRpcMethods,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::dev;

/// The sha2-256 root approves for the test's generator.
const WEIGHTS_HASH: [u8; 32] = [0x5a; 32];
const BOUNTY: u128 = 100 * UNIT;
const BOND: u128 = 50 * UNIT;

fn sha2_256(content: &[u8]) -> [u8; 32] {
	Sha256::digest(content).into()
}

/// The raw-codec CIDv1 of `content`.
fn cid_of(content: &[u8]) -> Vec<u8> {
	[&[0x01, 0x55, 0x12, 0x20][..], &sha2_256(content)[..]].concat()
}

fn field_u128(fields: &Value, name: &str) -> u128 {
	fields.at(name).and_then(|v| v.as_u128()).unwrap_or_else(|| panic!("no field {name} in {fields}"))
}

/// The fields of the first `pallet::event` in `events`.
fn event<'a>(events: &'a [(String, String, Value)], pallet: &str, name: &str) -> &'a Value {
	events
		.iter()
		.find(|(p, e, _)| p == pallet && e == name)
		.map(|(_, _, fields)| fields)
		.unwrap_or_else(|| panic!("no {pallet}::{name} in {events:?}"))
}

fn permill(parts: u32) -> Value {
	Value::unnamed_composite([Value::u128(parts.into())])
}

/// Calls a `ProvenanceApi` function over `state_call` and decodes its answer.
async fn provenance_api<R: Decode>(
	rpc: &LegacyRpcMethods<subxt::config::RpcConfigFor<PolkadotConfig>>,
	function: &str,
	args: impl Encode,
) -> R {
	let bytes = rpc
		.state_call(&format!("ProvenanceApi_{function}"), Some(&args.encode()), None)
		.await
		.unwrap_or_else(|e| panic!("ProvenanceApi_{function} over state_call: {e}"));
	R::decode(&mut &bytes[..]).unwrap()
}

/// Root approves a generator and adds a style; returns their ids.
async fn register_generator_and_style(client: &OnlineClient<PolkadotConfig>) -> (u128, u128) {
	let force_enact = |action: Value| {
		Value::unnamed_variant(
			"StudioGovernance",
			[Value::named_variant("force_enact", [("action", action)])],
		)
	};
	let approve = Value::named_variant(
		"ApproveModel",
		[
			("name", Value::from_bytes(b"test generator")),
			("kind", Value::unnamed_variant("Generator", [])),
			("weights_hash", Value::from_bytes(WEIGHTS_HASH)),
			("version", Value::u128(1)),
		],
	);
	let style = Value::named_variant(
		"AddStyle",
		[
			("name", Value::from_bytes(b"amber painterly")),
			("reference", Value::unnamed_composite([500_000i128, -250_000, 125_000].map(Value::i128))),
		],
	);
	let batch = Value::unnamed_variant(
		"Utility",
		[Value::named_variant(
			"batch_all",
			[("calls", Value::unnamed_composite([force_enact(approve), force_enact(style)]))],
		)],
	);
	let events =
		submit(client, &dynamic::transaction("Sudo", "sudo", (batch,)), &dev::alice()).await;
	(
		field_u128(event(&events, "StudioGovernance", "ModelApproved"), "model"),
		field_u128(event(&events, "StudioGovernance", "StyleAdded"), "style"),
	)
}

/// The status variant of a job at the current finalized block.
async fn job_status(client: &OnlineClient<PolkadotConfig>, job: u64) -> String {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(u64,), Value>("JobEscrow", "Jobs");
	let info = at.storage().fetch(address, (job,)).await.unwrap().decode().unwrap();
	let status = info.at("status").expect("a job has a status");
	match &status.value {
		subxt::ext::scale_value::ValueDef::Variant(variant) => variant.name.clone(),
		other => panic!("a status is a variant, not {other:?}"),
	}
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
	let register_worker = dynamic::transaction(
		"JobEscrow",
		"register_worker",
		(Value::u128(BOND), Value::unnamed_composite([Value::u128(model)])),
	);
	let (_, registered) = tokio::join!(
		submit(&client, &register_sketch, &alice),
		submit(&client, &register_worker, &bob)
	);
	event(&registered, "JobEscrow", "WorkerRegistered");

	let (best, _) = heights(&rpc).await.unwrap();
	let spec = Value::named_composite([
		("model", Value::u128(model)),
		("style", Value::u128(style)),
		("prompt", Value::unnamed_variant("Text", [Value::from_bytes(b"an amber eye")])),
		("parents", Value::unnamed_composite([Value::from_bytes(&sketch)])),
		("seed", Value::u128(42)),
		(
			"output",
			Value::named_composite([
				("format", Value::unnamed_variant("Png", [])),
				("width", Value::u128(128)),
				("height", Value::u128(128)),
			]),
		),
		("candidates", Value::u128(4)),
		("deadline", Value::u128(u128::from(best) + 200)),
		("on_rejection", Value::unnamed_variant("Reopen", [])),
	]);
	let events = submit(
		&client,
		&dynamic::transaction("JobEscrow", "submit_job", (spec, Value::u128(BOUNTY))),
		&alice,
	)
	.await;
	let job = field_u128(event(&events, "JobEscrow", "JobSubmitted"), "job") as u64;
	let alice_after_submit = account_data(&client, alice.public_key().0).await;
	assert_eq!(alice_after_submit.at("reserved").and_then(|v| v.as_u128()), Some(BOUNTY));

	submit(&client, &dynamic::transaction("JobEscrow", "claim_job", (job,)), &bob).await;
	let output = cid_of(b"the png the worker made");
	let report = Value::named_composite([
		("output", Value::from_bytes(&output)),
		("style_deviation", permill(120_000)),
		("quality", permill(800_000)),
		("weights_hash", Value::from_bytes(WEIGHTS_HASH)),
		("settings_hash", Value::from_bytes([3u8; 32])),
		("candidates_tried", Value::u128(16)),
	]);
	let events =
		submit(&client, &dynamic::transaction("JobEscrow", "submit_result", (job, report)), &bob)
			.await;
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
	assert_eq!(alice_after.at("reserved").and_then(|v| v.as_u128()), Some(0));
	assert_eq!(alice_after.at("free").and_then(|v| v.as_u128()), Some(alice_free_before));

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
	assert_eq!(generation.weights_hash, WEIGHTS_HASH);
	assert_eq!(generation.prompt_hash, sha2_256(b"an amber eye"));
	assert_eq!(generation.style_deviation.deconstruct(), 120_000);
	assert_eq!(record.parents.to_vec(), vec![CidBytes::try_from(sketch.clone()).unwrap()]);

	let lineage: Vec<Ancestor> = provenance_api(&rpc, "lineage", (output_cid.clone(), 5u32)).await;
	assert_eq!(lineage, vec![Ancestor { cid: CidBytes::try_from(sketch.clone()).unwrap(), depth: 1 }]);
	let derivatives: Vec<CidBytes> =
		provenance_api(&rpc, "derivatives", CidBytes::try_from(sketch).unwrap()).await;
	assert_eq!(derivatives, vec![output_cid]);
	let unknown: Option<AssetRecordOf<Runtime>> =
		provenance_api(&rpc, "asset", CidBytes::try_from(cid_of(b"nothing")).unwrap()).await;
	assert!(unknown.is_none());
}
