//! The security review's attacks on the breaker (`docs/security.md`), sent through the real
//! escrow the way an attacker would send them.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use pallet_job_escrow::{
	HoldReason as EscrowHold, ImageFormat, JobKind, JobSpec, JobStatus, OnRejection, OutputSpec, Prompt,
	ResultReport,
};
use pallet_studio_governance::{GovernanceAction, StudioParameter};
use sp_runtime::Permill;
use studio_primitives::JobId;

/// A third agent, fresh.
const FRESH: u64 = 3;

fn job_by(client: u64) -> JobId {
	let job = pallet_job_escrow::NextJobId::<Test>::get();
	let spec = JobSpec {
		kind: JobKind::Generate,
		model: GENERATOR,
		style: STYLE,
		prompt: Prompt::Text(b"an amber eye".to_vec().try_into().unwrap()),
		parents: BoundedVec::new(),
		seed: job,
		output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
		candidates: 4,
		deadline: System::block_number() + 1_000,
		on_rejection: OnRejection::Reopen,
		curation: None,
	};
	assert_ok!(Escrow::submit_job(origin(client), Box::new(spec), BOUNTY));
	job
}


/// `worker` claims a new job of `CLIENT`'s and reports `deviation` with `quality`.
fn report(worker: u64, deviation: u32, quality: Permill) -> JobId {
	let job = job_by(CLIENT);
	assert_ok!(Escrow::claim_job(origin(worker), job));
	let report = ResultReport {
		output: cid_of(&job.to_be_bytes()),
		style_deviation: Permill::from_parts(deviation),
		quality,
		weights_hash: GENERATOR_HASH,
		settings: br#"{"lineage":[0]}"#.to_vec().try_into().unwrap(),
		candidates_tried: 4,
	};
	assert_ok!(Escrow::submit_result(origin(worker), job, report));
	job
}

fn deliver(worker: u64, deviation: u32) -> JobId {
	report(worker, deviation, Permill::from_percent(80))
}


/// H2: an agent dilutes its average with free results of deviation 0 and quality 0. They are
/// failed claims: each costs a slash and none reaches the average.
#[test]
fn h2_free_zero_results_do_not_launder_an_agents_average() {
	story(|| {
		register(WORKER);
		deliver(WORKER, 200_000);
		let before = AgentDeviation::<Test>::get(WORKER);
		let mut bond = BOND;
		for _ in 0..5 {
			let job = report(WORKER, 0, Permill::zero());
			assert_eq!(status(job), JobStatus::Open);
			bond -= bond / 10;
		}
		assert_eq!(AgentDeviation::<Test>::get(WORKER), before);
		assert_eq!(Balances::balance_on_hold(&EscrowHold::WorkerBond.into(), &WORKER), bond);
		// Self-dealt clean jobs, the other free dilution, are refused outright.
		let own = job_by(WORKER);
		assert_noop!(
			Escrow::claim_job(origin(WORKER), own),
			pallet_job_escrow::Error::<Test>::SelfDealing
		);
	});
}

/// H3: a fresh account reports one result at the hard limit to push the shared average over.
/// It has no history, so the model does not move; one agent with history alone cannot suspend
/// it either.
#[test]
fn h3_one_agent_cannot_suspend_a_model_for_everyone() {
	story(|| {
		register(WORKER);
		register(FRESH);
		// The agent's history: on style.
		for _ in 0..MIN_AGENT_HISTORY {
			deliver(WORKER, 0);
		}
		// At the hard limit, not above it: the fresh agent's own average trips it, and having
		// no history it does not move the model.
		let job = deliver(FRESH, 500_000);
		assert!(matches!(status(job), JobStatus::Quarantined { .. }));
		assert!(HaltedAgents::<Test>::contains_key(FRESH));
		assert_eq!(ModelDeviation::<Test>::get(GENERATOR).results, 0);

		// The agent with history pushes the model's average over while staying under its own
		// limit: only one agent has seen the model over, so it runs on.
		let job = deliver(WORKER, 290_000);
		assert!(matches!(status(job), JobStatus::Delivered { .. }));
		assert!(ModelDeviation::<Test>::get(GENERATOR).is_over());
		assert_eq!(ModelDriftWitnesses::<Test>::get(GENERATOR).into_inner(), vec![WORKER]);
		assert!(!SuspendedModels::<Test>::contains_key(GENERATOR));
		// Honest agents keep working on the model.
		register(OTHER_WORKER);
		let honest = deliver(OTHER_WORKER, 100_000);
		assert!(matches!(status(honest), JobStatus::Delivered { .. }));
	});
}

/// H4: a colluding client and worker pay the worker past the cap at the start of an epoch.
/// Only the worker's own claims stop; the studio and every other agent go on.
#[test]
fn h4_a_colluding_pair_cannot_halt_the_studio_with_the_spend_cap() {
	story(|| {
		let lower = GovernanceAction::SetParameter {
			parameter: StudioParameter::EpochSpendCap,
			value: (200 * UNIT).into(),
		};
		assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(lower)));
		register(WORKER);
		register(OTHER_WORKER);
		for _ in 0..2 {
			let job = deliver(WORKER, 100_000);
			assert_ok!(Escrow::accept_result(origin(CLIENT), job));
		}
		assert!(StudioHalt::<Test>::get().is_none());
		let next = job_by(CLIENT);
		assert_noop!(
			Escrow::claim_job(origin(WORKER), next),
			pallet_job_escrow::Error::<Test>::SpendCapReached
		);
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), next));
		assert!(Balances::balance(&CLIENT) > 0);
	});
}

/// M6: a reviewer voted, then left the council. Its vote no longer counts toward the quorum,
/// nor takes a place in the incident's vote list.
#[test]
fn m6_a_removed_reviewers_vote_does_not_decide() {
	story(|| {
		register(WORKER);
		let offending = deliver(WORKER, 600_000);
		let incident = NextIncidentId::<Test>::get() - 1;
		assert_ok!(Breaker::review(origin(1), incident, Decision::Resume));
		let council = GovernanceAction::SetReviewers { reviewers: vec![2, 3, 4].try_into().unwrap() };
		assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(council)));
		assert_ok!(Breaker::review(origin(2), incident, Decision::Resume));
		// Reviewer 1's vote is gone: one current reviewer agrees, the quorum is two.
		assert!(HaltedAgents::<Test>::contains_key(WORKER));
		assert_eq!(Incidents::<Test>::get(incident).unwrap().votes.into_inner(), vec![(2, Decision::Resume)]);
		assert_noop!(Breaker::review(origin(1), incident, Decision::Resume), Error::<Test>::NotReviewer);
		assert_ok!(Breaker::review(origin(4), incident, Decision::Resume));
		assert!(!HaltedAgents::<Test>::contains_key(WORKER));
		assert!(matches!(status(offending), JobStatus::Delivered { .. }));
	});
}
