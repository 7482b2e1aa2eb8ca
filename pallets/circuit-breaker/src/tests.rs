//! The circuit breaker as the studio meets it: agents report results through the real escrow,
//! the breaker trips in the same block, reviewers decide.

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
use studio_primitives::{IncidentId, JobId};

const FEE: u64 = BOUNTY / 20;

fn submit_job(on_rejection: OnRejection) -> JobId {
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
		on_rejection,
		curation: None,
	};
	assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY));
	job
}


/// `worker` claims a new job and delivers a result with `deviation` (in parts per million).
fn deliver(worker: u64, deviation: u32) -> JobId {
	let job = submit_job(OnRejection::Reopen);
	assert_ok!(Escrow::claim_job(origin(worker), job));
	let report = ResultReport {
		output: cid_of(&job.to_be_bytes()),
		style_deviation: Permill::from_parts(deviation),
		quality: Permill::from_percent(80),
		weights_hash: GENERATOR_HASH,
		settings: br#"{"lineage":[0]}"#.to_vec().try_into().unwrap(),
		candidates_tried: 4,
	};
	assert_ok!(Escrow::submit_result(origin(worker), job, report));
	job
}


fn last_incident() -> IncidentId {
	NextIncidentId::<Test>::get() - 1
}

fn tripped(incident: IncidentId) -> Option<(Scope<u64>, TripCause<u64>, Option<JobId>)> {
	System::events().into_iter().find_map(|record| match record.event {
		RuntimeEvent::Breaker(Event::Tripped { incident: id, scope, cause, job, .. })
			if id == incident =>
			Some((scope, cause, job)),
		_ => None,
	})
}

fn review(reviewer: u64, incident: IncidentId, decision: Decision) {
	assert_ok!(Breaker::review(origin(reviewer), incident, decision));
}

/// The moving average the breaker should keep, in floating point, for comparison.
fn ema(deviations: &[u32]) -> Vec<f64> {
	let mut averages = Vec::new();
	for (index, deviation) in deviations.iter().enumerate() {
		let deviation = *deviation as f64 / 1e6;
		let next = if index == 0 { deviation } else { 0.8 * averages[index - 1] + 0.2 * deviation };
		averages.push(next);
	}
	averages
}

#[test]
fn a_well_behaved_agent_never_trips_over_a_hundred_results() {
	story(|| {
		register(WORKER);
		for n in 0..100u32 {
			// Deviations wander between 5 % and 24 %, all under the 25 % limit.
			let job = deliver(WORKER, 50_000 + (n * 37_000) % 190_000);
			assert!(matches!(status(job), JobStatus::Delivered { .. }));
		}
		assert_eq!(NextIncidentId::<Test>::get(), 0);
		let stats = AgentDeviation::<Test>::get(WORKER);
		assert_eq!(stats.results, 100);
		assert!(stats.ema < Permill::from_percent(25));
		run_to_block(200);
		assert_eq!(
			Balances::balance(&WORKER),
			ENDOWMENT - BOND + 100 * (BOUNTY - FEE),
			"every result settled"
		);
	});
}

#[test]
fn a_drifting_agent_trips_on_exactly_the_result_that_pushes_its_average_over_the_limit() {
	story(|| {
		register(WORKER);
		let deviations = [100_000, 150_000, 300_000, 350_000, 400_000, 450_000, 450_000];
		let averages = ema(&deviations);
		let first_over = averages.iter().position(|average| *average > 0.25).unwrap();
		assert_eq!(first_over, 5, "the test's own arithmetic: 0.1, 0.11, 0.148, 0.188, 0.231, 0.275");
		let mut jobs = Vec::new();
		for deviation in &deviations[..first_over] {
			jobs.push(deliver(WORKER, *deviation));
			assert_eq!(NextIncidentId::<Test>::get(), 0, "no trip before the average passes 25 %");
		}
		let offending = deliver(WORKER, deviations[first_over]);
		let incident = last_incident();
		let (scope, cause, job) = tripped(incident).expect("tripped in the same block");
		assert_eq!((scope, job), (Scope::Agent(WORKER), Some(offending)));
		let TripCause::AgentDrift { ema, limit } = cause else { panic!("{cause:?}") };
		assert_eq!(limit, Permill::from_percent(25));
		assert!((ema.deconstruct() as f64 / 1e6 - averages[first_over]).abs() < 1e-5);
		assert_eq!(
			status(offending),
			JobStatus::Quarantined { worker: WORKER, output: cid_of(&offending.to_be_bytes()), incident }
		);
		// Its next claim fails by name.
		let next = submit_job(OnRejection::Reopen);
		assert_noop!(
			Escrow::claim_job(origin(WORKER), next),
			pallet_job_escrow::Error::<Test>::AgentHalted
		);
	});
}

#[test]
fn a_single_result_above_the_hard_limit_trips_at_once_and_releases_the_agents_claims() {
	story(|| {
		register(WORKER);
		let waiting = submit_job(OnRejection::Reopen);
		assert_ok!(Escrow::claim_job(origin(WORKER), waiting));
		let offending = deliver(WORKER, 510_000);
		let (scope, cause, job) = tripped(last_incident()).unwrap();
		assert_eq!((scope, job), (Scope::Agent(WORKER), Some(offending)));
		assert_eq!(
			cause,
			TripCause::HardLimit {
				deviation: Permill::from_parts(510_000),
				limit: Permill::from_percent(50)
			}
		);
		// The other claim was released, without a slash, for another worker to take.
		assert_eq!(status(waiting), JobStatus::Open);
		assert_eq!(Balances::balance_on_hold(&EscrowHold::WorkerBond.into(), &WORKER), BOND);
		register(OTHER_WORKER);
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), waiting));
	});
}

#[test]
fn a_model_wide_drift_suspends_the_model_for_every_agent() {
	story(|| {
		register(WORKER);
		register(OTHER_WORKER);
		deliver(WORKER, 100_000);
		deliver(OTHER_WORKER, 100_000);
		// Both agents drift a little, taking turns: each agent's own average rises half as
		// often as the model's. Their first `MIN_AGENT_HISTORY` results do not count toward
		// the model; then the model goes over on the first agent's result and is suspended on
		// the second's, the second distinct agent to see it over.
		let turns = [WORKER, OTHER_WORKER, WORKER, OTHER_WORKER];
		for (turn, worker) in turns.iter().enumerate() {
			let job = deliver(*worker, 350_000);
			if turn < 3 {
				assert!(matches!(status(job), JobStatus::Delivered { .. }), "turn {turn}");
			}
		}
		let incident = last_incident();
		let (scope, cause, _) = tripped(incident).unwrap();
		assert_eq!(scope, Scope::Model(GENERATOR));
		assert!(matches!(cause, TripCause::ModelDrift { agents: 2, .. }));
		assert!(!HaltedAgents::<Test>::contains_key(WORKER));
		assert!(!HaltedAgents::<Test>::contains_key(OTHER_WORKER));
		assert!(AgentDeviation::<Test>::get(WORKER).ema < Permill::from_percent(25));
		let spec = || {
			let mut spec = pallet_job_escrow::Jobs::<Test>::get(0).unwrap().spec;
			spec.deadline = System::block_number() + 200;
			Box::new(spec)
		};
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), spec(), BOUNTY),
			pallet_job_escrow::Error::<Test>::ModelSuspended
		);
	});
}

#[test]
fn claims_on_a_suspended_model_fail_and_results_on_it_are_refused() {
	story(|| {
		register(WORKER);
		register(OTHER_WORKER);
		let open = submit_job(OnRejection::Reopen);
		let in_progress = submit_job(OnRejection::Refund);
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), in_progress));
		assert_ok!(Breaker::halt(origin(1), Scope::Model(GENERATOR)));
		assert_noop!(
			Escrow::claim_job(origin(WORKER), open),
			pallet_job_escrow::Error::<Test>::ModelSuspended
		);
		let report = ResultReport {
			output: cid_of(b"late"),
			style_deviation: Permill::from_percent(10),
			quality: Permill::from_percent(80),
			weights_hash: GENERATOR_HASH,
			settings: br#"{"lineage":[0]}"#.to_vec().try_into().unwrap(),
			candidates_tried: 4,
		};
		assert_ok!(Escrow::submit_result(origin(OTHER_WORKER), in_progress, report));
		assert_eq!(status(in_progress), JobStatus::Refunded);
	});
}

#[test]
fn the_spend_cap_bounds_each_agent_and_never_halts_the_studio() {
	story(|| {
		// Lower the cap to 150 tokens: one payout of 95 fits, a second bounty of 100 would not.
		let lower = GovernanceAction::SetParameter {
			parameter: StudioParameter::EpochSpendCap,
			value: (150 * UNIT).into(),
		};
		assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(lower)));
		register(WORKER);
		register(OTHER_WORKER);
		let first = deliver(WORKER, 100_000);
		assert_ok!(Escrow::accept_result(origin(CLIENT), first));
		assert_eq!(Breaker::paid_this_epoch(&WORKER), BOUNTY - FEE);
		let waiting = submit_job(OnRejection::Reopen);
		assert_noop!(
			Escrow::claim_job(origin(WORKER), waiting),
			pallet_job_escrow::Error::<Test>::SpendCapReached
		);
		// Nobody else is stopped: the studio takes jobs and other agents claim them.
		assert!(StudioHalt::<Test>::get().is_none());
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), waiting));
		let next = submit_job(OnRejection::Reopen);
		run_to_block(EPOCH);
		assert_eq!(Breaker::paid_this_epoch(&WORKER), 0);
		assert_ok!(Escrow::claim_job(origin(WORKER), next));
	});
}

#[test]
fn two_of_three_reviewers_resume_an_agent_and_one_cannot() {
	story(|| {
		register(WORKER);
		let offending = deliver(WORKER, 600_000);
		let incident = last_incident();
		assert_noop!(Breaker::review(origin(CLIENT), incident, Decision::Resume), Error::<Test>::NotReviewer);
		review(1, incident, Decision::Resume);
		// One vote, even repeated, is not a quorum.
		review(1, incident, Decision::Resume);
		assert!(HaltedAgents::<Test>::contains_key(WORKER));
		assert!(matches!(status(offending), JobStatus::Quarantined { .. }));
		review(2, incident, Decision::Resume);
		System::assert_has_event(Event::Resumed { incident }.into());
		assert!(!HaltedAgents::<Test>::contains_key(WORKER));
		assert_eq!(AgentDeviation::<Test>::get(WORKER).ema, Permill::from_parts(125_000));
		assert!(matches!(status(offending), JobStatus::Delivered { .. }));
		assert_noop!(Breaker::review(origin(3), incident, Decision::Retire), Error::<Test>::AlreadyDecided);
		// It claims again; its quarantined result settles normally.
		deliver(WORKER, 100_000);
		run_to_block(200);
		assert!(matches!(status(offending), JobStatus::Settled { .. }));
		// From half the limit (12 % after the clean result), results of 45 % take it to 18.6 %,
		// 23.9 %, then 28.1 %: the third trips it again.
		deliver(WORKER, 450_000);
		deliver(WORKER, 450_000);
		assert!(!HaltedAgents::<Test>::contains_key(WORKER));
		deliver(WORKER, 450_000);
		assert!(HaltedAgents::<Test>::contains_key(WORKER));
	});
}

#[test]
fn retiring_an_agent_slashes_its_bond_and_refuses_the_quarantined_result() {
	story(|| {
		register(WORKER);
		let offending = deliver(WORKER, 600_000);
		let incident = last_incident();
		let treasury_before = Balances::balance(&TREASURY);
		review(2, incident, Decision::Retire);
		review(3, incident, Decision::Retire);
		System::assert_has_event(Event::Retired { incident }.into());
		assert!(pallet_job_escrow::Workers::<Test>::get(WORKER).is_none());
		assert_eq!(Balances::balance(&TREASURY), treasury_before + BOND / 2);
		assert_eq!(Balances::balance_on_hold(&EscrowHold::WorkerBond.into(), &WORKER), 0);
		// The client chose to re-open on rejection: another worker may take the job.
		assert_eq!(status(offending), JobStatus::Open);
		// A retired agent stays halted.
		assert!(HaltedAgents::<Test>::contains_key(WORKER));
		register(OTHER_WORKER);
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), offending));
	});
}

#[test]
fn an_incident_nobody_reviews_refunds_the_client_and_stays_halted() {
	story(|| {
		register(WORKER);
		let offending = deliver(WORKER, 600_000);
		let incident = last_incident();
		let review_by = Incidents::<Test>::get(incident).unwrap().review_by;
		assert_eq!(review_by, 1 + REVIEW_PERIOD);
		run_to_block(review_by - 1);
		assert!(matches!(status(offending), JobStatus::Quarantined { .. }));
		run_to_block(review_by);
		System::assert_has_event(Event::ReviewExpired { incident }.into());
		assert_eq!(status(offending), JobStatus::Refunded);
		assert_eq!(Balances::balance(&CLIENT), CLIENT_ENDOWMENT);
		assert!(HaltedAgents::<Test>::contains_key(WORKER));
		// The reviewers may still decide it later.
		review(1, incident, Decision::Resume);
		review(3, incident, Decision::Resume);
		assert!(!HaltedAgents::<Test>::contains_key(WORKER));
	});
}

#[test]
fn one_reviewer_halts_at_once_but_only_a_reviewer_and_only_once() {
	story(|| {
		register(WORKER);
		let claimed = submit_job(OnRejection::Reopen);
		assert_ok!(Escrow::claim_job(origin(WORKER), claimed));
		assert_noop!(Breaker::halt(origin(CLIENT), Scope::Agent(WORKER)), Error::<Test>::NotReviewer);
		assert_ok!(Breaker::halt(origin(1), Scope::Agent(WORKER)));
		let (_, cause, job) = tripped(last_incident()).unwrap();
		assert_eq!((cause, job), (TripCause::Reviewer { reviewer: 1 }, None));
		assert_eq!(status(claimed), JobStatus::Open);
		assert_noop!(Breaker::halt(origin(2), Scope::Agent(WORKER)), Error::<Test>::AlreadyHalted);
		assert_ok!(Breaker::halt(origin(2), Scope::Studio));
		assert_noop!(
			Breaker::review(origin(1), last_incident(), Decision::Retire),
			Error::<Test>::CannotRetireStudio
		);
		assert_noop!(Breaker::review(origin(1), 77, Decision::Resume), Error::<Test>::UnknownIncident);
	});
}

#[test]
fn the_studio_settles_clean_jobs_refunds_and_votes_while_halted() {
	story(|| {
		register(WORKER);
		let clean = deliver(WORKER, 100_000);
		let open = submit_job(OnRejection::Reopen);
		assert_ok!(Breaker::halt(origin(1), Scope::Studio));
		assert_ok!(Breaker::halt(origin(1), Scope::Agent(WORKER)));
		assert_ok!(Escrow::cancel_job(origin(CLIENT), open));
		run_to_block(101);
		assert!(matches!(status(clean), JobStatus::Settled { .. }));
		let tighten = GovernanceAction::SetParameter {
			parameter: StudioParameter::MaxStyleDeviation,
			value: 200_000,
		};
		assert_ok!(Governance::propose(origin(2), Box::new(tighten)));
		assert_ok!(Governance::vote(origin(3), 0, true, 100 * UNIT));
	});
}

#[test]
fn many_review_deadlines_in_one_block_expire_in_bounded_steps() {
	story(|| {
		// The mock expires two per block; three fall in the same block, none is lost.
		for scope in [Scope::Agent(WORKER), Scope::Agent(OTHER_WORKER), Scope::Studio] {
			assert_ok!(Breaker::halt(origin(1), scope));
		}
		let deadlines: Vec<u64> =
			(0..3).map(|id| Incidents::<Test>::get(id).unwrap().review_by).collect();
		assert_eq!(deadlines, vec![1 + REVIEW_PERIOD; 3]);
		let expired = || {
			(0..3).filter(|id| Incidents::<Test>::get(id).unwrap().status == IncidentStatus::Expired).count()
		};
		run_to_block(1 + REVIEW_PERIOD);
		assert_eq!(expired(), 2);
		run_to_block(2 + REVIEW_PERIOD);
		assert_eq!(expired(), 3);
	});
}
