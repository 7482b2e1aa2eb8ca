//! The runtime fuzzer: random sequences of every studio call, from clients, workers, voters
//! and reviewers, with blocks (and their hooks) in between, through the real dispatch path.
//! After every call and every block it checks each pallet's invariants, that total issuance
//! moved only by the burns the rules allow, and that nothing panicked.
//!
//! The pass CI runs is short: `STUDIO_FUZZ_CASES` sequences (default 64) of
//! `STUDIO_FUZZ_STEPS` calls (default 150). `scripts/fuzz-runtime.sh` runs long passes and
//! prints how many calls they made.

use frame_support::{dispatch::GetDispatchInfo, weights::Weight, BoundedVec};
use pallet_circuit_breaker::{Decision, Scope};
use pallet_job_escrow::{ImageFormat, JobSpec, OnRejection, OutputSpec, Prompt, ResultReport};
use pallet_studio_governance::{GovernanceAction, StudioParameter};
use proptest::prelude::*;
use sp_runtime::{traits::Dispatchable, Permill};
use std::sync::atomic::{AtomicU64, Ordering};
use studio_test_runtime::*;

/// One thing an account does, or a block passing.
#[derive(Clone, Debug)]
enum Step {
	SubmitJob { client: usize, bounty: u64, deadline_in: u64, candidates: u32, style: u32, refund: bool, parent: Option<u8> },
	CancelJob { client: usize, job: u64 },
	Register { worker: usize, bond: u64, critic_too: bool },
	BondExtra { worker: usize, amount: u64 },
	Unregister { worker: usize },
	Withdraw { worker: usize },
	Claim { worker: usize, job: u64 },
	Deliver { worker: usize, job: u64, deviation: u32, quality: u32, cid: u8, right_weights: bool },
	Accept { client: usize, job: u64 },
	Settle { job: u64 },
	Expire { job: u64 },
	RegisterExternal { who: usize, cid: u8 },
	Propose { who: usize, parameter: usize, value: u128 },
	Vote { who: usize, proposal: u32, aye: bool, amount: u64 },
	Close { proposal: u32 },
	Unlock { who: usize },
	Halt { reviewer: usize, scope: u8 },
	Review { reviewer: usize, incident: u32, resume: bool },
	Transfer { from: usize, to: usize, amount: u64 },
	ClaimAndDeliverInABatch { worker: usize, job: u64, cid: u8 },
	Blocks { count: u8, idle: bool },
}

/// Every account that acts: clients, workers, reviewers.
const ACTORS: [u64; 8] = [1, 2, 11, 12, 13, 21, 22, 23];

fn actor(index: usize) -> u64 {
	ACTORS[index % ACTORS.len()]
}

fn step() -> impl Strategy<Value = Step> {
	let who = 0..ACTORS.len();
	let job = 0u64..24;
	prop_oneof![
		4 => (who.clone(), 1u64..400, 0u64..40, 0u32..10, 0u32..3, any::<bool>(), proptest::option::of(0u8..6))
			.prop_map(|(client, bounty, deadline_in, candidates, style, refund, parent)| Step::SubmitJob {
				client, bounty: bounty * UNIT / 4, deadline_in, candidates, style, refund, parent
			}),
		1 => (who.clone(), job.clone()).prop_map(|(client, job)| Step::CancelJob { client, job }),
		2 => (who.clone(), 0u64..80, any::<bool>())
			.prop_map(|(worker, bond, critic_too)| Step::Register { worker, bond: bond * UNIT, critic_too }),
		1 => (who.clone(), 1u64..30).prop_map(|(worker, amount)| Step::BondExtra { worker, amount: amount * UNIT }),
		1 => who.clone().prop_map(|worker| Step::Unregister { worker }),
		1 => who.clone().prop_map(|worker| Step::Withdraw { worker }),
		5 => (who.clone(), job.clone()).prop_map(|(worker, job)| Step::Claim { worker, job }),
		5 => (who.clone(), job.clone(), 0u32..700_000, 0u32..1_000_000, 0u8..12, prop::bool::weighted(0.9))
			.prop_map(|(worker, job, deviation, quality, cid, right_weights)| Step::Deliver {
				worker, job, deviation, quality, cid, right_weights
			}),
		2 => (who.clone(), job.clone()).prop_map(|(client, job)| Step::Accept { client, job }),
		1 => job.clone().prop_map(|job| Step::Settle { job }),
		1 => job.clone().prop_map(|job| Step::Expire { job }),
		2 => (who.clone(), 0u8..12).prop_map(|(who, cid)| Step::RegisterExternal { who, cid }),
		1 => (who.clone(), 0usize..12, 0u128..1_200_000)
			.prop_map(|(who, parameter, value)| Step::Propose { who, parameter, value }),
		2 => (who.clone(), 0u32..8, any::<bool>(), 1u64..12_000)
			.prop_map(|(who, proposal, aye, amount)| Step::Vote { who, proposal, aye, amount: amount * UNIT }),
		1 => (0u32..8).prop_map(|proposal| Step::Close { proposal }),
		1 => who.clone().prop_map(|who| Step::Unlock { who }),
		1 => (who.clone(), 0u8..5).prop_map(|(reviewer, scope)| Step::Halt { reviewer, scope }),
		2 => (who.clone(), 0u32..8, any::<bool>())
			.prop_map(|(reviewer, incident, resume)| Step::Review { reviewer, incident, resume }),
		2 => (who.clone(), who.clone(), 0u64..12_000)
			.prop_map(|(from, to, amount)| Step::Transfer { from, to, amount: amount * UNIT }),
		1 => (who.clone(), job.clone(), 0u8..12)
			.prop_map(|(worker, job, cid)| Step::ClaimAndDeliverInABatch { worker, job, cid }),
		4 => (1u8..15, prop::bool::weighted(0.8)).prop_map(|(count, idle)| Step::Blocks { count, idle }),
	]
}

fn spec(deadline_in: u64, candidates: u32, style: u32, refund: bool, parent: Option<u8>) -> pallet_job_escrow::JobSpecOf<Runtime> {
	JobSpec {
		model: GENERATOR,
		style,
		prompt: Prompt::Text(b"an eye".to_vec().try_into().unwrap()),
		parents: parent.map(|p| vec![cid_of(&[p])]).unwrap_or_default().try_into().unwrap(),
		seed: 1,
		output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
		candidates,
		deadline: System::block_number() + deadline_in,
		on_rejection: if refund { OnRejection::Refund } else { OnRejection::Reopen },
	}
}

fn report(deviation: u32, quality: u32, cid: u8, right_weights: bool) -> ResultReport {
	ResultReport {
		output: cid_of(&[cid]),
		style_deviation: Permill::from_parts(deviation),
		quality: Permill::from_parts(quality),
		weights_hash: if right_weights { GENERATOR_HASH } else { [9; 32] },
		settings_hash: [0; 32],
		candidates_tried: 8,
	}
}

/// The call a step sends, and who signs it (`None`: a block passes instead).
fn call_of(step: &Step) -> Option<(u64, RuntimeCall)> {
	use pallet_circuit_breaker::Call as Breaker;
	use pallet_job_escrow::Call as Escrow;
	use pallet_provenance::Call as Provenance;
	use pallet_studio_governance::Call as Governance;
	let call = match step.clone() {
		Step::SubmitJob { client, bounty, deadline_in, candidates, style, refund, parent } => (
			actor(client),
			RuntimeCall::Escrow(Escrow::submit_job {
				spec: Box::new(spec(deadline_in, candidates, style, refund, parent)),
				bounty,
			}),
		),
		Step::CancelJob { client, job } => (actor(client), RuntimeCall::Escrow(Escrow::cancel_job { job })),
		Step::Register { worker, bond, critic_too } => {
			let models = if critic_too { vec![GENERATOR, CRITIC] } else { vec![GENERATOR] };
			(
				actor(worker),
				RuntimeCall::Escrow(Escrow::register_worker { bond, capabilities: models.try_into().unwrap() }),
			)
		},
		Step::BondExtra { worker, amount } => (actor(worker), RuntimeCall::Escrow(Escrow::bond_extra { amount })),
		Step::Unregister { worker } => (actor(worker), RuntimeCall::Escrow(Escrow::unregister_worker {})),
		Step::Withdraw { worker } => (actor(worker), RuntimeCall::Escrow(Escrow::withdraw_bond {})),
		Step::Claim { worker, job } => (actor(worker), RuntimeCall::Escrow(Escrow::claim_job { job })),
		Step::Deliver { worker, job, deviation, quality, cid, right_weights } => (
			actor(worker),
			RuntimeCall::Escrow(Escrow::submit_result { job, report: report(deviation, quality, cid, right_weights) }),
		),
		Step::Accept { client, job } => (actor(client), RuntimeCall::Escrow(Escrow::accept_result { job })),
		Step::Settle { job } => (1, RuntimeCall::Escrow(Escrow::settle { job })),
		Step::Expire { job } => (2, RuntimeCall::Escrow(Escrow::expire { job })),
		Step::RegisterExternal { who, cid } => (
			actor(who),
			RuntimeCall::Provenance(Provenance::register_external { cid: cid_of(&[cid]), parents: BoundedVec::new() }),
		),
		Step::Propose { who, parameter, value } => {
			let parameter = StudioParameter::ALL[parameter % StudioParameter::ALL.len()];
			let action = GovernanceAction::SetParameter { parameter, value };
			(actor(who), RuntimeCall::Governance(Governance::propose { action: Box::new(action) }))
		},
		Step::Vote { who, proposal, aye, amount } =>
			(actor(who), RuntimeCall::Governance(Governance::vote { proposal, aye, amount })),
		Step::Close { proposal } => (1, RuntimeCall::Governance(Governance::close { proposal })),
		Step::Unlock { who } => (actor(who), RuntimeCall::Governance(Governance::unlock {})),
		Step::Halt { reviewer, scope } => {
			let scope = match scope {
				0 => Scope::Studio,
				1 => Scope::Model(GENERATOR),
				other => Scope::Agent(WORKERS[other as usize % WORKERS.len()]),
			};
			(actor(reviewer), RuntimeCall::Breaker(Breaker::halt { scope }))
		},
		Step::Review { reviewer, incident, resume } => {
			let decision = if resume { Decision::Resume } else { Decision::Retire };
			(actor(reviewer), RuntimeCall::Breaker(Breaker::review { incident, decision }))
		},
		Step::Transfer { from, to, amount } => (
			actor(from),
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: actor(to), value: amount }),
		),
		Step::ClaimAndDeliverInABatch { worker, job, cid } => (
			actor(worker),
			RuntimeCall::Utility(pallet_utility::Call::batch_all {
				calls: vec![
					RuntimeCall::Escrow(Escrow::claim_job { job }),
					RuntimeCall::Escrow(Escrow::submit_result { job, report: report(50_000, 900_000, cid, true) }),
				],
			}),
		),
		Step::Blocks { .. } => return None,
	};
	Some(call)
}

/// What the governance pallet burned in the events since `from` (failed and expired
/// proposals' deposits): the only way total issuance may move here.
fn burned_since(from: usize) -> u64 {
	System::events()[from..]
		.iter()
		.map(|record| match &record.event {
			RuntimeEvent::Governance(pallet_studio_governance::Event::Rejected { burned, .. }) |
			RuntimeEvent::Governance(pallet_studio_governance::Event::Expired { burned, .. }) => *burned,
			_ => 0,
		})
		.sum()
}

static CALLS: AtomicU64 = AtomicU64::new(0);

/// Runs `steps` from genesis, checking everything after each one.
fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
	new_test_ext().execute_with(|| {
		for (index, step) in steps.iter().enumerate() {
			let issuance = Balances::total_issuance();
			let events = System::events().len();
			match call_of(step) {
				Some((who, call)) => {
					let weight = call.get_dispatch_info().call_weight;
					prop_assert!(weight.all_lte(Weight::from_parts(2_000_000_000_000, u64::MAX)), "{step:?}: weight {weight}");
					// Calls are transactional: a failed call changes nothing.
					let _ = call.dispatch(RuntimeOrigin::signed(who));
					CALLS.fetch_add(1, Ordering::Relaxed);
				},
				None => {
					let Step::Blocks { count, idle } = step else { unreachable!() };
					let idle = if *idle { Weight::MAX } else { Weight::from_parts(300_000_000, u64::MAX) };
					for _ in 0..*count {
						next_block(idle);
					}
				},
			}
			let burned = burned_since(events);
			prop_assert_eq!(
				Balances::total_issuance(),
				issuance - burned,
				"step {} ({:?}): total issuance moved by more than the rules' burns",
				index,
				step
			);
			if let Err(error) = check_invariants() {
				return Err(TestCaseError::fail(format!("step {index} ({step:?}): {error:?}")));
			}
		}
		Ok(())
	})
}

fn env(name: &str, default: u32) -> u32 {
	std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

#[test]
fn random_call_sequences_keep_every_invariant() {
	let cases = env("STUDIO_FUZZ_CASES", 64);
	let steps = env("STUDIO_FUZZ_STEPS", 150) as usize;
	let config = ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() };
	proptest!(config, |(sequence in prop::collection::vec(step(), steps))| {
		run(sequence)?;
	});
	println!("studio fuzz: {} calls in {cases} sequences of {steps} steps", CALLS.load(Ordering::Relaxed));
}
