//! The daemon's verifying side (`docs/verification.md`). When the chain draws this worker to
//! verify another's result, it fetches the output by CID (from the delivering worker's IPFS
//! node, or any peer that has it; the bytes are checked against the CID), re-scores it with the
//! style critic, re-generates the winning candidate from the published settings (a restyle
//! job's winner is re-made from its content, fetched the same way: the delivering worker, which
//! used it, serves it too; a content nobody serves counts as an unavailable result), and commits
//! to its finding; once every verifier has committed (or the commit period is over), it
//! reveals.
//!
//! Driven by chain state at each finalized block, before the worker claims anything: a
//! verification this worker has not committed to is checked, a committed one revealed when
//! reveals open. The salt of a commitment lives in memory only: a worker restarted between its
//! commit and its reveal cannot reveal, and loses the absent verifier's slash.

use crate::{
	daemon::{joined, style_reference, JobId, Session},
	network,
	restyle_jobs::{fetch_content, max_image_side, restyle_kind},
};
use studio_chain::{self as chain, studio, AtBlock, Job, JobStatus, Prompt, SubmitError};
use studio_models::{
	verify::{measure, measure_restyle, JobFacts, RestyleFacts, VerifyError},
};
use std::{
	collections::{BTreeMap, BTreeSet},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use studio::runtime_types::{pallet_job_escrow::types::Finding, sp_arithmetic::per_things::Permill};

/// Blocks before the end of the commit period a verifier keeps for its commitment to reach a
/// block.
const COMMIT_MARGIN_BLOCKS: u32 = 5;

/// The largest output a verifier fetches: a 1024 × 1024 RGB PNG, stored, with room to spare.
const MAX_OUTPUT_BYTES: u64 = 8 << 20;

/// What this session's verifier keeps between blocks.
#[derive(Default)]
pub struct Verifier {
	/// Verifications this session checked (or is checking): never checked twice.
	started: Mutex<BTreeSet<JobId>>,
	/// Committed findings with their salts, until revealed.
	sealed: Mutex<BTreeMap<JobId, (Finding, [u8; 32])>>,
	/// Reveals under way.
	revealing: Mutex<BTreeSet<JobId>>,
}

/// Checks and commits to the verifications this worker is drawn for, and reveals the committed
/// ones whose reveals are open, as of `at`.
pub(crate) async fn on_block(session: &Arc<Session>, at: &AtBlock) -> Result<(), subxt::Error> {
	let now = at.block_number() as u32;
	let mut verifications = at.storage().iter(studio::storage().job_escrow().verifications(), ()).await?;
	while let Some(entry) = verifications.next().await {
		let entry = entry?;
		let job_id = entry.key()?.decode()?.0;
		let verification = entry.value().decode()?;
		let Some(vote) = verification.verifiers.0.iter().find(|vote| vote.verifier == session.account) else { continue };
		let verifier = &session.verifier;
		if vote.commitment.is_none() && now < verification.commit_until {
			if verifier.started.lock().expect("not poisoned").insert(job_id) {
				tracing::info!(job = job_id, commit_until = verification.commit_until, "drawn to verify a result");
				tokio::spawn(check_and_commit(session.clone(), job_id, verification.commit_until));
			}
		} else if vote.commitment.is_some() && vote.finding.is_none() && now < verification.reveal_until {
			let open = now >= verification.commit_until ||
				verification.verifiers.0.iter().all(|vote| vote.commitment.is_some());
			let sealed = verifier.sealed.lock().expect("not poisoned").get(&job_id).cloned();
			if let (true, Some((finding, salt))) = (open, sealed) {
				if verifier.revealing.lock().expect("not poisoned").insert(job_id) {
					tokio::spawn(reveal(session.clone(), job_id, finding, salt));
				}
			}
		}
	}
	Ok(())
}

/// Checks `job_id`'s result and commits to the finding before block `commit_until`.
async fn check_and_commit(session: Arc<Session>, job_id: JobId, commit_until: u32) {
	let started = Instant::now();
	let finding = match check(&session, job_id, commit_until).await {
		Ok(finding) => finding,
		Err(error) => {
			tracing::warn!(job = job_id, %error, "could not check the result; committing nothing");
			return
		},
	};
	session.metrics.verification_seconds.observe(started.elapsed().as_secs_f64());
	let salt: [u8; 32] = rand::random();
	let commitment = chain::finding_commitment(job_id, &session.account, &finding, &salt);
	let call = studio::tx().job_escrow().commit_finding(job_id, commitment);
	match chain::submit_in_turn(&session.client, &call, &session.signer, &session.signing).await {
		Ok(_) => {
			tracing::info!(job = job_id, ?finding, seconds = started.elapsed().as_secs_f64(), "committed to a finding");
			session.metrics.verifications_committed.inc();
			session.verifier.sealed.lock().expect("not poisoned").insert(job_id, (finding, salt));
		},
		Err(error) => tracing::warn!(job = job_id, %error, "the commitment did not go through"),
	}
}

/// Reveals a committed finding.
async fn reveal(session: Arc<Session>, job_id: JobId, finding: Finding, salt: [u8; 32]) {
	let call = studio::tx().job_escrow().reveal_finding(job_id, finding, salt);
	let revealed = chain::submit_in_turn(&session.client, &call, &session.signer, &session.signing).await;
	session.verifier.revealing.lock().expect("not poisoned").remove(&job_id);
	match revealed {
		Ok(_) => {
			tracing::info!(job = job_id, "revealed the finding");
			session.metrics.verifications_revealed.inc();
			session.verifier.sealed.lock().expect("not poisoned").remove(&job_id);
		},
		// Lost with the node: the next finalized block of the next session tries again.
		Err(SubmitError::Chain(error)) => tracing::warn!(job = job_id, %error, "could not reveal; trying again"),
		Err(SubmitError::Failed(reason)) => {
			tracing::warn!(job = job_id, %reason, "the chain refused the reveal");
			session.verifier.sealed.lock().expect("not poisoned").remove(&job_id);
		},
	}
}

/// Why a result could not be checked at all.
#[derive(Debug, thiserror::Error)]
enum CheckError {
	#[error("the job is not delivered, or its delivery is not on chain")]
	NotDelivered,
	#[error(transparent)]
	Chain(#[from] subxt::Error),
	#[error("{0}")]
	Job(String),
}

impl From<subxt::error::StorageError> for CheckError {
	fn from(error: subxt::error::StorageError) -> Self {
		Self::Chain(error.into())
	}
}

impl From<subxt::error::StorageValueError> for CheckError {
	fn from(error: subxt::error::StorageValueError) -> Self {
		Self::Chain(error.into())
	}
}

/// What this worker finds of `job_id`'s result: unavailable when its bytes cannot be fetched
/// before the commit period (ending at `commit_until`) runs out (every block is checked against
/// its CID), else the measurement.
async fn check(session: &Session, job_id: JobId, commit_until: u32) -> Result<Finding, CheckError> {
	let at = session.client.at_current_block().await.map_err(subxt::Error::from)?;
	let escrow = studio::storage().job_escrow();
	let job: Job = at.storage().try_fetch(escrow.jobs(), (job_id,)).await?.ok_or(CheckError::NotDelivered)?.decode()?;
	let delivery = at.storage().try_fetch(escrow.deliveries(), (job_id,)).await?.ok_or(CheckError::NotDelivered)?.decode()?;
	let (worker, output) = match &job.status {
		JobStatus::Delivered { worker, output, .. } => (worker.clone(), output.0.clone()),
		_ => return Err(CheckError::NotDelivered),
	};
	let Ok(cid) = cid::Cid::try_from(output.as_slice()) else {
		return Ok(Finding::Unavailable)
	};
	let reference = style_reference(&at, job.spec.style).await.map_err(|error| CheckError::Job(error.to_string()))?;
	// The output must be served within the commit period: tried again (dialling the delivering
	// worker's published address each time) until a fetch could no longer end in time to commit.
	let blocks_left = commit_until.saturating_sub(at.block_number() as u32);
	let seconds_left = blocks_left.saturating_sub(COMMIT_MARGIN_BLOCKS) as f64 * session.block_seconds;
	let deadline = Instant::now() + Duration::from_secs_f64(seconds_left);
	let address = at.storage().try_fetch(escrow.content_addresses(), (worker,)).await?.map(|value| value.decode()).transpose()?;
	let bytes = loop {
		if let Some(address) = &address {
			network::dial(&session.content, &address.0).await;
		}
		let started = Instant::now();
		match session.content.get(&cid, MAX_OUTPUT_BYTES).await {
			Ok(bytes) => break bytes,
			Err(error) if Instant::now() + started.elapsed() < deadline => {
				tracing::info!(job = job_id, %cid, %error, "the output is not available yet; trying again");
			},
			Err(error) => {
				tracing::info!(job = job_id, %cid, %error, "the output is not available");
				return Ok(Finding::Unavailable)
			},
		}
	};
	let prompt = match &job.spec.prompt {
		Prompt::Text(text) => Some(String::from_utf8_lossy(&text.0).into_owned()),
		Prompt::Hash(_) => None,
	};
	let (agents, seed, settings) = (session.agents.clone(), job.spec.seed, delivery.settings.0.clone());
	let restyle = restyle_kind(&at, &job).await.map_err(|error| CheckError::Job(error.to_string()))?;
	let measured = match restyle {
		None => tokio::task::spawn_blocking(move || {
			measure(&agents, &bytes, &settings, &JobFacts { prompt: prompt.as_deref(), seed, reference: &reference })
		})
		.await,
		Some((content, kind)) => {
			let patience = deadline.saturating_duration_since(Instant::now());
			let (content_cid, image) = match fetch_content(session, &at, &content, max_image_side(&at)?, patience).await {
				Ok(fetched) => fetched,
				Err(problem) => {
					tracing::info!(job = job_id, %problem, "the job's content is not available");
					return Ok(Finding::Unavailable)
				},
			};
			let registry = studio::storage().studio_governance();
			let model = at.storage().try_fetch(registry.models(), (job.spec.model,)).await?.ok_or(CheckError::NotDelivered)?.decode()?;
			let model_sha256 = chain::hex(&model.weights_hash);
			tokio::task::spawn_blocking(move || {
				let facts = RestyleFacts {
					content: &image,
					content_cid: &content_cid,
					kind: &kind,
					model_sha256: &model_sha256,
					reference: &reference,
				};
				measure_restyle(&agents, &bytes, &settings, &facts)
			})
			.await
		},
	};
	Ok(match joined(measured) {
		Ok(measurement) => {
			tracing::info!(job = job_id, ?measurement, "measured the result");
			Finding::Measured {
				style_deviation: Permill(measurement.deviation_ppm),
				quality: Permill(measurement.quality_ppm),
				reproduction_centibels: measurement.reproduction_centibels,
			}
		},
		// Bytes that are not an image are as far off the style as can be.
		Err(VerifyError::NotAnImage(error)) => {
			tracing::info!(job = job_id, %error, "the output is not an image");
			Finding::Measured { style_deviation: Permill(1_000_000), quality: Permill(0), reproduction_centibels: 0 }
		},
		Err(VerifyError::Tensor(error)) => return Err(CheckError::Job(error.to_string())),
	})
}
