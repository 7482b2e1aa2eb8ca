//! What every studio call costs: its fee at a multiplier of 1, from the weight it declares
//! (the measured weights, at each call's worst case, and its transaction extensions') and its
//! length as a signed extrinsic.
//! `cargo test --release -p studio-runtime every_studio_call -- --nocapture` prints the table
//! `docs/performance.md` shows.

use crate::{configs::TRANSFER_WEIGHT_FEE, Runtime, RuntimeCall, UNIT};
use codec::Encode;
use frame_support::{dispatch::GetDispatchInfo, BoundedVec};
use pallet_circuit_breaker::{Decision, Scope};
use pallet_job_escrow::{
	Finding, ImageFormat, JobKind, JobSpec, OnRejection, OutputSpec, Prompt, ResultReport,
};
use pallet_studio_governance::{GovernanceAction, StudioParameter};
use sp_keyring::Sr25519Keyring;
use sp_runtime::Permill;

/// `call` signed by Alice (with a blank signature: nothing checks it here), its extensions as
/// a wallet sets them, so that its dispatch info counts what the extensions weigh.
pub(crate) fn signed(call: RuntimeCall) -> crate::UncheckedExtrinsic {
	let signature = sp_runtime::MultiSignature::Sr25519(sp_core::sr25519::Signature::from_raw([0; 64]));
	crate::UncheckedExtrinsic::new_signed(call, Sr25519Keyring::Alice.to_account_id().into(), signature, crate::configs::wallet_extension())
}

/// A CIDv1 (raw, sha2-256) of 36 bytes.
fn cid() -> studio_primitives::CidBytes {
	let mut bytes = vec![0x01, 0x55, 0x12, 0x20];
	bytes.extend_from_slice(&[0xab; 32]);
	bytes.try_into().unwrap()
}

/// The studio's calls, each with arguments of a typical size, named as the CLI names them.
fn studio_calls() -> Vec<(&'static str, RuntimeCall)> {
	use pallet_job_escrow::Call as Escrow;
	let account = Sr25519Keyring::Bob.to_account_id();
	let spec = JobSpec {
		kind: JobKind::Generate,
		model: 0,
		style: 0,
		prompt: Prompt::Text(b"an amber eye, painterly, under a low sun".to_vec().try_into().unwrap()),
		parents: BoundedVec::new(),
		seed: 42,
		output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
		candidates: 16,
		deadline: 1_000,
		on_rejection: OnRejection::Reopen,
		curation: None,
	};
	let report = ResultReport {
		output: cid(),
		style_deviation: Permill::from_percent(12),
		quality: Permill::from_percent(80),
		weights_hash: [7; 32],
		settings: br#"{"lineage":[0,3,7],"mutation":0.05}"#.to_vec().try_into().unwrap(),
		candidates_tried: 16,
	};
	let tighten = GovernanceAction::SetParameter { parameter: StudioParameter::MaxStyleDeviation, value: 200_000 };
	vec![
		("balances.transfer_keep_alive", RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: account.clone().into(), value: UNIT })),
		("escrow.register_worker", RuntimeCall::JobEscrow(Escrow::register_worker { bond: 50 * UNIT, capabilities: vec![0].try_into().unwrap() })),
		("escrow.bond_extra", RuntimeCall::JobEscrow(Escrow::bond_extra { amount: UNIT })),
		("escrow.set_content_address", RuntimeCall::JobEscrow(Escrow::set_content_address { address: b"/ip4/198.51.100.7/tcp/4001/p2p/12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz".to_vec().try_into().unwrap() })),
		("escrow.unregister_worker", RuntimeCall::JobEscrow(Escrow::unregister_worker {})),
		("escrow.withdraw_bond", RuntimeCall::JobEscrow(Escrow::withdraw_bond {})),
		("escrow.submit_job", RuntimeCall::JobEscrow(Escrow::submit_job { spec: Box::new(spec), bounty: 10 * UNIT })),
		("escrow.cancel_job", RuntimeCall::JobEscrow(Escrow::cancel_job { job: 7 })),
		("escrow.claim_job", RuntimeCall::JobEscrow(Escrow::claim_job { job: 7 })),
		("escrow.release_claim", RuntimeCall::JobEscrow(Escrow::release_claim { job: 7 })),
		("escrow.submit_result", RuntimeCall::JobEscrow(Escrow::submit_result { job: 7, report })),
		("escrow.accept_result", RuntimeCall::JobEscrow(Escrow::accept_result { job: 7 })),
		("escrow.settle", RuntimeCall::JobEscrow(Escrow::settle { job: 7 })),
		("escrow.expire", RuntimeCall::JobEscrow(Escrow::expire { job: 7 })),
		("escrow.challenge", RuntimeCall::JobEscrow(Escrow::challenge { job: 7 })),
		("escrow.commit_finding", RuntimeCall::JobEscrow(Escrow::commit_finding { job: 7, commitment: [1; 32] })),
		("escrow.reveal_finding", RuntimeCall::JobEscrow(Escrow::reveal_finding { job: 7, finding: Finding::Unavailable, salt: [2; 32] })),
		("provenance.register_external", RuntimeCall::Provenance(pallet_provenance::Call::register_external { cid: cid(), parents: Default::default() })),
		("provenance.transfer_asset", RuntimeCall::Provenance(pallet_provenance::Call::transfer_asset { cid: cid(), to: account.clone().into() })),
		("governance.propose", RuntimeCall::StudioGovernance(pallet_studio_governance::Call::propose { action: Box::new(tighten) })),
		("governance.vote", RuntimeCall::StudioGovernance(pallet_studio_governance::Call::vote { proposal: 3, aye: true, amount: 100 * UNIT })),
		("governance.unlock", RuntimeCall::StudioGovernance(pallet_studio_governance::Call::unlock {})),
		("governance.close", RuntimeCall::StudioGovernance(pallet_studio_governance::Call::close { proposal: 3 })),
		("breaker.halt", RuntimeCall::CircuitBreaker(pallet_circuit_breaker::Call::halt { scope: Scope::Agent(account) })),
		("breaker.review", RuntimeCall::CircuitBreaker(pallet_circuit_breaker::Call::review { incident: 3, decision: Decision::Retire })),
		("curation.stake", RuntimeCall::Curation(pallet_curation::Call::stake { job: 7, finalist: 1, amount: 10 * UNIT })),
		("curation.withdraw_stake", RuntimeCall::Curation(pallet_curation::Call::withdraw_stake { job: 7 })),
		("curation.close_curation", RuntimeCall::Curation(pallet_curation::Call::close_curation { job: 7 })),
	]
}

#[test]
fn every_studio_call_pays_at_least_a_transfer_and_fits_in_a_block() {
	type Payment = pallet_transaction_payment::Pallet<Runtime>;
	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = weights.get(frame_support::dispatch::DispatchClass::Normal).max_extrinsic.unwrap();
	sp_io::TestExternalities::default().execute_with(|| {
		let rows: Vec<_> = studio_calls()
			.into_iter()
			.map(|(name, call)| {
				let extrinsic = signed(call);
				let length = extrinsic.encoded_size() as u32;
				let info = extrinsic.get_dispatch_info();
				(name, length, info.total_weight(), Payment::compute_fee(length, &info, 0))
			})
			.collect();
		let transfer_fee = rows[0].3;
		println!("| call | declared weight with extensions (µs, proof KiB) | length | fee (STU) | ÷ transfer |");
		println!("|---|---|---|---|---|");
		for (name, length, weight, fee) in &rows {
			println!(
				"| `{name}` | {:.0} µs, {:.1} KiB | {length} B | {:.4} | {:.1}× |",
				weight.ref_time() as f64 / 1e6,
				weight.proof_size() as f64 / 1024.0,
				*fee as f64 / UNIT as f64,
				*fee as f64 / transfer_fee as f64
			);
			assert!(*fee >= TRANSFER_WEIGHT_FEE / 2, "{name} costs less than half a transfer: {fee}");
			assert!(weight.all_lte(normal), "{name} declares more than a normal extrinsic may weigh");
		}
	});
}
