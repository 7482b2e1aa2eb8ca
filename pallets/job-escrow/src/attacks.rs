//! The security review's attacks on the escrow (`docs/security.md`), each sent the way an
//! attacker would send it, and what honest users keep.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	},
	BoundedVec,
};
use pallet_studio_governance::{GovernanceAction, StudioParameter};
use sp_runtime::{Permill, TokenError};
use studio_primitives::{AssetStatus, CidBytes, JobId};

/// The mock's expiry slash: 10 %.
const SLASH: u64 = BOND / 10;

fn spec() -> JobSpecOf<Test> {
	JobSpec {
		kind: JobKind::Generate,
		model: GENERATOR,
		style: STYLE,
		prompt: Prompt::Text(b"a green study of an eye".to_vec().try_into().unwrap()),
		parents: BoundedVec::new(),
		seed: 7,
		output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
		candidates: 8,
		deadline: 1_000,
		on_rejection: OnRejection::Reopen,
		curation: None,
	}
}

fn submit_by(client: u64) -> JobId {
	let job = NextJobId::<Test>::get();
	assert_ok!(Escrow::submit_job(origin(client), Box::new(spec()), BOUNTY));
	job
}

fn register(worker: u64, bond: u64) {
	assert_ok!(Escrow::register_worker(origin(worker), bond, vec![GENERATOR].try_into().unwrap()));
}

fn report(output: &CidBytes, quality: Permill) -> ResultReport {
	ResultReport {
		output: output.clone(),
		style_deviation: Permill::from_percent(5),
		quality,
		weights_hash: GENERATOR_HASH,
		settings: br#"{"lineage":[0]}"#.to_vec().try_into().unwrap(),
		candidates_tried: 8,
	}
}

fn good(output: &CidBytes) -> ResultReport {
	report(output, Permill::from_percent(80))
}


/// A proposal anyone may vote on.
fn open_proposal() -> u32 {
	let action = GovernanceAction::SetParameter { parameter: StudioParameter::StudioFee, value: 60_000 };
	assert_ok!(Governance::propose(origin(STRANGER), Box::new(action)));
	pallet_studio_governance::NextProposalId::<Test>::get() - 1
}

fn escrow_call(call: Call<Test>) -> RuntimeCall {
	RuntimeCall::Escrow(call)
}

/// C2: the client votes its whole balance and tries to move the bounty out from under the
/// worker. The bounty already left its account: the worker is paid to the unit.
#[test]
fn c2_a_client_that_votes_and_spends_cannot_stop_its_worker_being_paid() {
	story(|| {
		let job = submit_by(CLIENT);
		register(WORKER, BOND);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let proposal = open_proposal();
		let everything = free(CLIENT);
		assert_ok!(Governance::vote(origin(CLIENT), proposal, true, everything));
		// The freeze covers what the client has; the bounty is not its any more.
		assert_noop!(
			Balances::transfer(&CLIENT, &STRANGER, BOUNTY, Preservation::Expendable),
			TokenError::Frozen
		);
		let output = cid_of(b"delivered to a frozen client");
		assert_ok!(Escrow::submit_result(origin(WORKER), job, good(&output)));
		run_to_block(1 + CHALLENGE_WINDOW);
		assert!(matches!(status(job), JobStatus::Settled { .. }));
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
		assert_eq!(free(CLIENT), everything);
		// And the vote could not have been backed by the bounty: it was never the client's.
		assert_eq!(everything, ENDOWMENT - BOUNTY);
	});
}

/// C2, the other order: a client whose balance is frozen by votes cannot pay a bounty with it,
/// so escrowed funds never back a vote.
#[test]
fn c2_frozen_funds_cannot_pay_a_bounty() {
	story(|| {
		let proposal = open_proposal();
		assert_ok!(Governance::vote(origin(CLIENT), proposal, true, ENDOWMENT));
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(spec()), BOUNTY),
			TokenError::Frozen
		);
	});
}

/// C2: a client that empties and reaps its account still gets its refund, and a worker paid
/// for a reaped client's job still gets paid.
#[test]
fn c2_a_reaped_client_is_refunded_and_its_worker_paid() {
	story(|| {
		let refunded = submit_by(CLIENT);
		let paid = submit_by(CLIENT);
		assert_ok!(Balances::transfer_all(origin(CLIENT), STRANGER, false));
		assert!(!frame_system::Account::<Test>::contains_key(CLIENT));
		register(WORKER, BOND);
		assert_ok!(Escrow::claim_job(origin(WORKER), paid));
		assert_ok!(Escrow::submit_result(origin(WORKER), paid, good(&cid_of(b"for a ghost"))));
		assert_ok!(Escrow::cancel_job(origin(CLIENT), refunded));
		assert_eq!(free(CLIENT), BOUNTY);
		run_to_block(1 + CHALLENGE_WINDOW);
		assert!(matches!(status(paid), JobStatus::Settled { .. }));
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
	});
}

/// M10: a due payout that cannot be made is deferred with an event and retried, never dropped.
#[test]
fn m10_a_failed_payout_is_retried_later_and_never_leaves_the_queue() {
	story(|| {
		let job = submit_by(CLIENT);
		register(WORKER, BOND);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		assert_ok!(Escrow::submit_result(origin(WORKER), job, good(&cid_of(b"png"))));
		// Make the payout impossible for a while (a broken invariant stands in for any cause).
		let escrow = Escrow::escrow_account();
		let kept = free(escrow);
		Balances::set_balance(&escrow, existential_deposit());
		let due = 1 + CHALLENGE_WINDOW;
		run_to_block(due);
		let retry_at = due + RETRY_DELAY;
		System::assert_has_event(
			Event::DueStepDeferred { job, retry_at, error: TokenError::FundsUnavailable.into() }.into(),
		);
		assert!(matches!(status(job), JobStatus::Delivered { .. }));
		assert!(DueJobs::<Test>::contains_key(retry_at, job));
		assert_eq!(DueJobs::<Test>::iter().count(), 1);
		Balances::set_balance(&escrow, kept);
		run_to_block(retry_at);
		assert!(matches!(status(job), JobStatus::Settled { .. }));
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
		// Only the finished job's pruning is left in the queue.
		assert_eq!(DueJobs::<Test>::iter().collect::<Vec<_>>(), vec![(retry_at + JOB_RETENTION, job, ())]);
	});
}

/// H1: the squatter reports a fake low-quality result to slip out of its claim and re-claims
/// the job in the same batch. The batch fails as a whole; alone, the way out costs a slash and
/// the job goes to an honest worker.
#[test]
fn h1_claim_squatting_costs_a_slash_and_the_squatter_cannot_reclaim() {
	story(|| {
		let job = submit_by(CLIENT);
		register(WORKER, BOND);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let fake = report(&cid_of(b"squat"), Permill::zero());
		let out_and_back_in = vec![
			escrow_call(Call::submit_result { job, report: fake.clone() }),
			escrow_call(Call::claim_job { job }),
		];
		assert_noop!(
			Utility::batch_all(origin(WORKER), out_and_back_in).map_err(|e| e.error),
			Error::<Test>::ClaimedBefore
		);
		assert_ok!(Escrow::submit_result(origin(WORKER), job, fake));
		System::assert_has_event(Event::ClaimFailed { job, worker: WORKER, slashed: SLASH }.into());
		assert_eq!(bond_held(WORKER), BOND - SLASH);
		assert_noop!(Escrow::claim_job(origin(WORKER), job), Error::<Test>::ClaimedBefore);

		register(OTHER_WORKER, BOND);
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), job));
		assert_ok!(Escrow::submit_result(origin(OTHER_WORKER), job, good(&cid_of(b"honest"))));
		assert_ok!(Escrow::accept_result(origin(CLIENT), job));
		assert_eq!(free(OTHER_WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
		assert_eq!(free(CLIENT), ENDOWMENT - BOUNTY);
	});
}

/// H1: claims are rate-limited by bond: a minimum-bond Sybil holds one claim, not eight.
#[test]
fn h1_a_minimum_bond_holds_one_claim_at_a_time() {
	story(|| {
		let jobs = [submit_by(CLIENT), submit_by(CLIENT)];
		register(WORKER, 10 * UNIT);
		assert_ok!(Escrow::claim_job(origin(WORKER), jobs[0]));
		assert_noop!(Escrow::claim_job(origin(WORKER), jobs[1]), Error::<Test>::TooManyClaims);
		assert_ok!(Escrow::bond_extra(origin(WORKER), 10 * UNIT));
		assert_ok!(Escrow::claim_job(origin(WORKER), jobs[1]));
	});
}

/// H5: the slash trap. A client sets a deadline the worker cannot meet: refused at submission;
/// and a claim that could be cut short by the deadline is refused, so no worker is slashed by
/// a client's deadline.
#[test]
fn h5_a_client_cannot_set_a_slash_trap_with_its_deadline() {
	story(|| {
		let mut trap = spec();
		trap.deadline = 2;
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(trap.clone()), BOUNTY),
			Error::<Test>::DeadlineTooSoon
		);
		trap.deadline = 2 + CLAIM_TIMEOUT;
		let job = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(trap), BOUNTY));
		register(WORKER, BOND);
		System::set_block_number(3);
		assert_noop!(Escrow::claim_job(origin(WORKER), job), Error::<Test>::ClaimWindowTooShort);
		run_to_block(2 + CLAIM_TIMEOUT);
		assert_eq!(status(job), JobStatus::Refunded);
		assert_eq!(bond_held(WORKER), BOND);
		assert_eq!(free(CLIENT), ENDOWMENT);
	});
}

/// H6: an attacker reads the output CID from a pending `submit_result` and registers it first.
/// The studio's record takes the registration's place; the worker delivers and is paid, and the
/// attacker is not the creator.
#[test]
fn h6_registering_a_workers_cid_first_cannot_block_the_delivery() {
	story(|| {
		let job = submit_by(CLIENT);
		register(WORKER, BOND);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let output = cid_of(b"the worker's design");
		let decoy = cid_of(b"the attacker's root");
		assert_ok!(Provenance::register_external(origin(STRANGER), decoy.clone(), Default::default()));
		assert_ok!(Provenance::register_external(
			origin(STRANGER),
			output.clone(),
			vec![decoy.clone()].try_into().unwrap()
		));
		let stranger_before = Balances::total_balance(&STRANGER);
		assert_ok!(Escrow::submit_result(origin(WORKER), job, good(&output)));
		// The squat cost the squatter its deposit.
		System::assert_has_event(
			pallet_provenance::Event::ExternalSuperseded { cid: output.clone(), registrar: STRANGER, burned: UNIT }
				.into(),
		);
		assert_eq!(Balances::total_balance(&STRANGER), stranger_before - UNIT);
		let record = Provenance::asset(&output).unwrap();
		assert_eq!((record.creator, record.owner, record.status), (CLIENT, CLIENT, AssetStatus::Delivered));
		assert_eq!(record.generation.unwrap().worker, WORKER);
		assert!(Provenance::derivatives(&decoy).is_empty());
		assert_ok!(Escrow::accept_result(origin(CLIENT), job));
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
		// A studio output, once recorded, cannot be registered over or delivered twice.
		assert_noop!(
			Provenance::register_external(origin(STRANGER), output.clone(), Default::default()),
			pallet_provenance::Error::<Test>::AssetExists
		);
	});
}

/// M4: a model retired while a worker is on the job: the claim lapses without a slash and the
/// worker is not barred.
#[test]
fn m4_a_model_retired_mid_job_costs_the_worker_nothing() {
	story(|| {
		let job = submit_by(CLIENT);
		register(WORKER, BOND);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		assert_ok!(Governance::force_enact(
			RuntimeOrigin::root(),
			Box::new(GovernanceAction::RetireModel { model: GENERATOR })
		));
		run_to_block(1 + CLAIM_TIMEOUT);
		System::assert_has_event(Event::ClaimExpired { job, worker: WORKER, slashed: 0 }.into());
		assert_eq!(bond_held(WORKER), BOND);
		assert_eq!(Jobs::<Test>::get(job).unwrap().barred, None);
	});
}

/// M12: nobody mints provenance for itself through its own job, and nobody earns its own bounty.
#[test]
fn m12_a_client_cannot_be_its_own_worker() {
	story(|| {
		register(CLIENT, BOND);
		let job = submit_by(CLIENT);
		assert_noop!(Escrow::claim_job(origin(CLIENT), job), Error::<Test>::SelfDealing);
		let in_a_batch = vec![escrow_call(Call::claim_job { job })];
		assert_noop!(
			Utility::batch_all(origin(CLIENT), in_a_batch).map_err(|e| e.error),
			Error::<Test>::SelfDealing
		);
	});
}

/// M7: reviewers retire a worker that delivered garbage on several jobs. None of its unsettled
/// results is paid: each job re-opens (or refunds) for honest workers, and the clients lose
/// nothing.
#[test]
fn m7_a_retired_worker_is_not_paid_for_its_unsettled_results() {
	story(|| {
		register(WORKER, BOND);
		let jobs = [submit_by(CLIENT), submit_by(CLIENT)];
		for (index, job) in jobs.iter().enumerate() {
			assert_ok!(Escrow::claim_job(origin(WORKER), *job));
			assert_ok!(Escrow::submit_result(origin(WORKER), *job, good(&cid_of(&[index as u8]))));
		}
		assert_eq!(Workers::<Test>::get(WORKER).unwrap().unsettled.len(), 2);
		assert_ok!(<Escrow as studio_primitives::JobsControl<u64>>::retire_agent(&WORKER, Permill::from_percent(50)));
		for (index, job) in jobs.iter().enumerate() {
			assert_eq!(status(*job), JobStatus::Open);
			System::assert_has_event(
				Event::ResultRejected {
					job: *job,
					worker: WORKER,
					output: cid_of(&[index as u8]),
					cause: RejectionCause::WorkerRetired,
				}
				.into(),
			);
		}
		run_to_block(1 + CHALLENGE_WINDOW);
		assert_eq!(free(WORKER), ENDOWMENT - BOND / 2);
		assert_eq!(TestGate::paid_out(), 0);
		assert_eq!(free(CLIENT), ENDOWMENT - 2 * BOUNTY);
		assert_ok!(Escrow::cancel_job(origin(CLIENT), jobs[0]));
		assert_eq!(free(CLIENT), ENDOWMENT - BOUNTY);
	});
}

/// M3: finished jobs do not pile up in storage: their records are pruned after the retention,
/// and the outputs' provenance records stay.
#[test]
fn m3_finished_jobs_are_pruned_after_the_retention() {
	story(|| {
		let cancelled = submit_by(CLIENT);
		assert_ok!(Escrow::cancel_job(origin(CLIENT), cancelled));
		register(WORKER, BOND);
		let settled = submit_by(CLIENT);
		assert_ok!(Escrow::claim_job(origin(WORKER), settled));
		let output = cid_of(b"kept in provenance");
		assert_ok!(Escrow::submit_result(origin(WORKER), settled, good(&output)));
		assert_ok!(Escrow::accept_result(origin(CLIENT), settled));
		run_to_block(JOB_RETENTION);
		assert!(Jobs::<Test>::get(cancelled).is_some());
		run_to_block(1 + JOB_RETENTION);
		assert!(Jobs::<Test>::get(cancelled).is_none());
		assert!(Jobs::<Test>::get(settled).is_none());
		System::assert_has_event(Event::JobPruned { job: settled }.into());
		assert_eq!(Provenance::asset(&output).unwrap().status, AssetStatus::Final);
		assert_eq!(DueJobs::<Test>::iter().count(), 0);
	});
}

/// M5: an agent the breaker halted tries to leave with its bond before the reviewers decide.
#[test]
fn m5_a_halted_agent_cannot_leave_before_the_reviewers_decide() {
	story(|| {
		register(WORKER, BOND);
		TestGate::halt_agent(WORKER);
		assert_noop!(Escrow::unregister_worker(origin(WORKER)), Error::<Test>::AgentHalted);
		assert_eq!(bond_held(WORKER), BOND);
		// Halted after unregistering: the bond waits for the decision too.
		register(OTHER_WORKER, BOND);
		assert_ok!(Escrow::unregister_worker(origin(OTHER_WORKER)));
		TestGate::halt_agent(OTHER_WORKER);
		System::set_block_number(1 + UNBONDING_DELAY);
		assert_noop!(Escrow::withdraw_bond(origin(OTHER_WORKER)), Error::<Test>::AgentHalted);
	});
}

/// Content addresses: only a bonded worker may put an address on the list other workers dial,
/// each worker one address, and a retired worker's address goes with it.
#[test]
fn only_bonded_workers_list_content_addresses() {
	story(|| {
		let address: ContentAddress = b"/ip4/203.0.113.9/tcp/4001/p2p/12D3KooWspam".to_vec().try_into().unwrap();
		// A stranger cannot make workers dial it, nor can an unsigned or root origin.
		assert_noop!(Escrow::set_content_address(origin(STRANGER), address.clone()), Error::<Test>::NotRegistered);
		for not_signed in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Escrow::set_content_address(not_signed, address.clone()), sp_runtime::DispatchError::BadOrigin);
		}
		// A worker calling again only replaces its own entry: one address per bond.
		register(OTHER_WORKER, BOND);
		for _ in 0..5 {
			assert_ok!(Escrow::set_content_address(origin(OTHER_WORKER), address.clone()));
		}
		assert_eq!(ContentAddresses::<Test>::iter().count(), 1);
		// Retired by the reviewers: its address is no longer dialled.
		assert_ok!(<Escrow as studio_primitives::JobsControl<u64>>::retire_agent(&OTHER_WORKER, Permill::from_percent(50)));
		assert_eq!(ContentAddresses::<Test>::get(OTHER_WORKER), None);
	});
}
