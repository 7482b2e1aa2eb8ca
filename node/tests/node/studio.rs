//! What the studio's end-to-end tests share: a registered generator and style, jobs, results,
//! and reading events and job states.

use crate::harness::{heights, submit};
use codec::{Decode, Encode};
use sha2::{Digest, Sha256};
use studio_runtime::UNIT;
use subxt::{
	dynamic::{self, At, Value},
	rpcs::methods::LegacyRpcMethods,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};

/// The sha2-256 root approves for the test's generator.
pub const WEIGHTS_HASH: [u8; 32] = [0x5a; 32];
pub const BOUNTY: u128 = 100 * UNIT;
pub const BOND: u128 = 50 * UNIT;

pub fn sha2_256(content: &[u8]) -> [u8; 32] {
	Sha256::digest(content).into()
}

/// The raw-codec CIDv1 of `content`.
pub fn cid_of(content: &[u8]) -> Vec<u8> {
	[&[0x01, 0x55, 0x12, 0x20][..], &sha2_256(content)[..]].concat()
}

pub fn field_u128(fields: &Value, name: &str) -> u128 {
	fields.at(name).and_then(|v| v.as_u128()).unwrap_or_else(|| panic!("no field {name} in {fields}"))
}

/// The fields of the first `pallet::event` in `events`.
pub fn event<'a>(events: &'a [(String, String, Value)], pallet: &str, name: &str) -> &'a Value {
	events
		.iter()
		.find(|(p, e, _)| p == pallet && e == name)
		.map(|(_, _, fields)| fields)
		.unwrap_or_else(|| panic!("no {pallet}::{name} in {events:?}"))
}

pub fn permill(parts: u32) -> Value {
	Value::unnamed_composite([Value::u128(parts.into())])
}

/// Root approves a generator and adds a style; returns their ids.
pub async fn register_generator_and_style(client: &OnlineClient<PolkadotConfig>) -> (u128, u128) {
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
			("blend", Value::unnamed_composite([])),
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

/// The status variant of a job at the current finalized block (`"NotFinalYet"` before the
/// block that submitted it is final).
pub async fn job_status(client: &OnlineClient<PolkadotConfig>, job: u64) -> String {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(u64,), Value>("JobEscrow", "Jobs");
	let Some(info) = at.storage().try_fetch(address, (job,)).await.unwrap() else { return "NotFinalYet".into() };
	let info = info.decode().unwrap();
	let status = info.at("status").expect("a job has a status");
	match &status.value {
		subxt::ext::scale_value::ValueDef::Variant(variant) => variant.name.clone(),
		other => panic!("a status is a variant, not {other:?}"),
	}
}

/// What a test job asks for besides its model, style and prompt.
pub struct Ask<'a> {
	pub parents: &'a [Vec<u8>],
	pub seed: u64,
	pub candidates: u32,
}

/// Seed 42, 4 candidates, no parents.
pub const PLAIN: Ask<'static> = Ask { parents: &[], seed: 42, candidates: 4 };

/// The spec of a job on `model` in `style`: a 128×128 PNG due in 200 blocks.
pub async fn job_spec(
	rpc: &LegacyRpcMethods<subxt::config::RpcConfigFor<PolkadotConfig>>,
	model: u128,
	style: u128,
	prompt: &[u8],
	ask: Ask<'_>,
) -> Value {
	let (best, _) = heights(rpc).await.unwrap();
	Value::named_composite([
		("kind", Value::unnamed_variant("Generate", [])),
		("model", Value::u128(model)),
		("style", Value::u128(style)),
		("prompt", Value::unnamed_variant("Text", [Value::from_bytes(prompt)])),
		("parents", Value::unnamed_composite(ask.parents.iter().map(Value::from_bytes))),
		("seed", Value::u128(ask.seed.into())),
		(
			"output",
			Value::named_composite([
				("format", Value::unnamed_variant("Png", [])),
				("width", Value::u128(128)),
				("height", Value::u128(128)),
			]),
		),
		("candidates", Value::u128(ask.candidates.into())),
		("deadline", Value::u128(u128::from(best) + 200)),
		("on_rejection", Value::unnamed_variant("Reopen", [])),
		("curation", Value::unnamed_variant("None", [])),
	])
}

/// Sets field `name` of the composite `spec` (a job spec) to `value`.
pub fn set_field(spec: &mut Value, name: &str, value: Value) {
	let subxt::ext::scale_value::ValueDef::Composite(subxt::ext::scale_value::Composite::Named(fields)) = &mut spec.value else {
		panic!("a job spec is a named composite")
	};
	let field = fields.iter_mut().find(|(field, _)| field == name).unwrap_or_else(|| panic!("no field {name}"));
	field.1 = value;
}

/// `client` submits a job with `spec` and `BOUNTY`; returns its id.
pub async fn submit_job(client: &OnlineClient<PolkadotConfig>, spec: Value, signer: &Keypair) -> u64 {
	let call = dynamic::transaction("JobEscrow", "submit_job", (spec, Value::u128(BOUNTY)));
	let events = submit(client, &call, signer).await;
	field_u128(event(&events, "JobEscrow", "JobSubmitted"), "job") as u64
}

/// A result report for `output` with `deviation` parts per million, made with the test
/// generator's weights.
pub fn report(output: &[u8], deviation: u32) -> Value {
	Value::named_composite([
		("output", Value::from_bytes(output)),
		("style_deviation", permill(deviation)),
		("quality", permill(800_000)),
		("weights_hash", Value::from_bytes(WEIGHTS_HASH)),
		("settings", Value::from_bytes(br#"{"lineage":[0]}"#)),
		("candidates_tried", Value::u128(16)),
	])
}

/// `signer` registers as a worker for `model` with `BOND`.
pub async fn register_worker(client: &OnlineClient<PolkadotConfig>, model: u128, signer: &Keypair) {
	let call = dynamic::transaction(
		"JobEscrow",
		"register_worker",
		(Value::u128(BOND), Value::unnamed_composite([Value::u128(model)])),
	);
	let events = submit(client, &call, signer).await;
	event(&events, "JobEscrow", "WorkerRegistered");
}

/// Calls a `ProvenanceApi` function over `state_call` and decodes its answer.
pub async fn provenance_api<R: Decode>(
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

/// The raw bytes of a byte-sequence field (a `Vec<u8>`, or a `BoundedVec` around one).
pub fn bytes_of(fields: &Value, name: &str) -> Vec<u8> {
	bytes_in(fields.at(name).unwrap_or_else(|| panic!("no field {name} in {fields}")))
}

/// The bytes a decoded `Vec<u8>` or `BoundedVec<u8, _>` holds.
pub fn bytes_in(value: &Value) -> Vec<u8> {
	fn collect(value: &Value, bytes: &mut Vec<u8>) {
		match &value.value {
			subxt::ext::scale_value::ValueDef::Composite(composite) => composite.values().for_each(|inner| collect(inner, bytes)),
			subxt::ext::scale_value::ValueDef::Primitive(_) => bytes.push(value.as_u128().and_then(|b| u8::try_from(b).ok()).expect("a byte")),
			other => panic!("not bytes: {other:?}"),
		}
	}
	let mut bytes = Vec::new();
	collect(value, &mut bytes);
	bytes
}
