//! The escrow as its users meet it: clients pay for jobs, workers claim, deliver and get paid,
//! and bad input ends in a named error with nothing lost.

use crate::{mock::*, *};
use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok,
	traits::{ConstU32, Get, Hooks},
	weights::Weight,
	BoundedVec,
};
use pallet_studio_governance::{GovernanceAction, StudioParameter};
use sp_runtime::Permill;
use studio_primitives::{AssetStatus, CidBytes, JobId, JobsControl, QuarantineOutcome};

fn spec() -> JobSpecOf<Test> {
	JobSpec {
		kind: JobKind::Generate,
		model: GENERATOR,
		style: STYLE,
		prompt: Prompt::Text(b"an amber eye, painterly".to_vec().try_into().unwrap()),
		parents: BoundedVec::new(),
		seed: 42,
		output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
		candidates: 8,
		deadline: 1_000,
		on_rejection: OnRejection::Reopen,
		curation: None,
	}
}

fn submit(spec: JobSpecOf<Test>) -> JobId {
	let job = NextJobId::<Test>::get();
	assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY));
	job
}

fn register(worker: u64) {
	assert_ok!(Escrow::register_worker(origin(worker), BOND, vec![GENERATOR].try_into().unwrap()));
}

fn report(output: &CidBytes) -> ResultReport {
	ResultReport {
		output: output.clone(),
		style_deviation: Permill::from_percent(12),
		quality: Permill::from_percent(80),
		weights_hash: GENERATOR_HASH,
		settings: br#"{"lineage":[0]}"#.to_vec().try_into().unwrap(),
		candidates_tried: 8,
	}
}

/// A job submitted, and claimed by `WORKER`.
fn claimed_job() -> JobId {
	let job = submit(spec());
	register(WORKER);
	assert_ok!(Escrow::claim_job(origin(WORKER), job));
	job
}

/// A job claimed by `WORKER` and delivered with `output`.
fn delivered_job(output: &CidBytes) -> JobId {
	let job = claimed_job();
	assert_ok!(Escrow::submit_result(origin(WORKER), job, report(output)));
	job
}

fn enact(action: pallet_studio_governance::ActionOf<Test>) {
	assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(action)));
}

#[test]
fn a_job_is_claimed_delivered_and_settles_after_the_window_paying_worker_and_treasury() {
	story(|| {
		let job = submit(spec());
		assert_eq!(free(CLIENT), ENDOWMENT - BOUNTY);
		assert_eq!(escrowed(), BOUNTY);
		System::assert_last_event(
			Event::JobSubmitted {
				job,
				client: CLIENT,
				model: GENERATOR,
				style: STYLE,
				bounty: BOUNTY,
				deadline: 1_000,
			}
			.into(),
		);

		register(WORKER);
		assert_eq!(bond_held(WORKER), BOND);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let expires_at = 1 + CLAIM_TIMEOUT;
		assert_eq!(status(job), JobStatus::Claimed { worker: WORKER, expires_at });

		run_to_block(10);
		let output = cid_of(b"the png");
		assert_ok!(Escrow::submit_result(origin(WORKER), job, report(&output)));
		let settles_at = 10 + CHALLENGE_WINDOW;
		assert_eq!(
			status(job),
			JobStatus::Delivered { worker: WORKER, output: output.clone(), settles_at }
		);
		assert_eq!(TestGate::judged(), vec![(WORKER, job, Permill::from_percent(12))]);
		let record = Provenance::asset(&output).unwrap();
		assert_eq!((record.creator, record.status), (CLIENT, AssetStatus::Delivered));
		let generation = record.generation.unwrap();
		assert_eq!((generation.worker, generation.job, generation.seed), (WORKER, job, 42));
		assert_eq!(generation.prompt_hash, sp_io::hashing::sha2_256(b"an amber eye, painterly"));
		assert_eq!(generation.weights_hash, GENERATOR_HASH);

		// Nothing moves during the window.
		run_to_block(settles_at - 1);
		assert!(matches!(status(job), JobStatus::Delivered { .. }));
		let treasury_before = free(TREASURY);
		run_to_block(settles_at);
		assert_eq!(status(job), JobStatus::Settled { worker: WORKER, output: output.clone() });
		System::assert_has_event(
			Event::JobSettled { job, worker: WORKER, payment: BOUNTY - FEE, fee: FEE }.into(),
		);
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
		assert_eq!(free(TREASURY), treasury_before + FEE);
		assert_eq!(free(CLIENT), ENDOWMENT - BOUNTY);
		assert_eq!(escrowed(), 0);
		assert_eq!(Provenance::asset(&output).unwrap().status, AssetStatus::Final);
		assert!(Workers::<Test>::get(WORKER).unwrap().unsettled.is_empty());
	});
}

#[test]
fn the_client_may_accept_at_once_and_anyone_may_settle_after_the_window() {
	story(|| {
		let first = delivered_job(&cid_of(b"first"));
		assert_noop!(Escrow::accept_result(origin(STRANGER), first), Error::<Test>::NotClient);
		assert_ok!(Escrow::accept_result(origin(CLIENT), first));
		assert!(matches!(status(first), JobStatus::Settled { .. }));

		let second = submit(spec());
		assert_ok!(Escrow::claim_job(origin(WORKER), second));
		assert_ok!(Escrow::submit_result(origin(WORKER), second, report(&cid_of(b"second"))));
		assert_noop!(Escrow::settle(origin(STRANGER), second), Error::<Test>::ChallengeWindowOpen);
		System::set_block_number(1 + CHALLENGE_WINDOW);
		assert_ok!(Escrow::settle(origin(STRANGER), second));
		assert!(matches!(status(second), JobStatus::Settled { .. }));
		assert_noop!(Escrow::settle(origin(STRANGER), second), Error::<Test>::NotDelivered);
		assert_noop!(Escrow::accept_result(origin(CLIENT), second), Error::<Test>::NotDelivered);
		assert_eq!(free(WORKER), ENDOWMENT - BOND + 2 * (BOUNTY - FEE));
		// The due entry went with the manual settlement: on_idle finds nothing more to pay.
		run_to_block(2 + CHALLENGE_WINDOW);
		assert_eq!(free(WORKER), ENDOWMENT - BOND + 2 * (BOUNTY - FEE));
	});
}

#[test]
fn a_bounty_under_the_minimum_is_refused_and_nothing_is_held() {
	story(|| {
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(spec()), UNIT - 1),
			Error::<Test>::BountyTooLow
		);
		assert_eq!(free(CLIENT), ENDOWMENT);
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(spec()), 2 * ENDOWMENT),
			sp_runtime::TokenError::FundsUnavailable
		);
		assert_eq!(escrowed(), 0);
	});
}

#[test]
fn jobs_need_an_approved_generator_and_an_active_style() {
	story(|| {
		let with = |edit: fn(&mut JobSpecOf<Test>)| {
			let mut spec = spec();
			edit(&mut spec);
			Box::new(spec)
		};
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), with(|s| s.model = CRITIC), BOUNTY),
			Error::<Test>::WrongModelForJobKind
		);
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), with(|s| s.model = 77), BOUNTY),
			Error::<Test>::ModelNotApproved
		);
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), with(|s| s.style = 9), BOUNTY),
			Error::<Test>::UnknownStyle
		);
		enact(GovernanceAction::RetireModel { model: GENERATOR });
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(spec()), BOUNTY),
			Error::<Test>::ModelNotApproved
		);
		enact(GovernanceAction::RetireStyle { style: STYLE });
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), with(|s| s.model = GENERATOR), BOUNTY),
			Error::<Test>::ModelNotApproved
		);
		assert_eq!(free(CLIENT), ENDOWMENT);
	});
}

#[test]
fn a_retired_style_is_refused() {
	story(|| {
		enact(GovernanceAction::RetireStyle { style: STYLE });
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(spec()), BOUNTY),
			Error::<Test>::UnknownStyle
		);
	});
}

#[test]
fn a_prompt_longer_than_the_limit_does_not_even_decode() {
	story(|| {
		// A client's extrinsic carries the spec SCALE-encoded; a prompt over
		// `MaxPromptLength` (64 in the mock) fails to decode, so it never reaches the pallet.
		let with_prompt_of = |length: usize| {
			let mut encoded = spec().encode();
			let original = spec().prompt.encode();
			let replacement = Prompt::<ConstU32<100>>::Text(vec![b'a'; length].try_into().unwrap());
			let start = (JobKind::Generate, GENERATOR, STYLE).encode().len();
			encoded.splice(start..start + original.len(), replacement.encode());
			JobSpecOf::<Test>::decode(&mut &encoded[..])
		};
		assert!(with_prompt_of(64).is_ok());
		assert!(with_prompt_of(65).is_err());

		let mut empty = spec();
		empty.prompt = Prompt::Text(BoundedVec::new());
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(empty), BOUNTY),
			Error::<Test>::EmptyPrompt
		);
		// A prompt given by its hash needs no text on chain.
		let mut hashed = spec();
		hashed.prompt = Prompt::Hash([5; 32]);
		let job = submit(hashed);
		assert_eq!(Jobs::<Test>::get(job).unwrap().spec.prompt.hash(), [5; 32]);
	});
}

#[test]
fn a_bad_specification_is_refused_by_name() {
	story(|| {
		let sketch = cid_of(b"sketch");
		assert_ok!(Provenance::register_external(origin(CLIENT), sketch.clone(), Default::default()));
		type Edit = fn(&mut JobSpecOf<Test>, &CidBytes);
		let cases: [(Edit, Error<Test>); 10] = [
			(|s, _| s.candidates = 0, Error::InvalidCandidates),
			(|s, _| s.candidates = 65, Error::InvalidCandidates),
			(|s, _| s.output.width = 0, Error::InvalidOutputSize),
			(|s, _| s.output.height = 1025, Error::InvalidOutputSize),
			(|s, _| s.deadline = 1, Error::DeadlineInPast),
			// One claim window from the next block is the shortest deadline.
			(|s, _| s.deadline = 1 + CLAIM_TIMEOUT, Error::DeadlineTooSoon),
			(|s, _| s.deadline = 2 + 14_400, Error::DeadlineTooFar),
			(|s, _| s.parents = vec![cid_of(b"unknown")].try_into().unwrap(), Error::UnknownParentAsset),
			(
				|s, sketch| s.parents = vec![sketch.clone(), sketch.clone()].try_into().unwrap(),
				Error::DuplicateParentAsset,
			),
			(|s, _| s.model = CRITIC, Error::WrongModelForJobKind),
		];
		for (edit, error) in cases {
			let mut bad = spec();
			edit(&mut bad, &sketch);
			assert_noop!(Escrow::submit_job(origin(CLIENT), Box::new(bad), BOUNTY), error);
		}
		TestGate::halt_studio(true);
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(spec()), BOUNTY),
			Error::<Test>::StudioHalted
		);
		TestGate::halt_studio(false);
		let mut derived = spec();
		derived.parents = vec![sketch].try_into().unwrap();
		submit(derived);
	});
}

#[test]
fn claims_need_a_registered_able_unhalted_worker_and_an_open_job() {
	story(|| {
		let job = submit(spec());
		assert_noop!(Escrow::claim_job(origin(WORKER), job), Error::<Test>::NotRegistered);
		assert_ok!(Escrow::register_worker(
			origin(OTHER_WORKER),
			BOND,
			vec![CRITIC].try_into().unwrap()
		));
		assert_noop!(
			Escrow::claim_job(origin(OTHER_WORKER), job),
			Error::<Test>::ModelNotInCapabilities
		);
		register(WORKER);
		assert_noop!(Escrow::claim_job(origin(WORKER), 99), Error::<Test>::UnknownJob);
		TestGate::halt_agent(WORKER);
		assert_noop!(Escrow::claim_job(origin(WORKER), job), Error::<Test>::AgentHalted);
		assert_ok!(Escrow::register_worker(
			origin(STRANGER),
			BOND,
			vec![CRITIC, GENERATOR].try_into().unwrap()
		));
		assert_ok!(Escrow::claim_job(origin(STRANGER), job));
		// A second claim on the same job.
		assert_noop!(Escrow::claim_job(origin(STRANGER), job), Error::<Test>::JobNotOpen);
		// At most two claims per worker in the mock.
		let [second, third] = [submit(spec()), submit(spec())];
		assert_ok!(Escrow::claim_job(origin(STRANGER), second));
		assert_noop!(Escrow::claim_job(origin(STRANGER), third), Error::<Test>::TooManyClaims);
		// Nobody claims its own job: client and worker are different accounts.
		assert_ok!(Escrow::register_worker(origin(CLIENT), BOND, vec![GENERATOR].try_into().unwrap()));
		assert_noop!(Escrow::claim_job(origin(CLIENT), third), Error::<Test>::SelfDealing);
		// A job whose model was retired after submission cannot be claimed.
		enact(GovernanceAction::RetireModel { model: GENERATOR });
		assert_ok!(Escrow::unregister_worker(origin(CLIENT)));
		let fresh: u64 = 5;
		assert_ok!(Balances::transfer_allow_death(origin(CLIENT), fresh, 100 * UNIT));
		assert_ok!(Escrow::register_worker(origin(fresh), BOND, vec![GENERATOR].try_into().unwrap()));
		assert_noop!(Escrow::claim_job(origin(fresh), third), Error::<Test>::ModelNotApproved);
	});
}

#[test]
fn a_claim_always_gets_its_whole_window_and_a_job_too_near_its_deadline_is_not_claimable() {
	story(|| {
		let mut soon = spec();
		soon.deadline = 2 + CLAIM_TIMEOUT;
		let job = submit(soon);
		register(WORKER);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		assert_eq!(status(job), JobStatus::Claimed { worker: WORKER, expires_at: 1 + CLAIM_TIMEOUT });

		let mut late = spec();
		late.deadline = 2 + CLAIM_TIMEOUT;
		let late = submit(late);
		System::set_block_number(3);
		register(OTHER_WORKER);
		assert_noop!(Escrow::claim_job(origin(OTHER_WORKER), late), Error::<Test>::ClaimWindowTooShort);
		// Nobody can be trapped: the job waits for its deadline and is refunded.
		run_to_block(2 + CLAIM_TIMEOUT);
		assert_eq!(status(late), JobStatus::Refunded);
	});
}

#[test]
fn only_the_claiming_worker_delivers_in_time_with_the_approved_weights() {
	story(|| {
		let job = claimed_job();
		register(OTHER_WORKER);
		let output = cid_of(b"png");
		assert_noop!(
			Escrow::submit_result(origin(OTHER_WORKER), job, report(&output)),
			Error::<Test>::NotClaimant
		);
		let mut wrong_model = report(&output);
		wrong_model.weights_hash = [9; 32];
		assert_noop!(
			Escrow::submit_result(origin(WORKER), job, wrong_model),
			Error::<Test>::ModelHashMismatch
		);
		let mut lazy = report(&output);
		lazy.candidates_tried = 7;
		assert_noop!(Escrow::submit_result(origin(WORKER), job, lazy), Error::<Test>::TooFewCandidates);
		let mut invalid = report(&output);
		invalid.output = CidBytes::try_from(vec![0x12, 0x20, 1, 2, 3]).unwrap();
		assert_noop!(
			Escrow::submit_result(origin(WORKER), job, invalid),
			pallet_provenance::Error::<Test>::InvalidCid
		);
		// Another job's output cannot be delivered again (an external registration of a CID,
		// by contrast, gives way: `attacks::h6_…`).
		let other = submit(spec());
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), other));
		let taken = cid_of(b"the other job's picture");
		assert_ok!(Escrow::submit_result(origin(OTHER_WORKER), other, report(&taken)));
		assert_noop!(
			Escrow::submit_result(origin(WORKER), job, report(&taken)),
			pallet_provenance::Error::<Test>::AssetExists
		);
		assert_noop!(Escrow::submit_result(origin(WORKER), 99, report(&output)), Error::<Test>::UnknownJob);

		System::set_block_number(1 + CLAIM_TIMEOUT);
		assert_noop!(
			Escrow::submit_result(origin(WORKER), job, report(&output)),
			Error::<Test>::ClaimExpired
		);
		assert!(Provenance::asset(&output).is_none());
	});
}

#[test]
fn a_result_pays_for_the_path_it_took_not_for_the_worst_a_result_may_cost() {
	story(|| {
		let set_audits = |value| enact(GovernanceAction::SetParameter { parameter: StudioParameter::AuditProbability, value });
		let declared = Escrow::submit_result_weight(<Test as Config>::MaxParents::get());
		let recorded = |parents| <Test as Config>::WeightInfo::submit_result(parents);
		let draw = <Test as Config>::WeightInfo::draw_verifiers(<Test as Config>::MaxWorkersPerModel::get());
		let trip = <Test as Config>::WeightInfo::release_claims(<Test as Config>::MaxClaimsPerWorker::get());
		register(WORKER);
		register(OTHER_WORKER);

		// Audits off, no parents: the delivery pays for recording its output, nothing more.
		set_audits(0);
		let job = submit(spec());
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let post = Escrow::submit_result(origin(WORKER), job, report(&cid_of(b"no parents"))).unwrap();
		assert_eq!(post.actual_weight, Some(recorded(0)));
		assert!(recorded(0).all_lte(declared) && recorded(0).proof_size() < declared.proof_size());

		// Audits on, one parent: the lineage it has, and the next block's draw it asks for.
		set_audits(100_000);
		let sketch = cid_of(b"the client's sketch");
		assert_ok!(Provenance::register_external(origin(CLIENT), sketch.clone(), Default::default()));
		let job = submit(JobSpec { parents: vec![sketch].try_into().unwrap(), ..spec() });
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), job));
		let post = Escrow::submit_result(origin(OTHER_WORKER), job, report(&cid_of(b"one parent"))).unwrap();
		assert_eq!(post.actual_weight, Some(recorded(1) + draw));

		// A result far off the style trips the breaker: it pays for the trip.
		let job = submit(spec());
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let off_style = ResultReport { style_deviation: Permill::one(), ..report(&cid_of(b"off style")) };
		let post = Escrow::submit_result(origin(WORKER), job, off_style).unwrap();
		assert_eq!(post.actual_weight, Some(recorded(0) + trip));

		// A refused call pays the whole declared weight: no refund for a failure.
		let refused = Escrow::submit_result(origin(OTHER_WORKER), job, report(&cid_of(b"late"))).unwrap_err();
		assert_eq!(refused.post_info.actual_weight, None);
	});
}

#[test]
fn a_result_for_an_open_job_is_refused() {
	story(|| {
		let job = submit(spec());
		register(WORKER);
		assert_noop!(
			Escrow::submit_result(origin(WORKER), job, report(&cid_of(b"png"))),
			Error::<Test>::NotClaimant
		);
	});
}

#[test]
fn the_client_cancels_an_open_job_but_not_a_claimed_one() {
	story(|| {
		let open = submit(spec());
		assert_noop!(Escrow::cancel_job(origin(STRANGER), open), Error::<Test>::NotClient);
		assert_ok!(Escrow::cancel_job(origin(CLIENT), open));
		assert_eq!(status(open), JobStatus::Cancelled);
		assert_eq!(free(CLIENT), ENDOWMENT);
		assert_noop!(Escrow::cancel_job(origin(CLIENT), open), Error::<Test>::JobNotOpen);

		let claimed = claimed_job();
		assert_noop!(Escrow::cancel_job(origin(CLIENT), claimed), Error::<Test>::JobNotOpen);
		assert_noop!(Escrow::cancel_job(origin(CLIENT), 99), Error::<Test>::UnknownJob);
	});
}

#[test]
fn an_expired_claim_slashes_the_worker_and_another_worker_completes_the_job() {
	story(|| {
		let job = claimed_job();
		let treasury_before = free(TREASURY);
		assert_noop!(Escrow::expire(origin(STRANGER), job), Error::<Test>::NotExpired);
		run_to_block(1 + CLAIM_TIMEOUT);
		let slashed = BOND / 10;
		System::assert_has_event(Event::ClaimExpired { job, worker: WORKER, slashed }.into());
		System::assert_has_event(Event::JobReopened { job }.into());
		assert_eq!(status(job), JobStatus::Open);
		assert_eq!(bond_held(WORKER), BOND - slashed);
		assert_eq!(Workers::<Test>::get(WORKER).unwrap().bond, BOND - slashed);
		assert_eq!(free(TREASURY), treasury_before + slashed);
		assert_eq!(escrowed(), BOUNTY);

		register(OTHER_WORKER);
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), job));
		assert_ok!(Escrow::submit_result(origin(OTHER_WORKER), job, report(&cid_of(b"png"))));
		assert_ok!(Escrow::accept_result(origin(CLIENT), job));
		assert_eq!(free(OTHER_WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
	});
}

#[test]
fn a_worker_slashed_below_the_minimum_bond_cannot_claim() {
	story(|| {
		assert_ok!(Escrow::register_worker(origin(WORKER), 10 * UNIT, vec![GENERATOR].try_into().unwrap()));
		let job = submit(spec());
		let other = submit(spec());
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		run_to_block(1 + CLAIM_TIMEOUT);
		assert_noop!(Escrow::claim_job(origin(WORKER), other), Error::<Test>::BondTooLow);
		// The way back is a top-up, not twelve hours of unbonding.
		assert_noop!(Escrow::bond_extra(origin(STRANGER), UNIT), Error::<Test>::NotRegistered);
		assert_ok!(Escrow::bond_extra(origin(WORKER), UNIT));
		System::assert_last_event(
			Event::BondIncreased { worker: WORKER, added: UNIT, bond: 10 * UNIT - UNIT + UNIT }.into(),
		);
		assert_eq!(bond_held(WORKER), 10 * UNIT);
		assert_ok!(Escrow::claim_job(origin(WORKER), other));
		// The job its claim failed on stays barred to it.
		assert_noop!(Escrow::claim_job(origin(WORKER), job), Error::<Test>::ClaimedBefore);
	});
}

#[test]
fn an_open_job_past_its_deadline_refunds_its_client() {
	story(|| {
		let mut short = spec();
		short.deadline = 150;
		let job = submit(short);
		assert_noop!(Escrow::expire(origin(STRANGER), job), Error::<Test>::NotExpired);
		run_to_block(150);
		assert_eq!(status(job), JobStatus::Refunded);
		System::assert_has_event(Event::JobRefunded { job, client: CLIENT, amount: BOUNTY }.into());
		assert_eq!(free(CLIENT), ENDOWMENT);
		register(WORKER);
		assert_noop!(Escrow::claim_job(origin(WORKER), job), Error::<Test>::JobNotOpen);
	});
}

#[test]
fn a_claim_expiring_at_the_deadline_refunds_the_client() {
	story(|| {
		let mut short = spec();
		short.deadline = 10 + CLAIM_TIMEOUT;
		let job = submit(short);
		register(WORKER);
		System::set_block_number(10);
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		System::set_block_number(10 + CLAIM_TIMEOUT);
		assert_ok!(Escrow::expire(origin(STRANGER), job));
		assert_eq!(status(job), JobStatus::Refunded);
		assert_eq!(free(CLIENT), ENDOWMENT);
		assert_eq!(bond_held(WORKER), BOND - BOND / 10);
		// The due entry went with the manual expiry.
		run_to_block(20 + CLAIM_TIMEOUT);
		assert_eq!(bond_held(WORKER), BOND - BOND / 10);
	});
}

#[test]
fn a_refused_result_reopens_or_refunds_the_job_as_the_client_chose() {
	story(|| {
		// A result below the quality threshold is refused by the escrow itself; this client
		// chose a refund.
		let mut refund_on_rejection = spec();
		refund_on_rejection.on_rejection = OnRejection::Refund;
		let first = submit(refund_on_rejection);
		register(WORKER);
		assert_ok!(Escrow::claim_job(origin(WORKER), first));
		let mut sloppy = report(&cid_of(b"sloppy"));
		sloppy.quality = Permill::from_percent(10);
		assert_ok!(Escrow::submit_result(origin(WORKER), first, sloppy));
		System::assert_has_event(
			Event::ResultRejected {
				job: first,
				worker: WORKER,
				output: cid_of(b"sloppy"),
				cause: RejectionCause::LowQuality,
			}
			.into(),
		);
		assert_eq!(status(first), JobStatus::Refunded);
		assert_eq!(free(CLIENT), ENDOWMENT);
		// Refused by its own worker's score: a failed claim, slashed like an expiry, and never
		// shown to the breaker's averages.
		System::assert_has_event(Event::ClaimFailed { job: first, worker: WORKER, slashed: BOND / 10 }.into());
		assert_eq!(bond_held(WORKER), BOND - BOND / 10);
		assert!(TestGate::judged().is_empty());

		// The breaker suspended the model while the worker was on this one: the job re-opens.
		let second = submit(spec());
		assert_ok!(Escrow::claim_job(origin(WORKER), second));
		TestGate::suspend_model(GENERATOR);
		assert_ok!(Escrow::submit_result(origin(WORKER), second, report(&cid_of(b"suspended"))));
		System::assert_has_event(
			Event::ResultRejected {
				job: second,
				worker: WORKER,
				output: cid_of(b"suspended"),
				cause: RejectionCause::Gate,
			}
			.into(),
		);
		assert_eq!(status(second), JobStatus::Open);
		assert_eq!(escrowed(), BOUNTY);
		// Not the worker's fault: no slash, and it may claim the job again.
		assert_eq!(bond_held(WORKER), BOND - BOND / 10);
		assert_eq!(Jobs::<Test>::get(second).unwrap().barred, None);
		assert_eq!(Provenance::asset(&cid_of(b"suspended")).unwrap().status, AssetStatus::Rejected);
		assert!(Workers::<Test>::get(WORKER).unwrap().claims.is_empty());
		assert!(Workers::<Test>::get(WORKER).unwrap().unsettled.is_empty());
	});
}

#[test]
fn workers_register_with_a_bond_and_leave_after_the_unbonding_delay() {
	story(|| {
		let generator = || -> BoundedVec<_, _> { vec![GENERATOR].try_into().unwrap() };
		assert_noop!(
			Escrow::register_worker(origin(WORKER), 10 * UNIT - 1, generator()),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Escrow::register_worker(origin(WORKER), BOND, BoundedVec::new()),
			Error::<Test>::NoCapabilities
		);
		assert_noop!(
			Escrow::register_worker(origin(WORKER), BOND, vec![GENERATOR, GENERATOR].try_into().unwrap()),
			Error::<Test>::DuplicateCapability
		);
		assert_noop!(Escrow::unregister_worker(origin(WORKER)), Error::<Test>::NotRegistered);
		let job = claimed_job();
		assert_noop!(
			Escrow::register_worker(origin(WORKER), BOND, generator()),
			Error::<Test>::AlreadyRegistered
		);
		assert_noop!(Escrow::unregister_worker(origin(WORKER)), Error::<Test>::UnfinishedWork);
		assert_ok!(Escrow::submit_result(origin(WORKER), job, report(&cid_of(b"png"))));
		// Delivered but not settled is unfinished too: the worker leaves once its work is paid.
		assert_noop!(Escrow::unregister_worker(origin(WORKER)), Error::<Test>::UnfinishedWork);
		assert_ok!(Escrow::accept_result(origin(CLIENT), job));

		assert_noop!(Escrow::withdraw_bond(origin(WORKER)), Error::<Test>::NotLeaving);
		assert_ok!(Escrow::unregister_worker(origin(WORKER)));
		System::assert_last_event(
			Event::WorkerUnregistered { worker: WORKER, unbonds_at: 1 + UNBONDING_DELAY }.into(),
		);
		assert_noop!(Escrow::unregister_worker(origin(WORKER)), Error::<Test>::WorkerLeaving);
		// A leaving worker cannot grow the bond it is about to take back.
		assert_noop!(Escrow::bond_extra(origin(WORKER), UNIT), Error::<Test>::WorkerLeaving);
		let next = submit(spec());
		assert_noop!(Escrow::claim_job(origin(WORKER), next), Error::<Test>::WorkerLeaving);
		assert_noop!(Escrow::withdraw_bond(origin(WORKER)), Error::<Test>::StillUnbonding);
		System::set_block_number(1 + UNBONDING_DELAY);
		assert_ok!(Escrow::withdraw_bond(origin(WORKER)));
		assert_eq!(bond_held(WORKER), 0);
		assert!(Workers::<Test>::get(WORKER).is_none());
		assert_eq!(free(WORKER), ENDOWMENT + BOUNTY - FEE);
	});
}

#[test]
fn on_idle_does_only_what_the_remaining_weight_allows_and_catches_up_later() {
	story(|| {
		let mut short = spec();
		short.deadline = 120;
		let jobs = [submit(short.clone()), submit(short.clone()), submit(short)];
		let db: frame_support::weights::RuntimeDbWeight =
			<<Test as frame_system::Config>::DbWeight as Get<_>>::get();
		let one_job: Weight = Escrow::due_job_weight().saturating_add(db.reads_writes(2, 1));
		// With weight for one job per block, the three refunds take three blocks.
		run_to_block_with_idle_weight(120, one_job);
		let refunded = || jobs.iter().filter(|job| status(**job) == JobStatus::Refunded).count();
		assert_eq!(refunded(), 1);
		run_to_block_with_idle_weight(122, one_job);
		assert_eq!(refunded(), 3);
		// Without weight nothing happens, and nothing is lost.
		let mut later = spec();
		later.deadline = 230;
		let job = submit(later);
		run_to_block_with_idle_weight(235, Weight::zero());
		assert_eq!(status(job), JobStatus::Open);
		Escrow::on_idle(236, Weight::MAX);
		assert_eq!(status(job), JobStatus::Refunded);
		assert_eq!(free(CLIENT), ENDOWMENT);
	});
}

/// A job claimed by `WORKER` whose result (beyond the hard style limit) tripped the breaker.
fn quarantined_job(on_rejection: OnRejection) -> JobId {
	let mut spec = spec();
	spec.on_rejection = on_rejection;
	let job = submit(spec);
	if Workers::<Test>::get(WORKER).is_none() {
		register(WORKER);
	}
	assert_ok!(Escrow::claim_job(origin(WORKER), job));
	let mut drifting = report(&cid_of(&job.to_be_bytes()));
	drifting.style_deviation = Permill::from_percent(70);
	assert_ok!(Escrow::submit_result(origin(WORKER), job, drifting));
	job
}

#[test]
fn a_result_that_trips_the_breaker_waits_in_quarantine_and_is_never_settled_by_time() {
	story(|| {
		let job = quarantined_job(OnRejection::Reopen);
		let output = cid_of(&job.to_be_bytes());
		assert_eq!(
			status(job),
			JobStatus::Quarantined { worker: WORKER, output: output.clone(), incident: INCIDENT }
		);
		System::assert_has_event(
			Event::ResultQuarantined { job, worker: WORKER, output: output.clone(), incident: INCIDENT }
				.into(),
		);
		assert_eq!(Provenance::asset(&output).unwrap().status, AssetStatus::Delivered);
		run_to_block(1_500);
		assert!(matches!(status(job), JobStatus::Quarantined { .. }));
		assert_eq!(escrowed(), BOUNTY);
		assert_noop!(Escrow::settle(origin(STRANGER), job), Error::<Test>::NotDelivered);
		assert_noop!(Escrow::cancel_job(origin(CLIENT), job), Error::<Test>::JobNotOpen);
		// Quarantined work is unfinished work.
		assert_noop!(Escrow::unregister_worker(origin(WORKER)), Error::<Test>::UnfinishedWork);
		assert_eq!(TestGate::paid_out(), 0);
	});
}

#[test]
fn reviewers_end_a_quarantine_by_delivering_refusing_or_refunding() {
	story(|| {
		let delivered = quarantined_job(OnRejection::Reopen);
		assert_ok!(Escrow::resolve_quarantine(delivered, QuarantineOutcome::Deliver));
		let settles_at = 1 + CHALLENGE_WINDOW;
		assert!(
			matches!(status(delivered), JobStatus::Delivered { settles_at: at, .. } if at == settles_at)
		);
		run_to_block(settles_at);
		assert!(matches!(status(delivered), JobStatus::Settled { .. }));
		assert_eq!(TestGate::paid_out(), BOUNTY - FEE);

		let reopened = quarantined_job(OnRejection::Reopen);
		assert_ok!(Escrow::resolve_quarantine(reopened, QuarantineOutcome::Reject));
		assert_eq!(status(reopened), JobStatus::Open);
		assert_eq!(
			Provenance::asset(&cid_of(&reopened.to_be_bytes())).unwrap().status,
			AssetStatus::Rejected
		);

		let refunded_by_choice = quarantined_job(OnRejection::Refund);
		assert_ok!(Escrow::resolve_quarantine(refunded_by_choice, QuarantineOutcome::Reject));
		assert_eq!(status(refunded_by_choice), JobStatus::Refunded);

		let expired_review = quarantined_job(OnRejection::Reopen);
		assert_ok!(Escrow::resolve_quarantine(expired_review, QuarantineOutcome::Refund));
		assert_eq!(status(expired_review), JobStatus::Refunded);
		assert_noop!(
			Escrow::resolve_quarantine(expired_review, QuarantineOutcome::Deliver),
			Error::<Test>::NotQuarantined
		);
		// One job is still open (re-opened), the rest settled or refunded.
		assert_eq!(escrowed(), BOUNTY);
		assert!(Workers::<Test>::get(WORKER).unwrap().unsettled.is_empty());
	});
}

#[test]
fn a_halted_agent_loses_its_claims_without_a_slash_and_a_retired_one_its_registration() {
	story(|| {
		register(WORKER);
		let [first, second] = [submit(spec()), submit(spec())];
		assert_ok!(Escrow::claim_job(origin(WORKER), first));
		assert_ok!(Escrow::claim_job(origin(WORKER), second));
		assert_eq!(Escrow::release_claims(&WORKER), 2);
		assert_eq!((status(first), status(second)), (JobStatus::Open, JobStatus::Open));
		assert_eq!(bond_held(WORKER), BOND);
		assert_eq!(Escrow::release_claims(&STRANGER), 0);

		assert_ok!(Escrow::claim_job(origin(WORKER), first));
		let treasury_before = free(TREASURY);
		assert_ok!(Escrow::retire_agent(&WORKER, Permill::from_percent(20)));
		System::assert_last_event(
			Event::WorkerRetired { worker: WORKER, slashed: BOND / 5, released: BOND - BOND / 5 }
				.into(),
		);
		assert_eq!(status(first), JobStatus::Open);
		assert!(Workers::<Test>::get(WORKER).is_none());
		assert_eq!(bond_held(WORKER), 0);
		assert_eq!(free(WORKER), ENDOWMENT - BOND / 5);
		assert_eq!(free(TREASURY), treasury_before + BOND / 5);
		assert_noop!(
			Escrow::retire_agent(&WORKER, Permill::from_percent(20)),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn a_worker_publishes_its_content_address_until_it_leaves() {
	story(|| {
		assert_ok!(Escrow::register_worker(origin(WORKER), BOND, vec![GENERATOR].try_into().unwrap()));
		let address: ContentAddress = b"/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWworker".to_vec().try_into().unwrap();
		assert_ok!(Escrow::set_content_address(origin(WORKER), address.clone()));
		System::assert_last_event(Event::ContentAddressSet { worker: WORKER, address: address.to_vec() }.into());
		assert_eq!(ContentAddresses::<Test>::get(WORKER), Some(address));
		// A new address replaces the old one.
		let moved: ContentAddress = b"/dns4/studio.example/tcp/4001/p2p/12D3KooWworker".to_vec().try_into().unwrap();
		assert_ok!(Escrow::set_content_address(origin(WORKER), moved.clone()));
		assert_eq!(ContentAddresses::<Test>::get(WORKER), Some(moved));
		// Leaving takes it off the list.
		assert_ok!(Escrow::unregister_worker(origin(WORKER)));
		System::set_block_number(1 + UNBONDING_DELAY);
		assert_ok!(Escrow::withdraw_bond(origin(WORKER)));
		assert_eq!(ContentAddresses::<Test>::get(WORKER), None);
	});
}

#[test]
fn a_content_address_must_name_a_peer() {
	story(|| {
		assert_ok!(Escrow::register_worker(origin(WORKER), BOND, vec![GENERATOR].try_into().unwrap()));
		for bad in [&b""[..], b"127.0.0.1:4001", b"/ip4/127.0.0.1/tcp/4001", b"/ip4/127.0.0.1/tcp/4001/p2p/", b"/ip4/1.2.3.4/tcp/1/p2p/x y", b"/p2p/\xff"]
		{
			let address: ContentAddress = bad.to_vec().try_into().unwrap();
			assert_noop!(Escrow::set_content_address(origin(WORKER), address), Error::<Test>::InvalidContentAddress);
		}
	});
}
