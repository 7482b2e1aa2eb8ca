//! Verification as its users meet it, and as people after the money attack it: audits and
//! challenges, verifiers drawn, findings committed and revealed, verdicts paid and slashed.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use pallet_studio_governance::{GovernanceAction, StudioParameter};
use sp_runtime::Permill;
use studio_primitives::{AssetStatus, CidBytes, JobId, JobsControl};

/// The deviation and quality honest results report here.
const DEVIATION: Permill = Permill::from_percent(12);
const QUALITY: Permill = Permill::from_percent(80);
/// The governance default challenge deposit.
const DEPOSIT: u64 = 5 * UNIT;

fn set(parameter: StudioParameter, value: u128) {
	let action = GovernanceAction::SetParameter { parameter, value };
	assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(action)));
}

fn register(worker: u64) {
	assert_ok!(Escrow::register_worker(origin(worker), BOND, vec![GENERATOR].try_into().unwrap()));
}

fn spec(on_rejection: OnRejection) -> JobSpecOf<Test> {
	JobSpec {
		kind: JobKind::Generate,
		model: GENERATOR,
		style: STYLE,
		prompt: Prompt::Text(b"an amber eye".to_vec().try_into().unwrap()),
		parents: BoundedVec::new(),
		seed: 42,
		output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
		candidates: 8,
		deadline: 1_000,
		on_rejection,
		curation: None,
	}
}

fn report(output: &CidBytes, style_deviation: Permill) -> ResultReport {
	ResultReport {
		output: output.clone(),
		style_deviation,
		quality: QUALITY,
		weights_hash: GENERATOR_HASH,
		settings: br#"{"class":3,"lineage":[5]}"#.to_vec().try_into().unwrap(),
		candidates_tried: 8,
	}
}

/// The three verifiers and `WORKER` registered; a job of `CLIENT` delivered by `WORKER`
/// reporting `deviation`.
fn delivered(on_rejection: OnRejection, deviation: Permill) -> JobId {
	VERIFIERS.iter().for_each(|verifier| register(*verifier));
	register(WORKER);
	let job = NextJobId::<Test>::get();
	assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec(on_rejection)), BOUNTY));
	assert_ok!(Escrow::claim_job(origin(WORKER), job));
	assert_ok!(Escrow::submit_result(origin(WORKER), job, report(&cid_of(b"design"), deviation)));
	job
}

/// What an honest verifier measures on the honest design.
fn honest() -> Finding {
	Finding::Measured { style_deviation: DEVIATION, quality: QUALITY, reproduction_centibels: u32::MAX }
}

fn salt(verifier: u64) -> [u8; 32] {
	[verifier as u8; 32]
}

fn commit(job: JobId, verifier: u64, finding: &Finding) {
	let commitment = commitment_of(job, &verifier, finding, &salt(verifier));
	assert_ok!(Escrow::commit_finding(origin(verifier), job, commitment));
}

fn reveal(job: JobId, verifier: u64, finding: Finding) {
	assert_ok!(Escrow::reveal_finding(origin(verifier), job, finding, salt(verifier)));
}

fn verifiers_of(job: JobId) -> alloc::vec::Vec<u64> {
	Verifications::<Test>::get(job).unwrap().verifiers.iter().map(|vote| vote.verifier).collect()
}

fn next_block() {
	run_to_block(System::block_number() + 1);
}

fn events() -> alloc::vec::Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Escrow(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn outcome(job: JobId) -> Option<VerificationOutcome> {
	events().into_iter().find_map(|event| match event {
		Event::ResultVerified { job: verified, outcome, .. } if verified == job => Some(outcome),
		_ => None,
	})
}

#[test]
fn an_audited_honest_result_stands_its_worker_is_paid_and_its_verifiers_share_the_fee() {
	story(|| {
		set(StudioParameter::AuditProbability, 1_000_000);
		let job = delivered(OnRejection::Reopen, DEVIATION);
		// The client cannot settle before the audit is drawn.
		assert_noop!(Escrow::accept_result(origin(CLIENT), job), Error::<Test>::UnderVerification);
		next_block();
		let mut drawn = verifiers_of(job);
		drawn.sort();
		assert_eq!(drawn, VERIFIERS.to_vec(), "never the worker or the client");
		assert_noop!(Escrow::accept_result(origin(CLIENT), job), Error::<Test>::UnderVerification);
		let before = VERIFIERS.map(free);
		// Within the tolerance: a verifier's own measurement differs by a few ppm.
		let close = Finding::Measured {
			style_deviation: Permill::from_parts(DEVIATION.deconstruct() + 37),
			quality: QUALITY,
			reproduction_centibels: 9_000,
		};
		commit(job, VERIFIERS[0], &close);
		commit(job, VERIFIERS[1], &honest());
		commit(job, VERIFIERS[2], &honest());
		reveal(job, VERIFIERS[0], close);
		reveal(job, VERIFIERS[1], honest());
		assert!(matches!(status(job), JobStatus::Delivered { .. }), "the verdict waits for every reveal");
		reveal(job, VERIFIERS[2], honest());
		assert!(matches!(status(job), JobStatus::Settled { .. }), "the last reveal decides");
		assert_eq!(outcome(job), Some(VerificationOutcome::Stands));
		assert_eq!(
			Verdicts::<Test>::get(job),
			Some(VerificationRecord { cause: VerificationCause::Audit, outcome: VerificationOutcome::Stands, confirming: 3, revealed: 3 })
		);
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
		for (index, verifier) in VERIFIERS.iter().enumerate() {
			assert_eq!(free(*verifier), before[index] + FEE / 3);
		}
		assert_eq!(free(TREASURY), ENDOWMENT + FEE - 3 * (FEE / 3));
		assert!(Verifications::<Test>::get(job).is_none() && Deliveries::<Test>::get(job).is_none());
	});
}

#[test]
fn a_result_that_under_reports_its_drift_falls_its_worker_is_slashed_and_halted_the_client_refunded() {
	story(|| {
		set(StudioParameter::AuditProbability, 1_000_000);
		// The worker says 0 %; the output really measures 40 %.
		let job = delivered(OnRejection::Refund, Permill::zero());
		next_block();
		let truth = |deviation: u32| Finding::Measured {
			style_deviation: Permill::from_parts(deviation),
			quality: QUALITY,
			reproduction_centibels: u32::MAX,
		};
		let findings = [truth(400_000), truth(400_020), truth(399_990)];
		for (verifier, finding) in VERIFIERS.iter().zip(findings) {
			commit(job, *verifier, &finding);
		}
		let before = VERIFIERS.map(free);
		for (verifier, finding) in VERIFIERS.iter().zip(findings) {
			reveal(job, *verifier, finding);
		}
		assert_eq!(status(job), JobStatus::Refunded);
		assert_eq!(free(CLIENT), ENDOWMENT, "the client lost nothing");
		assert_eq!(outcome(job), Some(VerificationOutcome::Falls));
		let slashed = BOND / 2;
		assert_eq!(bond_held(WORKER), BOND - slashed);
		for (index, verifier) in VERIFIERS.iter().enumerate() {
			assert_eq!(free(*verifier), before[index] + slashed / 2 / 3, "half the slash, shared");
		}
		assert_eq!(free(TREASURY), ENDOWMENT + slashed - 3 * (slashed / 2 / 3));
		// The breaker counts the verified (median) deviation, not the reported one.
		assert_eq!(TestGate::misreports(), vec![(WORKER, job, Permill::zero(), Some(Permill::from_parts(400_000)))]);
		assert!(<TestGate as studio_primitives::AgentGate<u64, u64>>::is_halted(&WORKER));
		let output = cid_of(b"design");
		assert_eq!(pallet_provenance::Assets::<Test>::get(&output).unwrap().status, AssetStatus::Rejected);
		assert!(!Workers::<Test>::get(WORKER).unwrap().unsettled.contains(&job));
	});
}

#[test]
fn a_client_challenge_of_an_honest_result_loses_the_deposit_to_the_verifiers_and_the_treasury() {
	story(|| {
		let job = delivered(OnRejection::Reopen, DEVIATION);
		// Audits are off here: only the challenge verifies it.
		next_block();
		assert!(Verifications::<Test>::get(job).is_none());
		assert_ok!(Escrow::challenge(origin(CLIENT), job));
		assert_eq!(free(CLIENT), ENDOWMENT - BOUNTY - DEPOSIT);
		assert_noop!(Escrow::challenge(origin(STRANGER), job), Error::<Test>::AlreadyChallenged);
		next_block();
		assert_eq!(verifiers_of(job).len(), 3);
		for verifier in VERIFIERS {
			commit(job, verifier, &honest());
		}
		for verifier in VERIFIERS {
			reveal(job, verifier, honest());
		}
		assert!(matches!(status(job), JobStatus::Settled { .. }));
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE, "the worker is paid in full");
		assert_eq!(free(CLIENT), ENDOWMENT - BOUNTY - DEPOSIT, "the challenger lost its deposit");
		let pool = FEE + DEPOSIT / 2;
		assert_eq!(free(TREASURY), ENDOWMENT + FEE + DEPOSIT - 3 * (pool / 3));
	});
}

#[test]
fn a_stranger_who_proves_a_result_false_gets_the_deposit_back_with_a_reward() {
	story(|| {
		let job = delivered(OnRejection::Reopen, DEVIATION);
		assert_ok!(Escrow::challenge(origin(STRANGER), job));
		next_block();
		for verifier in VERIFIERS {
			commit(job, verifier, &Finding::Unavailable);
		}
		for verifier in VERIFIERS {
			reveal(job, verifier, Finding::Unavailable);
		}
		assert_eq!(status(job), JobStatus::Open, "re-opened for another worker");
		assert_eq!(Jobs::<Test>::get(job).unwrap().barred, Some(WORKER));
		let slashed = BOND / 2;
		assert_eq!(free(STRANGER), ENDOWMENT + slashed / 4);
		assert_eq!(TestGate::misreports(), vec![(WORKER, job, DEVIATION, None)]);
	});
}

#[test]
fn a_verifier_silent_after_committing_loses_its_part_and_the_others_decide() {
	story(|| {
		set(StudioParameter::AuditProbability, 1_000_000);
		let job = delivered(OnRejection::Reopen, DEVIATION);
		next_block();
		let reveal_until = Verifications::<Test>::get(job).unwrap().reveal_until;
		for verifier in VERIFIERS {
			commit(job, verifier, &honest());
		}
		reveal(job, VERIFIERS[0], honest());
		reveal(job, VERIFIERS[1], honest());
		assert!(matches!(status(job), JobStatus::Delivered { .. }), "waits for the silent one");
		let silent_before = free(VERIFIERS[2]);
		run_to_block(reveal_until);
		assert!(matches!(status(job), JobStatus::Settled { .. }));
		assert_eq!(bond_held(VERIFIERS[2]), BOND - BOND / 50, "2 % of its bond");
		assert_eq!(free(VERIFIERS[2]), silent_before, "and no reward");
		assert!(events().iter().any(|event| matches!(event, Event::VerifierAbsent { verifier, .. } if *verifier == VERIFIERS[2])));
	});
}

#[test]
fn a_verifier_can_neither_copy_nor_change_a_finding_nor_act_out_of_turn() {
	story(|| {
		set(StudioParameter::AuditProbability, 1_000_000);
		let job = delivered(OnRejection::Reopen, DEVIATION);
		assert_noop!(
			Escrow::commit_finding(origin(VERIFIERS[0]), job, [0; 32]),
			Error::<Test>::NotUnderVerification
		);
		next_block();
		assert_noop!(Escrow::commit_finding(origin(STRANGER), job, [0; 32]), Error::<Test>::NotVerifier);
		assert_noop!(Escrow::commit_finding(origin(WORKER), job, [0; 32]), Error::<Test>::NotVerifier);
		commit(job, VERIFIERS[0], &honest());
		assert_noop!(
			Escrow::commit_finding(origin(VERIFIERS[0]), job, [1; 32]),
			Error::<Test>::AlreadyCommitted
		);
		// Reveals open only once every commitment is in (or the period is over): nobody sees a
		// finding before committing its own.
		assert_noop!(
			Escrow::reveal_finding(origin(VERIFIERS[0]), job, honest(), salt(VERIFIERS[0])),
			Error::<Test>::RevealNotOpen
		);
		// A lazy verifier copies another's commitment: it cannot reveal it as its own.
		let copied = commitment_of(job, &VERIFIERS[0], &honest(), &salt(VERIFIERS[0]));
		assert_ok!(Escrow::commit_finding(origin(VERIFIERS[1]), job, copied));
		commit(job, VERIFIERS[2], &honest());
		assert_noop!(
			Escrow::reveal_finding(origin(VERIFIERS[1]), job, honest(), salt(VERIFIERS[0])),
			Error::<Test>::CommitmentMismatch
		);
		// Nor can anyone reveal something other than what it committed to.
		assert_noop!(
			Escrow::reveal_finding(origin(VERIFIERS[2]), job, Finding::Unavailable, salt(VERIFIERS[2])),
			Error::<Test>::CommitmentMismatch
		);
		reveal(job, VERIFIERS[0], honest());
		assert_noop!(
			Escrow::reveal_finding(origin(VERIFIERS[0]), job, honest(), salt(VERIFIERS[0])),
			Error::<Test>::AlreadyRevealed
		);
		let verification = Verifications::<Test>::get(job).unwrap();
		run_to_block(verification.reveal_until - 1);
		assert_noop!(
			Escrow::commit_finding(origin(STRANGER), job, [0; 32]),
			Error::<Test>::NotVerifier
		);
		run_to_block(verification.reveal_until);
		// The copier and the silent one were absent; one revealed finding confirms: it stands.
		assert!(matches!(status(job), JobStatus::Settled { .. }));
		assert_eq!(bond_held(VERIFIERS[1]), BOND - BOND / 50);
	});
}

#[test]
fn challenges_come_only_within_the_window_once_and_never_stall_a_payout() {
	story(|| {
		let job = delivered(OnRejection::Reopen, DEVIATION);
		assert_noop!(Escrow::challenge(origin(STRANGER), 999), Error::<Test>::UnknownJob);
		let open = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec(OnRejection::Reopen)), BOUNTY));
		assert_noop!(Escrow::challenge(origin(STRANGER), open), Error::<Test>::NotDelivered);
		// A challenger without the deposit changes nothing.
		let broke = 42;
		assert!(Escrow::challenge(origin(broke), job).is_err());
		assert!(Verifications::<Test>::get(job).is_none());
		run_to_block(System::block_number() + CHALLENGE_WINDOW);
		assert!(matches!(status(job), JobStatus::Settled { .. }));
		assert_noop!(Escrow::challenge(origin(STRANGER), job), Error::<Test>::NotDelivered);
	});
}

#[test]
fn the_worker_client_challenger_and_halted_workers_are_never_drawn_and_without_verifiers_the_result_settles() {
	story(|| {
		// The client and the challenger run the model too; one verifier is halted.
		register(CLIENT);
		register(STRANGER);
		let job = delivered(OnRejection::Reopen, DEVIATION);
		TestGate::halt_agent(VERIFIERS[0]);
		assert_ok!(Escrow::challenge(origin(STRANGER), job));
		next_block();
		let mut drawn = verifiers_of(job);
		drawn.sort();
		assert_eq!(drawn, vec![VERIFIERS[1], VERIFIERS[2]]);

		// Every other worker halted: a challenge cannot be verified, so the deposit returns and
		// the result settles as delivered.
		let (lonely, lonely_worker) = (NextJobId::<Test>::get(), OTHER_WORKER);
		register(lonely_worker);
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec(OnRejection::Reopen)), BOUNTY));
		assert_ok!(Escrow::claim_job(origin(lonely_worker), lonely));
		assert_ok!(Escrow::submit_result(origin(lonely_worker), lonely, report(&cid_of(b"lonely"), DEVIATION)));
		for verifier in [VERIFIERS[1], VERIFIERS[2], CLIENT, WORKER] {
			TestGate::halt_agent(verifier);
		}
		let before = free(STRANGER);
		assert_ok!(Escrow::challenge(origin(STRANGER), lonely));
		next_block();
		assert_eq!(outcome(lonely), Some(VerificationOutcome::NoVerifiers));
		assert_eq!(free(STRANGER), before);
		run_to_block(System::block_number() + CHALLENGE_WINDOW);
		assert!(matches!(status(lonely), JobStatus::Settled { .. }));
	});
}

#[test]
fn retiring_a_worker_under_verification_refuses_its_result_and_repays_the_challenger() {
	story(|| {
		let job = delivered(OnRejection::Reopen, DEVIATION);
		assert_ok!(Escrow::challenge(origin(STRANGER), job));
		next_block();
		assert_ok!(<Escrow as JobsControl<u64>>::retire_agent(&WORKER, Permill::from_percent(50)));
		assert_eq!(status(job), JobStatus::Open);
		assert_eq!(free(STRANGER), ENDOWMENT, "the deposit came back");
		assert_eq!(outcome(job), Some(VerificationOutcome::Cancelled));
		assert!(Verifications::<Test>::get(job).is_none());
	});
}

#[test]
fn empty_settings_are_refused_and_a_model_lists_a_bounded_number_of_workers() {
	story(|| {
		register(WORKER);
		let job = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec(OnRejection::Reopen)), BOUNTY));
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let mut bare = report(&cid_of(b"design"), DEVIATION);
		bare.settings = BoundedVec::new();
		assert_noop!(Escrow::submit_result(origin(WORKER), job, bare), Error::<Test>::EmptySettings);

		// The mock allows eight workers per model.
		for worker in 100..107 {
			let _ = Balances::force_set_balance(RuntimeOrigin::root(), worker, ENDOWMENT);
			register(worker);
		}
		let _ = Balances::force_set_balance(RuntimeOrigin::root(), 107, ENDOWMENT);
		assert_noop!(
			Escrow::register_worker(origin(107), BOND, vec![GENERATOR].try_into().unwrap()),
			Error::<Test>::TooManyWorkersForModel
		);
		// A worker leaving with its bond makes room.
		assert_ok!(Escrow::unregister_worker(origin(100)));
		run_to_block(System::block_number() + UNBONDING_DELAY);
		assert_ok!(Escrow::withdraw_bond(origin(100)));
		register(107);
	});
}

#[test]
fn the_audit_chance_makes_every_lie_lose_money_in_expectation() {
	let floor = Permill::from_percent(10);
	// A small job against a large bond: the governed floor.
	assert_eq!(audit_chance(floor, 95u64, 1_000u64), floor);
	// A bounty large against the bond: audited more often, enough that lying does not pay.
	for (gain, stake) in [(95u64, 25u64), (9_500, 25), (950, 500), (1, 0)] {
		let p = audit_chance(floor, gain, stake);
		let expected = (Permill::one() - p).mul_floor(gain) as i128 - p.mul_ceil(stake) as i128;
		assert!(expected <= 1, "gain {gain}, stake {stake}: p {p:?} leaves {expected}");
	}
	// Audits off: nothing is audited, whatever the stakes.
	assert_eq!(audit_chance(Permill::zero(), 9_500u64, 25u64), Permill::zero());
}

#[test]
fn verification_calls_need_a_signed_origin() {
	story(|| {
		let job = delivered(OnRejection::Reopen, DEVIATION);
		for origin in [RuntimeOrigin::root(), RuntimeOrigin::none()] {
			assert_noop!(Escrow::challenge(origin.clone(), job), sp_runtime::DispatchError::BadOrigin);
			assert_noop!(Escrow::commit_finding(origin.clone(), job, [0; 32]), sp_runtime::DispatchError::BadOrigin);
			assert_noop!(
				Escrow::reveal_finding(origin, job, Finding::Unavailable, [0; 32]),
				sp_runtime::DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn a_batch_can_neither_dodge_the_audit_nor_settle_a_challenged_result() {
	story(|| {
		set(StudioParameter::AuditProbability, 1_000_000);
		let job = delivered(OnRejection::Reopen, DEVIATION);
		// A colluding client accepts in the delivery's own block, before the draw: refused.
		let accept = RuntimeCall::Escrow(Call::accept_result { job });
		assert_noop!(
			Utility::batch_all(origin(CLIENT), vec![accept.clone()]).map_err(|e| e.error),
			Error::<Test>::UnderVerification
		);
		next_block();
		// Challenging and accepting at once fails whole: the deposit stays with the client.
		let before = free(CLIENT);
		let challenge_then_accept = vec![RuntimeCall::Escrow(Call::challenge { job }), accept];
		assert_noop!(
			Utility::batch_all(origin(CLIENT), challenge_then_accept).map_err(|e| e.error),
			Error::<Test>::UnderVerification
		);
		assert_eq!(free(CLIENT), before);
		assert!(Verifications::<Test>::get(job).unwrap().challenger.is_none());
	});
}

#[test]
fn a_worker_that_challenges_its_own_false_result_still_loses() {
	story(|| {
		let job = delivered(OnRejection::Reopen, Permill::zero());
		let before = free(WORKER) + bond_held(WORKER);
		// Hoping to collect the challenger's share of its own slash.
		assert_ok!(Escrow::challenge(origin(WORKER), job));
		next_block();
		let truth = Finding::Measured {
			style_deviation: Permill::from_percent(30),
			quality: QUALITY,
			reproduction_centibels: u32::MAX,
		};
		for verifier in VERIFIERS {
			commit(job, verifier, &truth);
		}
		for verifier in VERIFIERS {
			reveal(job, verifier, truth);
		}
		assert_eq!(outcome(job), Some(VerificationOutcome::Falls));
		let after = free(WORKER) + bond_held(WORKER);
		assert_eq!(before - after, BOND / 2 - BOND / 2 / 4, "it gets a quarter of its own slash back, no more");
	});
}
