//! Curation's calls attacked the way someone after the money would: the wrong origin, bad
//! timing, `utility.batch_all`, self-dealing, a last-block snipe and a squatted CID. Each ends
//! with every pallet's invariants and with the honest party's funds whole.

use super::*;
use frame_support::assert_err;
use sp_runtime::DispatchError;

fn batch_all(calls: Vec<RuntimeCall>) -> RuntimeCall {
	RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
}

fn stake_call(job: u64, finalist: u32, amount: u64) -> RuntimeCall {
	RuntimeCall::Curation(pallet_curation::Call::stake { job, finalist, amount })
}

#[test]
fn curation_calls_refuse_every_origin_but_a_signed_account() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = claimed_curated_job(3);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Escrow::submit_finalists(origin.clone(), job, three_finalists(10)),
				DispatchError::BadOrigin
			);
		}
		assert_ok!(Escrow::submit_finalists(origin(WORKER), job, three_finalists(10)));
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Curation::stake(origin.clone(), job, 0, UNIT), DispatchError::BadOrigin);
			assert_noop!(Curation::withdraw_stake(origin.clone(), job), DispatchError::BadOrigin);
			assert_noop!(Curation::close_curation(origin, job), DispatchError::BadOrigin);
		}
		check_invariants().unwrap();
	});
}

#[test]
fn finalists_come_too_late_once_the_claim_expired_and_the_client_cannot_claim_its_own_job() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = pallet_job_escrow::NextJobId::<Runtime>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(curated_spec(3)), BOUNTY));
		// Self-dealing: a client that is also a worker may not take its own job (and so never
		// curates its own finalists' pay).
		assert_ok!(Escrow::register_worker(origin(CLIENT), 50 * UNIT, vec![GENERATOR].try_into().unwrap()));
		assert_noop!(Escrow::claim_job(origin(CLIENT), job), pallet_job_escrow::Error::<Runtime>::SelfDealing);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		// Past the claim's timeout (before `on_idle` expires it) the finalists are refused.
		for _ in 0..CLAIM_TIMEOUT {
			next_block(Weight::zero());
		}
		assert_noop!(
			Escrow::submit_finalists(origin(WORKER), job, three_finalists(10)),
			pallet_job_escrow::Error::<Runtime>::ClaimExpired
		);
		check_invariants().unwrap();
	});
}

#[test]
fn a_batch_that_stakes_and_closes_early_changes_nothing_and_one_that_stakes_twice_keeps_one_stake() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = curating_job(10);
		let curator = CURATORS[0];
		let before = free(curator);
		// Stake, then close at once to lock the lead in: the close fails, so the stake goes too.
		let early = batch_all(vec![
			stake_call(job, 1, 50 * UNIT),
			RuntimeCall::Curation(pallet_curation::Call::close_curation { job }),
		]);
		assert!(early.dispatch(origin(curator)).is_err());
		assert_eq!((staked(curator), free(curator)), (0, before));
		assert!(Curations::<Runtime>::get(job).unwrap().stakes.is_empty());
		// Two stakes in one batch: the second replaces the first, one hold, one tally.
		assert_ok!(batch_all(vec![stake_call(job, 0, 5 * UNIT), stake_call(job, 2, 7 * UNIT)]).dispatch(origin(curator)));
		let curation = Curations::<Runtime>::get(job).unwrap();
		assert_eq!((staked(curator), curation.stakes.len()), (7 * UNIT, 1));
		assert_eq!((curation.finalists[0].weight, curation.finalists[2].weight), (0, 7 * UNIT as u128));
		check_invariants().unwrap();
	});
}

#[test]
fn self_stakes_take_nothing_from_anyone_the_client_only_gets_its_own_reward_back() {
	new_test_ext().execute_with(|| {
		register_worker();
		let client_before = free(CLIENT);
		let job = curating_job(10);
		let honest = CURATORS[0];
		let honest_before = free(honest);
		// The client and the worker stake on the same finalist as an honest curator.
		assert_ok!(Curation::stake(origin(CLIENT), job, 1, 10 * UNIT));
		assert_ok!(Curation::stake(origin(WORKER), job, 1, 10 * UNIT));
		assert_ok!(Curation::stake(origin(honest), job, 1, 20 * UNIT));
		to_curation_end();
		assert_ok!(Curation::close_curation(origin(honest), job));
		// The reward splits by weight: the honest curator's half is its own; the client recovers a
		// quarter of what it paid; the worker's quarter is the client's money, as any curator's.
		assert_eq!(free(honest) - honest_before, REWARD / 2);
		assert_eq!(client_before - free(CLIENT), BOUNTY + REWARD - REWARD / 4);
		assert!([CLIENT, WORKER, honest].iter().all(|who| staked(*who) == 0));
		check_invariants().unwrap();
	});
}

#[test]
fn a_last_block_snipe_can_win_with_more_stake_but_takes_no_honest_curators_funds() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = curating_job(10);
		let (honest, sniper) = (CURATORS[0], CURATORS[1]);
		let (honest_before, sniper_before) = (free(honest), free(sniper));
		assert_ok!(Curation::stake(origin(honest), job, 0, 10 * UNIT));
		// The sniper waits for the last block in which stakes count, then outstakes.
		blocks(PERIOD - 2);
		next_block(Weight::zero());
		assert_ok!(Curation::stake(origin(sniper), job, 1, 11 * UNIT));
		next_block(Weight::zero());
		assert_noop!(
			Curation::stake(origin(honest), job, 0, 20 * UNIT),
			pallet_curation::Error::<Runtime>::CurationOver
		);
		assert_ok!(Curation::close_curation(origin(honest), job));
		// Open tallies let a larger stake win late (docs/curation.md, "Known limits"): the
		// sniper takes the reward, the honest curator its whole stake back and a reputation loss.
		assert_eq!(free(sniper) - sniper_before, REWARD);
		assert_eq!((free(honest), staked(honest)), (honest_before, 0));
		assert_eq!(Curators::<Runtime>::get(honest).losses, 1);
		check_invariants().unwrap();
	});
}

#[test]
fn squatting_a_finalists_cid_cannot_block_the_delivery() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = claimed_curated_job(3);
		// A squatter reads finalist 11's CID from the pending transaction and registers it first.
		let squatter = CURATORS[3];
		assert_ok!(Provenance::register_external(origin(squatter), cid_of(&[11]), BoundedVec::new()));
		assert_ok!(Escrow::submit_finalists(origin(WORKER), job, three_finalists(10)));
		assert!(System::events().iter().any(|record| matches!(
			&record.event,
			RuntimeEvent::Provenance(pallet_provenance::Event::ExternalSuperseded { registrar, .. }) if *registrar == squatter
		)));
		assert_eq!(asset_status(11), AssetStatus::Candidate);
		assert_eq!(pallet_provenance::Assets::<Runtime>::get(cid_of(&[11])).unwrap().creator, CLIENT);
		assert_err!(
			Provenance::register_external(origin(squatter), cid_of(&[12]), BoundedVec::new()),
			pallet_provenance::Error::<Runtime>::AssetExists
		);
		check_invariants().unwrap();
	});
}

#[test]
fn a_style_retired_while_the_job_is_claimed_does_not_trap_its_worker() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = claimed_curated_job(3);
		let bond = pallet_job_escrow::Workers::<Runtime>::get(WORKER).unwrap().bond;
		let retire = pallet_studio_governance::GovernanceAction::RetireStyle { style: 0 };
		assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(retire)));
		// The worker still delivers (a refusal would leave it to expire, slashed); the curation
		// runs and closes, and the retired style learns nothing.
		assert_ok!(Escrow::submit_finalists(origin(WORKER), job, three_finalists(10)));
		assert_ok!(Curation::stake(origin(CURATORS[0]), job, 1, 5 * UNIT));
		to_curation_end();
		assert_ok!(Curation::close_curation(origin(CLIENT), job));
		assert!(matches!(status(job), JobStatus::Delivered { .. }));
		assert!(Preferences::<Runtime>::get(0).is_none());
		assert_eq!(pallet_job_escrow::Workers::<Runtime>::get(WORKER).unwrap().bond, bond);
		check_invariants().unwrap();
	});
}

#[test]
fn a_worker_retired_while_its_finalists_are_curated_is_not_paid_and_the_client_keeps_its_bounty() {
	new_test_ext().execute_with(|| {
		register_worker();
		let client_before = free(CLIENT);
		let job = curating_job(10);
		// Reviewers retire the worker mid-curation (a halt, then two votes).
		use pallet_circuit_breaker::{Call as Breaker, Decision, Scope};
		assert_ok!(RuntimeCall::Breaker(Breaker::halt { scope: Scope::Agent(WORKER) }).dispatch(origin(REVIEWERS[0])));
		let incident = pallet_circuit_breaker::NextIncidentId::<Runtime>::get() - 1;
		for reviewer in &REVIEWERS[..2] {
			assert_ok!(RuntimeCall::Breaker(Breaker::review { incident, decision: Decision::Retire }).dispatch(origin(*reviewer)));
		}
		assert!(pallet_job_escrow::Workers::<Runtime>::get(WORKER).is_none());
		assert_ok!(Curation::stake(origin(CURATORS[0]), job, 1, 5 * UNIT));
		to_curation_end();
		let worker_before = free(WORKER);
		// The curation still closes (its curators are paid for their pick); the chosen result is
		// refused, the job re-opens with its bounty, and the retired worker gets nothing.
		assert_ok!(Curation::close_curation(origin(CLIENT), job));
		assert_eq!(status(job), JobStatus::Open);
		assert_eq!(asset_status(11), AssetStatus::Rejected);
		assert_eq!(free(WORKER), worker_before);
		assert_eq!(client_before - free(CLIENT), BOUNTY + REWARD);
		check_invariants().unwrap();
		// Nobody else takes it: at its deadline the client gets the bounty back.
		blocks(50);
		assert_eq!(client_before - free(CLIENT), REWARD);
		check_invariants().unwrap();
	});
}

#[test]
fn a_curation_closes_once_and_a_second_close_alone_or_in_a_batch_pays_nothing_more() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = curating_job(10);
		let curator = CURATORS[0];
		let before = free(curator);
		assert_ok!(Curation::stake(origin(curator), job, 1, 5 * UNIT));
		to_curation_end();
		// Two closes in one batch, to be paid twice: the second fails, the batch reverts whole.
		let close = || RuntimeCall::Curation(pallet_curation::Call::close_curation { job });
		assert!(batch_all(vec![close(), close()]).dispatch(origin(curator)).is_err());
		assert_eq!((staked(curator), before - free(curator)), (5 * UNIT, 5 * UNIT));
		// One close pays the reward once and releases the stake; a later one finds nothing.
		assert_ok!(Curation::close_curation(origin(curator), job));
		assert_eq!((staked(curator), free(curator) - before), (0, REWARD));
		assert_noop!(Curation::close_curation(origin(curator), job), pallet_curation::Error::<Runtime>::UnknownCuration);
		assert_eq!(free(curator) - before, REWARD);
		check_invariants().unwrap();
	});
}
