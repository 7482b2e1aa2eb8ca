//! Restyling a client's own images: stylize and line-art jobs as their users meet them, and as
//! someone after another's images or money would try them.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use pallet_studio_governance::GovernanceAction;
use sp_runtime::Permill;
use studio_primitives::{AssetStatus, CidBytes, JobId, ModelId};

fn restyle_spec(kind: JobKind, model: ModelId, style: u32) -> JobSpecOf<Test> {
	JobSpec {
		kind,
		model,
		style,
		prompt: Prompt::Text(b"my product shot, in the studio's ink wash".to_vec().try_into().unwrap()),
		parents: BoundedVec::new(),
		seed: 7,
		output: OutputSpec { format: ImageFormat::Png, width: 320, height: 200 },
		candidates: 4,
		deadline: 1_000,
		on_rejection: OnRejection::Refund,
		curation: None,
	}
}

fn stylize(content: &CidBytes) -> JobSpecOf<Test> {
	let kind = JobKind::Stylize { content: content.clone(), strength: Permill::from_percent(80) };
	restyle_spec(kind, STYLE_TRANSFER, STYLIZE_STYLE)
}

fn line_art(content: &CidBytes) -> JobSpecOf<Test> {
	restyle_spec(JobKind::LineArt { content: content.clone() }, LINE_ART, STYLE)
}

/// `who` registers an image of its own as a lineage root.
fn registered_image(who: u64, bytes: &[u8]) -> CidBytes {
	let cid = cid_of(bytes);
	assert_ok!(Provenance::register_external(origin(who), cid.clone(), BoundedVec::new()));
	cid
}

fn report(output: &CidBytes, weights_hash: [u8; 32]) -> ResultReport {
	ResultReport {
		output: output.clone(),
		style_deviation: Permill::from_percent(6),
		quality: Permill::from_percent(70),
		weights_hash,
		settings: br#"{"kind":"stylize","strength":0.6}"#.to_vec().try_into().unwrap(),
		candidates_tried: 4,
	}
}

/// `spec` submitted by `CLIENT`, claimed and delivered by `WORKER` (which runs every model),
/// and settled; returns the job.
fn settled(spec: JobSpecOf<Test>, output: &CidBytes, weights_hash: [u8; 32]) -> JobId {
	let job = NextJobId::<Test>::get();
	assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY));
	if Workers::<Test>::get(WORKER).is_none() {
		let capabilities = vec![GENERATOR, STYLE_TRANSFER, LINE_ART].try_into().unwrap();
		assert_ok!(Escrow::register_worker(origin(WORKER), BOND, capabilities));
	}
	assert_ok!(Escrow::claim_job(origin(WORKER), job));
	assert_ok!(Escrow::submit_result(origin(WORKER), job, report(output, weights_hash)));
	run_to_block(System::block_number() + CHALLENGE_WINDOW);
	assert!(matches!(status(job), JobStatus::Settled { .. }), "{:?}", status(job));
	job
}

#[test]
fn a_photo_is_stylized_then_turned_into_line_art_and_provenance_keeps_three_generations() {
	story(|| {
		let photo = registered_image(CLIENT, b"a product photo");
		let stylized = cid_of(b"the stylized png");
		settled(stylize(&photo), &stylized, STYLE_TRANSFER_HASH);
		let record = Provenance::asset(&stylized).unwrap();
		assert_eq!(record.parents.to_vec(), vec![photo.clone()]);
		assert_eq!((record.owner, record.status), (CLIENT, AssetStatus::Final));
		assert_eq!(record.generation.unwrap().weights_hash, STYLE_TRANSFER_HASH);

		// The settled output is the client's own material: it can be the next job's content.
		let lines = cid_of(b"the line art png");
		settled(line_art(&stylized), &lines, LINE_ART_HASH);
		let record = Provenance::asset(&lines).unwrap();
		assert_eq!(record.parents.to_vec(), vec![stylized.clone()]);
		assert_eq!(record.generation.unwrap().model, LINE_ART);
		assert_eq!(free(WORKER), ENDOWMENT - BOND + 2 * (BOUNTY - FEE));
	});
}

#[test]
fn a_restyle_job_needs_the_right_model_a_blended_style_a_strength_and_room_in_its_lineage() {
	story(|| {
		let photo = registered_image(CLIENT, b"a product photo");
		let balance = free(CLIENT);
		let refused = |spec: JobSpecOf<Test>, error: Error<Test>| {
			assert_noop!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY), error);
		};
		let mut wrong_model = stylize(&photo);
		wrong_model.model = GENERATOR;
		refused(wrong_model, Error::WrongModelForJobKind);
		let mut generator_job_on_stylizer = stylize(&photo);
		generator_job_on_stylizer.kind = JobKind::Generate;
		refused(generator_job_on_stylizer, Error::WrongModelForJobKind);
		let mut line_art_on_stylizer = line_art(&photo);
		line_art_on_stylizer.model = STYLE_TRANSFER;
		refused(line_art_on_stylizer, Error::WrongModelForJobKind);

		let mut unblended = stylize(&photo);
		unblended.style = STYLE;
		refused(unblended, Error::StyleHasNoBlend);
		let mut nothing_to_take = stylize(&photo);
		nothing_to_take.kind = JobKind::Stylize { content: photo.clone(), strength: Permill::zero() };
		refused(nothing_to_take, Error::ZeroStrength);

		refused(stylize(&cid_of(b"never registered")), Error::UnknownContentAsset);
		refused(line_art(&cid_of(b"never registered")), Error::UnknownContentAsset);
		let mut content_twice = stylize(&photo);
		content_twice.parents = vec![photo.clone()].try_into().unwrap();
		refused(content_twice, Error::DuplicateParentAsset);
		let mut full = stylize(&photo);
		let max_parents = <<Test as Config>::MaxParents as frame_support::traits::Get<u32>>::get();
		full.parents = (0..max_parents)
			.map(|n| registered_image(CLIENT, format!("mood board {n}").as_bytes()))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap();
		refused(full, Error::TooManyParents);

		// A retired style paints nothing new.
		assert_ok!(Governance::force_enact(
			RuntimeOrigin::root(),
			Box::new(GovernanceAction::RetireStyle { style: STYLIZE_STYLE })
		));
		refused(stylize(&photo), Error::UnknownStyle);
		assert_eq!(free(CLIENT), balance - max_parents as u64 * EXTERNAL_DEPOSIT);
	});
}

#[test]
fn nobody_restyles_another_clients_image_or_an_output_that_has_not_settled() {
	story(|| {
		// A stranger's image: the client cannot make a derivative of it and own that.
		let theirs = registered_image(STRANGER, b"the stranger's artwork");
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(stylize(&theirs)), BOUNTY),
			Error::<Test>::NotContentOwner
		);
		// The client's own output while it can still be challenged (and refused).
		let photo = registered_image(CLIENT, b"a product photo");
		let balance = free(CLIENT);
		let job = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(stylize(&photo)), BOUNTY));
		let capabilities = vec![STYLE_TRANSFER].try_into().unwrap();
		assert_ok!(Escrow::register_worker(origin(WORKER), BOND, capabilities));
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let output = cid_of(b"the stylized png");
		assert_ok!(Escrow::submit_result(origin(WORKER), job, report(&output, STYLE_TRANSFER_HASH)));
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(line_art(&output)), BOUNTY),
			Error::<Test>::ContentNotFinal
		);
		assert_eq!(free(CLIENT), balance - BOUNTY);
	});
}

#[test]
fn a_worker_cannot_take_a_restyle_job_for_a_model_it_does_not_run_nor_deliver_another_models_output() {
	story(|| {
		let photo = registered_image(CLIENT, b"a product photo");
		let balance = free(CLIENT);
		let job = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(stylize(&photo)), BOUNTY));
		// A generator-only worker: the job's model is not among its capabilities.
		assert_ok!(Escrow::register_worker(origin(OTHER_WORKER), BOND, vec![GENERATOR].try_into().unwrap()));
		assert_noop!(Escrow::claim_job(origin(OTHER_WORKER), job), Error::<Test>::ModelNotInCapabilities);
		// A worker that claims it, then delivers the cheaper generator's output instead.
		let capabilities = vec![GENERATOR, STYLE_TRANSFER].try_into().unwrap();
		assert_ok!(Escrow::register_worker(origin(WORKER), BOND, capabilities));
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		assert_noop!(
			Escrow::submit_result(origin(WORKER), job, report(&cid_of(b"an eye"), GENERATOR_HASH)),
			Error::<Test>::ModelHashMismatch
		);
		// The client may still cancel nothing (claimed) and loses nothing when it expires.
		run_to_block(1 + CLAIM_TIMEOUT + 1);
		assert!(matches!(status(job), JobStatus::Open | JobStatus::Refunded));
		assert_eq!(free(CLIENT) + escrowed(), balance);
	});
}

#[test]
fn a_worker_that_cannot_use_the_content_gives_the_claim_back_unslashed_within_the_grace_only() {
	story(|| {
		let photo = registered_image(CLIENT, b"an upload that turns out corrupt");
		let balance = free(CLIENT);
		let job = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(stylize(&photo)), BOUNTY));
		for worker in [WORKER, OTHER_WORKER] {
			assert_ok!(Escrow::register_worker(origin(worker), BOND, vec![STYLE_TRANSFER].try_into().unwrap()));
		}
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		// Only the claimant may give the claim back.
		assert_noop!(Escrow::release_claim(origin(OTHER_WORKER), job), Error::<Test>::NotClaimant);
		assert_noop!(Escrow::release_claim(origin(CLIENT), job), Error::<Test>::NotClaimant);
		run_to_block(1 + RELEASE_GRACE);
		assert_ok!(Escrow::release_claim(origin(WORKER), job));
		System::assert_last_event(Event::JobReopened { job }.into());
		assert_eq!(status(job), JobStatus::Open);
		assert_eq!(bond_held(WORKER), BOND);
		assert!(Workers::<Test>::get(WORKER).unwrap().claims.is_empty());
		// It cannot take the job straight back (a release is no way to reset a claim's clock),
		// nor release twice; another worker takes it at once.
		assert_noop!(Escrow::claim_job(origin(WORKER), job), Error::<Test>::ClaimedBefore);
		assert_noop!(Escrow::release_claim(origin(WORKER), job), Error::<Test>::NotClaimant);
		let claimed_at = System::block_number();
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), job));

		// Past the grace, a squatter cannot walk away unslashed: deliver or expire.
		run_to_block(claimed_at + RELEASE_GRACE + 1);
		assert_noop!(Escrow::release_claim(origin(OTHER_WORKER), job), Error::<Test>::ReleaseGraceOver);
		run_to_block(claimed_at + CLAIM_TIMEOUT);
		assert!(bond_held(OTHER_WORKER) < BOND, "the expired claim was slashed");
		assert_eq!(free(CLIENT) + escrowed(), balance);
	});
}

#[test]
fn a_job_every_worker_releases_is_refunded_whole_at_its_deadline() {
	story(|| {
		let photo = registered_image(CLIENT, b"a sketch");
		let balance = free(CLIENT);
		let mut spec = line_art(&photo);
		spec.deadline = 1 + CLAIM_TIMEOUT + 1;
		let job = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(spec), BOUNTY));
		assert_ok!(Escrow::register_worker(origin(WORKER), BOND, vec![LINE_ART].try_into().unwrap()));
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		// The content cannot be used: the only worker gives the claim back, nobody else comes.
		assert_ok!(Escrow::release_claim(origin(WORKER), job));
		run_to_block(1 + CLAIM_TIMEOUT + 1);
		assert_eq!(status(job), JobStatus::Refunded);
		assert_eq!(free(CLIENT), balance);
		assert_eq!(bond_held(WORKER), BOND);
	});
}

#[test]
fn a_client_that_gives_its_image_away_mid_job_still_pays_its_worker_and_the_new_owner_keeps_the_image() {
	story(|| {
		let photo = registered_image(CLIENT, b"a product photo, sold while the job runs");
		// The client submits, then hands the image to someone else before any worker delivers:
		// the commission stands (it was the owner's when it paid), and the worker, which could
		// not have known, is paid in full.
		let job = NextJobId::<Test>::get();
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(stylize(&photo)), BOUNTY));
		assert_ok!(Provenance::transfer_asset(origin(CLIENT), photo.clone(), STRANGER));
		assert_ok!(Escrow::register_worker(origin(WORKER), BOND, vec![STYLE_TRANSFER].try_into().unwrap()));
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let output = cid_of(b"the stylized product photo");
		assert_ok!(Escrow::submit_result(origin(WORKER), job, report(&output, STYLE_TRANSFER_HASH)));
		run_to_block(System::block_number() + CHALLENGE_WINDOW);
		assert!(matches!(status(job), JobStatus::Settled { .. }), "{:?}", status(job));
		assert_eq!(free(WORKER), ENDOWMENT - BOND + BOUNTY - FEE);
		assert_eq!(bond_held(WORKER), BOND);
		// The new owner keeps the original; the derivative is the paying client's, and names it.
		assert_eq!(Provenance::asset(&photo).unwrap().owner, STRANGER);
		let record = Provenance::asset(&output).unwrap();
		assert_eq!((record.owner, record.parents.to_vec()), (CLIENT, vec![photo.clone()]));
		// The client no longer owns the image, so it cannot commission another derivative of it.
		assert_noop!(
			Escrow::submit_job(origin(CLIENT), Box::new(line_art(&photo)), BOUNTY),
			Error::<Test>::NotContentOwner
		);
	});
}

/// A squatter batches its way round the release rules: give the claim back and take it again in
/// one `batch_all` (a fresh claim clock and grace), or take a job, hold it through most of the
/// grace and leave in the same batch as claiming the next. Each batch fails whole, the claim and
/// its clock stay as they were, and past the grace the squatter pays the slash while the client
/// gets its commission done by an honest worker, losing nothing.
#[test]
fn batched_release_and_reclaim_cannot_reset_a_claims_clock_nor_dodge_its_slash() {
	story(|| {
		let photo = registered_image(CLIENT, b"a logo the squatter sits on");
		let balance = free(CLIENT);
		let (job, next) = (NextJobId::<Test>::get(), NextJobId::<Test>::get() + 1);
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(stylize(&photo)), BOUNTY));
		assert_ok!(Escrow::submit_job(origin(CLIENT), Box::new(line_art(&photo)), BOUNTY));
		let models = || vec![STYLE_TRANSFER, LINE_ART].try_into().unwrap();
		// Bonded for two claims, so that claiming the next job is not what stops the batch.
		assert_ok!(Escrow::register_worker(origin(WORKER), 2 * BOND, models()));
		assert_ok!(Escrow::claim_job(origin(WORKER), job));
		let claimed = Jobs::<Test>::get(job).unwrap().status;

		run_to_block(RELEASE_GRACE);
		let release_and_reclaim = vec![
			RuntimeCall::Escrow(Call::release_claim { job }),
			RuntimeCall::Escrow(Call::claim_job { job }),
		];
		assert_noop!(
			Utility::batch_all(origin(WORKER), release_and_reclaim).map_err(|e| e.error),
			Error::<Test>::ClaimedBefore
		);
		assert_eq!(Jobs::<Test>::get(job).unwrap().status, claimed, "the claim and its clock are untouched");

		// Past the grace, no batch order lets it leave unslashed.
		run_to_block(RELEASE_GRACE + 2);
		let take_next_then_leave = vec![
			RuntimeCall::Escrow(Call::claim_job { job: next }),
			RuntimeCall::Escrow(Call::release_claim { job }),
		];
		assert_noop!(
			Utility::batch_all(origin(WORKER), take_next_then_leave).map_err(|e| e.error),
			Error::<Test>::ReleaseGraceOver
		);
		assert_eq!(status(next), JobStatus::Open, "the batch's first claim was undone too");

		run_to_block(1 + CLAIM_TIMEOUT);
		assert!(bond_held(WORKER) < 2 * BOND, "the expired claim was slashed");
		assert_eq!(status(job), JobStatus::Open);
		assert_ok!(Escrow::register_worker(origin(OTHER_WORKER), BOND, models()));
		assert_ok!(Escrow::claim_job(origin(OTHER_WORKER), job));
		let output = cid_of(b"the logo, stylized by an honest worker");
		assert_ok!(Escrow::submit_result(origin(OTHER_WORKER), job, report(&output, STYLE_TRANSFER_HASH)));
		run_to_block(System::block_number() + CHALLENGE_WINDOW);
		assert!(matches!(status(job), JobStatus::Settled { .. }), "{:?}", status(job));
		assert_eq!(Provenance::asset(&output).unwrap().parents.to_vec(), vec![photo]);
		// The client paid one bounty for the delivered job; the other waits, escrowed whole.
		assert_eq!(free(CLIENT) + escrowed(), balance - BOUNTY);
	});
}
