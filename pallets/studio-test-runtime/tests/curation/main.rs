//! Curation through the whole studio: a curated job's finalists, the stakes on them, the
//! close that picks the output and pays the curators, reputation and the style's learned
//! preference — and the attacks on each (late stakes, dust filling the slots, a whale without
//! reputation, a worker dodging curation, a finalist that trips the breaker; and in `attacks`
//! the wrong origins, bad timing, batches, self-dealing, sniping and squatting). Every story ends
//! with every pallet's invariants and with each party's funds accounted for.

mod attacks;

use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, weights::Weight, BoundedVec};
use pallet_curation::{Curations, Curators, Preferences, REPUTATION_UNIT};
use pallet_job_escrow::{
	CurationAsk, FinalistReport, FinalistsReport, ImageFormat, JobKind, JobSpec, JobStatus, OnRejection,
	OutputSpec, Prompt, ResultReport,
};
use sp_runtime::{traits::Dispatchable, Permill};
use studio_primitives::AssetStatus;
use studio_test_runtime::*;

const CLIENT: u64 = CLIENTS[0];
const WORKER: u64 = WORKERS[0];
const BOUNTY: u64 = 100 * UNIT;
/// The governance default `CurationReward`: a tenth of the bounty.
const REWARD: u64 = BOUNTY / 10;
const PERIOD: u64 = 5;
/// Curators: the second client, the other workers and the reviewers, none of them the job's.
const CURATORS: [u64; 4] = [CLIENTS[1], WORKERS[1], WORKERS[2], REVIEWERS[0]];

fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn free(who: u64) -> u64 {
	Balances::free_balance(who)
}

fn staked(who: u64) -> u64 {
	Balances::balance_on_hold(&RuntimeHoldReason::Curation(pallet_curation::HoldReason::CurationStake), &who)
}

fn blocks(count: u64) {
	for _ in 0..count {
		next_block(Weight::MAX);
		check_invariants().unwrap();
	}
}

/// To the block a curation opened now ends in, as its extrinsics see it: before that block's
/// `on_idle`, which would close it.
fn to_curation_end() {
	blocks(PERIOD - 1);
	next_block(Weight::zero());
	check_invariants().unwrap();
}

fn curated_spec(finalists: u32) -> pallet_job_escrow::JobSpecOf<Runtime> {
	JobSpec {
		kind: JobKind::Generate,
		model: GENERATOR,
		style: 0,
		prompt: Prompt::Text(b"an eye".to_vec().try_into().unwrap()),
		parents: BoundedVec::new(),
		seed: 1,
		output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
		candidates: 4,
		deadline: System::block_number() + 50,
		on_rejection: OnRejection::Reopen,
		curation: Some(CurationAsk { finalists, period: PERIOD }),
	}
}

/// A finalist: output `cid_of([n])`, a style vector of the style's length.
fn finalist(n: u8, deviation: u32, vector: [i32; 3]) -> FinalistReport<frame_support::traits::ConstU32<4>> {
	FinalistReport {
		output: cid_of(&[n]),
		style_deviation: Permill::from_parts(deviation),
		quality: Permill::from_percent(80),
		style_vector: vector.to_vec().try_into().unwrap(),
		settings: format!(r#"{{"lineage":[{n}]}}"#).into_bytes().try_into().unwrap(),
	}
}

fn report(finalists: Vec<FinalistReport<frame_support::traits::ConstU32<4>>>) -> Box<pallet_job_escrow::FinalistsReportOf<Runtime>> {
	Box::new(FinalistsReport { finalists: finalists.try_into().unwrap(), weights_hash: GENERATOR_HASH, candidates_tried: 8 })
}

/// Three finalists near the style: the first the worker's best.
fn three_finalists(first_cid: u8) -> Box<pallet_job_escrow::FinalistsReportOf<Runtime>> {
	report(vec![
		finalist(first_cid, 50_000, [500_000, -250_000, 125_000]),
		finalist(first_cid + 1, 60_000, [600_000, -250_000, 125_000]),
		finalist(first_cid + 2, 70_000, [400_000, -250_000, 125_000]),
	])
}

/// Registers the worker, and (by root, as on a dev chain) stops random audits, so that a client
/// may accept a result at once.
fn register_worker() {
	let no_audits = pallet_studio_governance::GovernanceAction::SetParameter {
		parameter: pallet_studio_governance::StudioParameter::AuditProbability,
		value: 0,
	};
	assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(no_audits)));
	assert_ok!(Escrow::register_worker(origin(WORKER), 50 * UNIT, vec![GENERATOR].try_into().unwrap()));
}

/// A job asking for `finalists`, submitted by the client and claimed by the worker.
fn claimed_curated_job(finalists: u32) -> u64 {
	let job = pallet_job_escrow::NextJobId::<Runtime>::get();
	assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(curated_spec(finalists)), BOUNTY));
	assert_ok!(Escrow::claim_job(origin(WORKER), job));
	job
}

/// A curated job, claimed by the worker, its three finalists delivered: curating until
/// `now + PERIOD`. Returns the job.
fn curating_job(first_cid: u8) -> u64 {
	let job = claimed_curated_job(3);
	assert_ok!(Escrow::submit_finalists(origin(WORKER), job, three_finalists(first_cid)));
	check_invariants().unwrap();
	job
}

fn status(job: u64) -> JobStatus<u64, u64> {
	pallet_job_escrow::Jobs::<Runtime>::get(job).unwrap().status
}

fn asset_status(n: u8) -> AssetStatus {
	pallet_provenance::Assets::<Runtime>::get(cid_of(&[n])).unwrap().status
}

#[test]
fn a_curated_job_is_decided_by_the_heavier_stake_and_its_stakers_share_the_reward() {
	new_test_ext().execute_with(|| {
		register_worker();
		let client_before = free(CLIENT);
		let job = curating_job(10);
		// The client paid the bounty and the curation reward on top.
		assert_eq!(client_before - free(CLIENT), BOUNTY + REWARD);
		assert!(matches!(status(job), JobStatus::Curating { .. }));
		assert_eq!([asset_status(10), asset_status(11), asset_status(12)], [AssetStatus::Candidate; 3]);

		let [carol, dave, eve, _] = CURATORS;
		let before = [free(carol), free(dave), free(eve)];
		// Delivered once: the worker cannot swap its finalists while stakes come in.
		assert_noop!(
			Escrow::submit_finalists(origin(WORKER), job, three_finalists(20)),
			pallet_job_escrow::Error::<Runtime>::NotClaimant
		);
		assert_ok!(Curation::stake(origin(carol), job, 1, 30 * UNIT));
		assert_ok!(Curation::stake(origin(dave), job, 1, 10 * UNIT));
		assert_ok!(Curation::stake(origin(eve), job, 2, 25 * UNIT));
		assert_eq!(staked(carol), 30 * UNIT);
		// Nobody closes early.
		assert_noop!(Curation::close_curation(origin(eve), job), pallet_curation::Error::<Runtime>::CurationRunning);
		to_curation_end();
		assert_noop!(
			Curation::stake(origin(eve), job, 1, 25 * UNIT),
			pallet_curation::Error::<Runtime>::CurationOver
		);
		// Anyone closes it: finalist 1 (40 against 25) wins. The closer pays for the three
		// stakes the curation had, not for `MaxStakers`.
		let closed = Curation::close_curation(origin(CLIENTS[1]), job).unwrap();
		let walked = <<Runtime as pallet_curation::Config>::WeightInfo as pallet_curation::WeightInfo>::close(3) +
			<Escrow as studio_primitives::CuratedJobs>::finalist_chosen_weight();
		assert_eq!(closed.actual_weight, Some(walked));
		check_invariants().unwrap();
		let JobStatus::Delivered { output, .. } = status(job) else { panic!("{:?}", status(job)) };
		assert_eq!(output, cid_of(&[11]));
		assert_eq!([asset_status(10), asset_status(11), asset_status(12)], [
			AssetStatus::Unchosen,
			AssetStatus::Delivered,
			AssetStatus::Unchosen
		]);
		// The winners share the reward 3:1; every stake is released; the loser loses nothing
		// but reputation.
		assert_eq!(free(carol) - before[0], REWARD * 3 / 4);
		assert_eq!(free(dave) - before[1], REWARD / 4);
		assert_eq!(free(eve), before[2]);
		assert!(CURATORS.iter().all(|who| staked(*who) == 0));
		assert!(Curators::<Runtime>::get(carol).reputation > 0);
		assert_eq!(Curators::<Runtime>::get(eve).losses, 1);
		// The chosen result settles like any other: the worker is paid.
		let worker_before = free(WORKER);
		assert_ok!(Escrow::accept_result(origin(CLIENT), job));
		assert_eq!(free(WORKER) - worker_before, BOUNTY - Permill::from_percent(5) * BOUNTY);
		assert_eq!(client_before - free(CLIENT), BOUNTY + REWARD);
		check_invariants().unwrap();
	});
}

#[test]
fn a_curation_nobody_staked_on_picks_the_workers_best_closes_itself_and_returns_the_reward() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = curating_job(10);
		let client_after_submit = free(CLIENT);
		// Nobody closes it by hand: the escrow's `on_idle` does when it is due.
		blocks(PERIOD + 1);
		let JobStatus::Delivered { output, .. } = status(job) else { panic!("{:?}", status(job)) };
		assert_eq!(output, cid_of(&[10]), "the lowest deviation wins");
		assert_eq!(free(CLIENT) - client_after_submit, REWARD);
		assert!(Curations::<Runtime>::get(job).is_none());
		assert!(Preferences::<Runtime>::get(0).is_none(), "no stakes, nothing learned");
	});
}

#[test]
fn equal_weights_go_to_the_lower_deviation() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = claimed_curated_job(2);
		assert_ok!(Escrow::submit_finalists(
			origin(WORKER),
			job,
			report(vec![finalist(20, 90_000, [1, 2, 3]), finalist(21, 40_000, [1, 2, 4])])
		));
		assert_ok!(Curation::stake(origin(CURATORS[0]), job, 0, 5 * UNIT));
		assert_ok!(Curation::stake(origin(CURATORS[1]), job, 1, 5 * UNIT));
		to_curation_end();
		assert_ok!(Curation::close_curation(origin(CLIENT), job));
		let JobStatus::Delivered { output, .. } = status(job) else { panic!() };
		assert_eq!(output, cid_of(&[21]));
	});
}

#[test]
fn proven_curators_outweigh_a_whale_without_reputation_and_reputation_stays_bounded() {
	new_test_ext().execute_with(|| {
		register_worker();
		let [small_a, small_b, whale, _] = CURATORS;
		// Ten curations the two small curators win together.
		for round in 0..10u8 {
			let job = curating_job(30 + round * 3);
			assert_ok!(Curation::stake(origin(small_a), job, 0, UNIT));
			assert_ok!(Curation::stake(origin(small_b), job, 0, UNIT));
			to_curation_end();
			assert_ok!(Curation::close_curation(origin(CLIENT), job));
			assert_ok!(Escrow::accept_result(origin(CLIENT), job));
		}
		let reputation = Curators::<Runtime>::get(small_a).reputation;
		assert!(reputation > 1_500_000 && reputation <= 2_000_000, "{reputation}");
		assert_eq!(Curators::<Runtime>::get(small_a).wins, 10);
		// The whale stakes more than both together; their reputation outweighs it.
		let job = curating_job(100);
		assert_ok!(Curation::stake(origin(small_a), job, 1, 10 * UNIT));
		assert_ok!(Curation::stake(origin(small_b), job, 1, 10 * UNIT));
		assert_ok!(Curation::stake(origin(whale), job, 2, 45 * UNIT));
		let curation = Curations::<Runtime>::get(job).unwrap();
		assert_eq!(curation.finalists[2].weight, 45 * UNIT as u128, "a whale weighs its balance alone");
		assert!(curation.finalists[1].weight > curation.finalists[2].weight);
		to_curation_end();
		assert_ok!(Curation::close_curation(origin(CLIENT), job));
		let JobStatus::Delivered { output, .. } = status(job) else { panic!() };
		assert_eq!(output, cid_of(&[101]));
		assert!(Curators::<Runtime>::get(small_a).reputation <= 2_000_000);
		// Reputation cannot be moved to another account, and unused it decays: after two
		// half-lives it is a quarter.
		let record = Curators::<Runtime>::get(small_a);
		let half_life = 201_600;
		System::set_block_number(System::block_number() + 2 * half_life);
		let weight_now = {
			let job = curating_job(110);
			assert_ok!(Curation::stake(origin(small_a), job, 0, UNIT));
			Curations::<Runtime>::get(job).unwrap().stakes[0].weight
		};
		let expected = UNIT as u128 + UNIT as u128 * (record.reputation as u128 / 4) / REPUTATION_UNIT;
		assert!(weight_now.abs_diff(expected) <= 4, "{weight_now} against {expected}");
	});
}

#[test]
fn stakes_change_and_withdraw_before_the_end_and_dust_cannot_fill_the_slots() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = curating_job(10);
		let [a, b, c, d] = CURATORS;
		assert_noop!(Curation::stake(origin(a), job, 0, UNIT - 1), pallet_curation::Error::<Runtime>::StakeTooLow);
		assert_noop!(Curation::stake(origin(a), job, 3, UNIT), pallet_curation::Error::<Runtime>::UnknownFinalist);
		assert_noop!(Curation::stake(origin(a), job + 1, 0, UNIT), pallet_curation::Error::<Runtime>::UnknownCuration);
		// A changed stake moves its weight and its hold; nobody stakes twice.
		assert_ok!(Curation::stake(origin(a), job, 0, 5 * UNIT));
		assert_ok!(Curation::stake(origin(a), job, 2, 3 * UNIT));
		assert_eq!(staked(a), 3 * UNIT);
		let curation = Curations::<Runtime>::get(job).unwrap();
		assert_eq!((curation.finalists[0].weight, curation.finalists[2].weight), (0, 3 * UNIT as u128));
		assert_eq!(curation.stakes.len(), 1);
		assert_ok!(Curation::withdraw_stake(origin(a), job));
		assert_eq!(staked(a), 0);
		assert_noop!(Curation::withdraw_stake(origin(a), job), pallet_curation::Error::<Runtime>::NoStake);
		// Three minimum stakes fill the slots (`MaxStakers` = 3): a fourth as small is
		// refused, a larger one displaces the smallest, whose funds come back at once.
		for who in [a, b, c] {
			assert_ok!(Curation::stake(origin(who), job, 0, UNIT));
		}
		assert_noop!(Curation::stake(origin(d), job, 1, UNIT), pallet_curation::Error::<Runtime>::TooManyStakers);
		assert_ok!(Curation::stake(origin(d), job, 1, 2 * UNIT));
		assert_eq!(staked(a), 0);
		assert_eq!(Curations::<Runtime>::get(job).unwrap().stakes.len(), 3);
		check_invariants().unwrap();
		to_curation_end();
		assert_noop!(Curation::withdraw_stake(origin(d), job), pallet_curation::Error::<Runtime>::CurationOver);
	});
}

#[test]
fn the_preference_moves_toward_the_winner_within_its_bound_and_a_slow_vote_resets_it() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = curating_job(10);
		// All stake on finalist 1, the one with the larger first component.
		assert_ok!(Curation::stake(origin(CURATORS[0]), job, 1, 10 * UNIT));
		to_curation_end();
		assert_ok!(Curation::close_curation(origin(CLIENT), job));
		let preference = Preferences::<Runtime>::get(0).unwrap();
		// Winner less the losers' mean: (150 000, 0, 0); a full margin at the 20 % rate.
		assert_eq!(preference.to_vec(), vec![30_000, 0, 0]);
		// Many one-sided curations: the direction grows but never past half the reference.
		for round in 0..40u8 {
			let job = curating_job(20 + round * 3);
			assert_ok!(Curation::stake(origin(CURATORS[0]), job, 1, 10 * UNIT));
			to_curation_end();
			assert_ok!(Curation::close_curation(origin(CLIENT), job));
			assert_ok!(Escrow::accept_result(origin(CLIENT), job));
		}
		let preference = Preferences::<Runtime>::get(0).unwrap();
		let reference_length = (500_000f64.powi(2) + 250_000f64.powi(2) + 125_000f64.powi(2)).sqrt();
		assert!(preference[0] as f64 <= reference_length / 2.0 + 1.0, "{preference:?}");
		assert!(preference[0] > 250_000, "{preference:?}");
		// Resetting is a slow-track action.
		let action = pallet_studio_governance::GovernanceAction::ResetPreference { style: 0 };
		assert_ok!(Governance::propose(origin(CLIENTS[1]), Box::new(action)));
		let proposal = pallet_studio_governance::NextProposalId::<Runtime>::get() - 1;
		assert_eq!(
			pallet_studio_governance::Proposals::<Runtime>::get(proposal).unwrap().track,
			pallet_studio_governance::Track::Slow
		);
		for voter in [CLIENTS[1], WORKERS[1], WORKERS[2]] {
			assert_ok!(Governance::vote(origin(voter), proposal, true, 8_000 * UNIT));
		}
		blocks(11);
		assert_ok!(Governance::close(origin(CLIENT), proposal));
		blocks(4);
		assert!(Preferences::<Runtime>::get(0).is_none());
	});
}

#[test]
fn a_worker_cannot_dodge_curation_nor_pad_it_with_one_image_and_clients_ask_within_bounds() {
	new_test_ext().execute_with(|| {
		register_worker();
		let job = claimed_curated_job(3);
		let single = ResultReport {
			output: cid_of(&[1]),
			style_deviation: Permill::from_percent(5),
			quality: Permill::from_percent(80),
			weights_hash: GENERATOR_HASH,
			settings: b"{}".to_vec().try_into().unwrap(),
			candidates_tried: 8,
		};
		use pallet_job_escrow::Error as E;
		assert_noop!(Escrow::submit_result(origin(WORKER), job, single), E::<Runtime>::CurationNeedsFinalists);
		let same = report(vec![finalist(1, 50_000, [1, 2, 3]), finalist(1, 50_000, [1, 2, 3]), finalist(2, 1, [1, 2, 3])]);
		assert_noop!(Escrow::submit_finalists(origin(WORKER), job, same), E::<Runtime>::DuplicateFinalist);
		let two = report(vec![finalist(1, 50_000, [1, 2, 3]), finalist(2, 50_000, [1, 2, 3])]);
		assert_noop!(Escrow::submit_finalists(origin(WORKER), job, two), E::<Runtime>::WrongFinalistCount);
		let short = report(vec![finalist(1, 1, [1, 2, 3]), finalist(2, 1, [1, 2, 3]), FinalistReport {
			style_vector: vec![1, 2].try_into().unwrap(),
			..finalist(3, 1, [0; 3])
		}]);
		assert_noop!(Escrow::submit_finalists(origin(WORKER), job, short), E::<Runtime>::WrongStyleVectorLength);
		// Another account cannot deliver them.
		assert_noop!(Escrow::submit_finalists(origin(WORKERS[1]), job, three_finalists(1)), E::<Runtime>::NotClaimant);
		// Bad asks are refused before any money moves.
		let before = free(CLIENT);
		for (finalists, period) in [(1, PERIOD), (5, PERIOD), (3, 0), (3, 21)] {
			let mut spec = curated_spec(finalists);
			spec.curation = Some(CurationAsk { finalists, period });
			assert_noop!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY), E::<Runtime>::InvalidCuration);
		}
		let mut spec = curated_spec(3);
		spec.candidates = 2;
		assert_noop!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY), E::<Runtime>::InvalidCuration);
		assert_eq!(free(CLIENT), before);
		// An uncurated job takes no finalists.
		let plain = pallet_job_escrow::NextJobId::<Runtime>::get();
		let mut spec = curated_spec(3);
		spec.curation = None;
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY));
		assert_ok!(Escrow::claim_job(origin(WORKER), plain));
		assert_noop!(Escrow::submit_finalists(origin(WORKER), plain, three_finalists(1)), E::<Runtime>::NotCurated);
	});
}

#[test]
fn a_finalist_that_trips_the_breaker_quarantines_the_job_and_the_reward_goes_back() {
	new_test_ext().execute_with(|| {
		register_worker();
		let client_before = free(CLIENT);
		let job = claimed_curated_job(2);
		// The second finalist is past the hard limit (50 %).
		assert_ok!(Escrow::submit_finalists(
			origin(WORKER),
			job,
			report(vec![finalist(1, 50_000, [1, 2, 3]), finalist(2, 700_000, [1, 2, 3])])
		));
		check_invariants().unwrap();
		let JobStatus::Quarantined { output, incident, .. } = status(job) else { panic!("{:?}", status(job)) };
		assert_eq!(output, cid_of(&[2]));
		assert!(Curations::<Runtime>::get(job).is_none(), "no curation runs");
		// The reviewers refuse it; the job re-opens with the client's bounty and reward intact,
		// and the client gets both back at the deadline.
		for reviewer in &REVIEWERS[..2] {
			assert_ok!(RuntimeCall::Breaker(pallet_circuit_breaker::Call::review {
				incident,
				decision: pallet_circuit_breaker::Decision::Retire
			})
			.dispatch(origin(*reviewer)));
		}
		check_invariants().unwrap();
		blocks(50);
		assert_eq!(free(CLIENT), client_before);
	});
}
