//! Restyle jobs on the daemon's side: fetching the client's content from the studio's IPFS
//! network (checked against its CID block by block), checking it is an image the studio takes
//! and the size the job asks for, running the restyle fitness loop, and giving the claim back
//! (`release_claim`, within the chain's `ReleaseGrace`, without a slash) when the content
//! cannot be used.

use crate::{
	daemon::{joined, parameter, style_reference, ClaimOf, Designed, JobError, JobId, Made, Session},
	network,
};
use studio_chain::{self as chain, studio, AtBlock, Job, JobKind, StudioParameter, SubmitError};
use studio_models::{
	fitness::Outcome,
	inference::client_image::{decode_input, RgbImage},
	restyle::{restyle, RestyleKind},
};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

/// The largest content a worker fetches: a 1024 × 1024 RGB PNG stored uncompressed is 3 MiB.
pub(crate) const MAX_CONTENT_BYTES: u64 = 16 << 20;
/// How long a worker keeps trying to fetch a content before giving the claim back: well inside
/// the dev chains' `ReleaseGrace` (10 blocks of 3 s).
const CONTENT_PATIENCE: Duration = Duration::from_secs(15);

/// Why a content cannot be used: the claim is given back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ContentProblem {
	/// Not fetched in time (nobody serves it, or it is larger than allowed).
	#[error("the content {cid} could not be fetched: {error}")]
	Unavailable { cid: String, error: String },
	/// Not a CID the studio serves.
	#[error("the content is not a valid CID")]
	NotACid,
	/// Fetched, but not an image the studio takes.
	#[error("the content {cid} is not usable: {error}")]
	NotAnImage { cid: String, error: studio_models::inference::client_image::InputError },
	/// An image of another size than the job asks its output to be.
	#[error("the content {cid} is {width}×{height}, the job asks for {asked_width}×{asked_height}")]
	WrongSize { cid: String, width: u32, height: u32, asked_width: u32, asked_height: u32 },
}

/// The chain's `MaxImageSide`.
pub(crate) fn max_image_side(at: &AtBlock) -> Result<u32, subxt::Error> {
	Ok(at.constants().entry(studio::constants().job_escrow().max_image_side())?)
}

/// Fetches the content `cid` (dialling the studio's workers, trying again for `patience`) and
/// decodes it, checking it against `max_side`.
pub(crate) async fn fetch_content(
	session: &Session,
	at: &AtBlock,
	cid: &[u8],
	max_side: u32,
	patience: Duration,
) -> Result<(String, RgbImage), ContentProblem> {
	let cid = cid::Cid::try_from(cid).map_err(|_| ContentProblem::NotACid)?;
	let text = cid.to_string();
	let deadline = Instant::now() + patience;
	let bytes = loop {
		let _ = network::dial_workers(at, &session.content).await;
		match session.content.get(&cid, MAX_CONTENT_BYTES).await {
			Ok(bytes) => break bytes,
			Err(error) if Instant::now() < deadline => {
				tracing::info!(%cid, %error, "the content is not available yet; trying again");
				tokio::time::sleep(Duration::from_secs(1)).await;
			},
			Err(error) => return Err(ContentProblem::Unavailable { cid: text, error: error.to_string() }),
		}
	};
	let image = decode_input(&bytes, max_side).map_err(|error| ContentProblem::NotAnImage { cid: text.clone(), error })?;
	Ok((text, image))
}

/// What the chain's job asks the restylers for: the style's blend and the job's strength, or
/// line art; `None` for a generator's job.
pub(crate) async fn restyle_kind(at: &AtBlock, job: &Job) -> Result<Option<(Vec<u8>, RestyleKind)>, JobError> {
	Ok(match &job.spec.kind {
		JobKind::Generate => None,
		JobKind::Stylize { content, strength } => {
			let registry = studio::storage().studio_governance();
			let style = at
				.storage()
				.try_fetch(registry.styles(), (job.spec.style,))
				.await?
				.ok_or(JobError::UnknownStyle(job.spec.style))?
				.decode()?;
			let blend = style.blend.0.iter().map(|term| (term.basis, term.weight.0 as f32 / 1e6)).collect();
			Some((content.0.clone(), RestyleKind::Stylize { blend, max_strength: strength.0 as f32 / 1e6 }))
		},
		JobKind::LineArt { content } => Some((content.0.clone(), RestyleKind::LineArt)),
	})
}

/// Runs the restyle job `job_id` (claimed by this worker, in a block, until `claim`): fetches
/// and checks its content, giving the claim back when it cannot be used, then searches its
/// candidates.
pub(crate) async fn design_restyle(
	session: &Session,
	at: &AtBlock,
	job_id: JobId,
	job: Job,
	claim: u32,
	content: Vec<u8>,
	kind: RestyleKind,
) -> Result<Designed, JobError> {
	let max_side = max_image_side(at)?;
	let fetched = fetch_content(session, at, &content, max_side, CONTENT_PATIENCE).await.and_then(|(cid, image)| {
		let asked = (job.spec.output.width, job.spec.output.height);
		if (image.width, image.height) != asked {
			return Err(ContentProblem::WrongSize {
				cid,
				width: image.width,
				height: image.height,
				asked_width: asked.0,
				asked_height: asked.1,
			})
		}
		Ok((cid, image))
	});
	let (cid, image) = match fetched {
		Ok(fetched) => fetched,
		Err(problem) => return Err(release(session, job_id, problem).await),
	};
	let reference = style_reference(at, job.spec.style).await?;
	let max_deviation = parameter(at, StudioParameter::MaxStyleDeviation).await? as u32;
	let candidates = job.spec.candidates;
	let weights_sha256 = match &kind {
		RestyleKind::Stylize { .. } => session.agents.restylers.stylize.as_ref().map(|(hash, _)| hash.clone()),
		RestyleKind::LineArt => session.agents.restylers.line_art.as_ref().map(|(hash, _)| hash.clone()),
	}
	.unwrap_or_default();
	tracing::info!(job = job_id, content = %cid, ?kind, width = image.width, height = image.height, candidates, "restyling");
	let agents = session.agents.clone();
	let device = session.device.lock().await;
	let started = Instant::now();
	let made = joined(
		tokio::task::spawn_blocking(move || {
			let critic = (agents.critic_sha256.as_str(), &agents.critic);
			restyle(&agents.restylers, critic, kind, &image, &cid, &reference, candidates, max_deviation, &agents.device)
		})
		.await,
	)?;
	let seconds = started.elapsed().as_secs_f64();
	drop(device);
	session.metrics.inference_seconds.observe(seconds);
	tracing::info!(job = job_id, deviation_ppm = made.deviation_ppm, quality_ppm = made.quality_ppm, seconds, "restyled");
	let outcome = Outcome {
		png: made.png,
		deviation_ppm: made.deviation_ppm,
		quality_ppm: made.quality_ppm,
		candidates_tried: candidates,
		settings_hash: Sha256::digest(&made.settings).into(),
		settings: made.settings,
	};
	Ok(Designed { job_id, claim: ClaimOf::Expires(claim), weights_sha256, made: Made::One(outcome) })
}

/// Gives the claim on `job_id` back for `problem`; returns the error the job ends with here.
async fn release(session: &Session, job_id: JobId, problem: ContentProblem) -> JobError {
	tracing::warn!(job = job_id, %problem, "the content cannot be used; giving the claim back");
	let call = studio::tx().job_escrow().release_claim(job_id);
	match chain::submit_in_turn(&session.client, &call, &session.signer, &session.signing).await {
		Ok(_) => JobError::Released(problem.to_string()),
		Err(SubmitError::Failed(reason)) => JobError::Refused(format!("{problem}; releasing the claim failed: {reason}")),
		Err(SubmitError::Chain(error)) => JobError::Chain(error),
	}
}
