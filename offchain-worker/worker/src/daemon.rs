//! The worker daemon: follows the chain's finalized blocks, claims the jobs this worker can
//! run, runs each through the [`Agents`], adds the output to its IPFS node and submits
//! the signed result.
//!
//! - A job is runnable when its model is one whose weights this worker loaded (the registry's
//!   hash equals the local file's), approved and not suspended, and the job is of the model's
//!   kind: a generator's job needs its prompt on chain as text and the generator's PNG size; a
//!   restyle job (stylize, line art) takes its content's size ([`crate::restyle_jobs`]: a
//!   content that cannot be used gives the claim back).
//! - The worker claims nothing while its agent or the studio is halted, never a job it gave
//!   up this session (or that the chain bars it from), and only what it can finish within the
//!   claim window: the job's most candidates, after the work already in hand, at the speed it
//!   measures on its own designs (one of 16 candidates timed at start-up, then each job).
//! - Claimed jobs wait in a bounded queue; one executor runs them in order (inference on a
//!   blocking thread, candidates batched on the device).
//! - A design is determined by the job's spec, so every output is marked with the job and the
//!   claim it answers (a PNG text chunk; the pixels are unchanged): two jobs with one spec, or
//!   a job re-opened after a refusal, give two CIDs. Should the chain still hold the output,
//!   the worker marks it anew and resubmits.
//! - Restart-safe: every session starts from chain state. Jobs this account has claimed are
//!   resumed; open jobs are found by a scan, later ones from `JobSubmitted` / `JobReopened`
//!   events. A lost node ends the session and the daemon reconnects; a job that dies with the
//!   worker is lost to nobody: its claim expires and the chain re-opens it.
//! - The account's transactions take their nonces in turn (one lock held only until each is in
//!   the pool), so nonces never collide. A claim or a result counts once it succeeds in a best
//!   block, and a result's finality is waited for beside the next design. The follower claims
//!   from finalized blocks only: at each, and again as soon as a result in a block gives a claim
//!   back (the chain bounds the claims a worker holds).
//! - Designs run ahead of their claims: a job goes into the queue as its claim goes into the
//!   pool, and a generator's job is designed from the finalized block that showed it open
//!   while the claim waits for its block (a design is determined by the job's spec). The
//!   result waits for the claim: it is marked with the claim the chain recorded, and a design
//!   whose claim failed (another worker was first) is dropped. A restyle job waits for its claim
//!   before fetching its content, since a content it cannot use gives the claim back.

use crate::{
	content::{ContentError, ContentNode},
	metrics::Metrics,
	network,
	restyle_jobs::{design_restyle, restyle_kind},
	verifier::{self, Verifier},
};
use studio_chain::{
	self as chain, account_of, studio, AtBlock, Client, EntryStatus, FinalistReport, FinalistsReport, Job, JobKind,
	JobStatus, Prompt, ResultReport, StudioParameter, SubmitError, WorkerInfo,
};
use studio_models::{
	agents::{Agents, AgentsError, Brief},
	fitness::{Choice, Finalist, Outcome, Preference, SearchSettings},
	inference::{
		generator::IMAGE_SIDE,
		image::{with_text_chunk, ImageError},
	},
	restyle::RestyleError,
	style::from_fixed_point,
};
use std::{
	collections::{BTreeMap, BTreeSet},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};
use studio::runtime_types::{
	bounded_collections::bounded_vec::BoundedVec, pallet_job_escrow::types::ImageFormat,
	sp_arithmetic::per_things::Permill,
};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;
use tokio::sync::{mpsc, oneshot};

/// A job's id on chain.
pub type JobId = u64;

/// The hash of a block.
type BlockHash = subxt::config::substrate::H256;

/// A job waiting for the executor, with its claim.
struct Queued {
	job: JobId,
	claim: Claim,
}

/// A queued job's claim.
enum Claim {
	/// Claimed in a finalized block (a job resumed from chain state).
	Final,
	/// On its way into a block.
	Pending {
		/// The finalized block that showed the job open: the design reads it.
		seen_in: BlockHash,
		/// The block that included the claim, once it did; or why the claim failed.
		included: oneshot::Receiver<Result<BlockHash, ClaimFailed>>,
	},
}

/// The claim a design answers.
pub(crate) enum ClaimOf {
	/// In a block: it expires at this block number.
	Expires(u32),
	/// On its way into a block: the block that included it, or why it failed.
	Pending(oneshot::Receiver<Result<BlockHash, ClaimFailed>>),
}

/// Why a claim sent to the pool did not take.
pub(crate) enum ClaimFailed {
	/// The chain refused it (e.g. another worker claimed the job first).
	Refused(String),
	/// The node went away.
	Chain(subxt::Error),
}

/// The keyword of the PNG text chunk that marks an output with the job and claim it answers.
const MARK_KEYWORD: &str = "studio";
/// How many times one result is submitted, each time marked anew, while the chain refuses its
/// output as already recorded (`Provenance::AssetExists`).
const SUBMIT_TRIES: u32 = 3;
/// Designs under way at once: one on the device, the next reading the chain meanwhile.
const DESIGNS_UNDER_WAY: usize = 2;
/// The weight of the newest design in the measured seconds per candidate (a moving average).
const SPEED_WEIGHT: f64 = 0.3;
/// Blocks of a claim window the worker cannot work in: the claim reaching a block, the
/// finalized block it claimed from lagging the best one, and the result reaching a block.
const FINALITY_MARGIN_BLOCKS: u64 = 4;

/// How the daemon runs.
pub struct DaemonConfig {
	/// The node's WebSocket RPC address.
	pub url: String,
	/// The worker's key: it claims, and signs results.
	pub signer: Keypair,
	/// The IPFS node outputs are added to.
	pub content: ContentNode,
	/// How many claimed jobs the worker holds at once (the queue's bound).
	pub queue: usize,
	/// Search rounds after the first.
	pub rounds: u32,
}

/// Why the daemon stopped.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
	/// The account is not (or no longer) a registered worker.
	#[error("{account} is not a registered worker on this chain: register it first (`JobEscrow::register_worker`), or it was retired")]
	NotRegistered { account: AccountId32 },
	/// The chain has no approved model with the local generator's weights.
	#[error("no approved model on chain has the local generator's weights (sha2-256 {0}): this worker has nothing it may run")]
	ModelNotApproved(String),
	/// The design timed at start-up failed.
	#[error("timing a design on this device: {0}")]
	Timing(#[from] AgentsError),
}

/// Why a session with the node ended.
#[derive(Debug, thiserror::Error)]
enum SessionError {
	#[error(transparent)]
	Fatal(#[from] DaemonError),
	#[error(transparent)]
	Lost(#[from] subxt::Error),
}

impl From<subxt::error::StorageError> for SessionError {
	fn from(error: subxt::error::StorageError) -> Self {
		Self::Lost(error.into())
	}
}

/// Why one job failed on this worker.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JobError {
	#[error("the job is no longer claimed by this worker")]
	NotOurs,
	#[error("the job's prompt is only a hash: this worker needs the text on chain")]
	PromptNotOnChain,
	#[error("the job's prompt is not UTF-8")]
	PromptNotText,
	#[error("the job's style {0} is not in the registry")]
	UnknownStyle(u32),
	#[error("inference failed: {0}")]
	Agents(#[from] AgentsError),
	#[error("the output could not be marked: {0}")]
	Mark(#[from] ImageError),
	#[error("the output could not be added to IPFS: {0}")]
	Content(#[from] ContentError),
	#[error("the chain refused the result: {0}")]
	Refused(String),
	#[error("restyling failed: {0}")]
	Restyle(#[from] RestyleError),
	#[error("the claim was given back: {0}")]
	Released(String),
	#[error("the claim did not take: {0}")]
	NotClaimed(String),
	#[error("the search kept no candidate")]
	NoCandidate,
	#[error("the job wants {wanted} finalists; the search kept {found}")]
	TooFewFinalists { wanted: usize, found: usize },
	#[error(transparent)]
	Chain(#[from] subxt::Error),
}

impl From<subxt::error::StorageError> for JobError {
	fn from(error: subxt::error::StorageError) -> Self {
		Self::Chain(error.into())
	}
}

impl From<subxt::error::StorageValueError> for JobError {
	fn from(error: subxt::error::StorageValueError) -> Self {
		Self::Chain(error.into())
	}
}

/// What one session shares between the block follower, the executor and the verifier.
pub(crate) struct Session {
	pub(crate) client: Client,
	pub(crate) agents: Arc<Agents>,
	pub(crate) signer: Keypair,
	pub(crate) account: AccountId32,
	pub(crate) content: ContentNode,
	pub(crate) metrics: Metrics,
	rounds: u32,
	/// The model id the chain gives the local generator's weights.
	model: u32,
	/// The model ids the chain gives the local style-transfer and line-art weights, when
	/// loaded and approved.
	restyle_models: (Option<u32>, Option<u32>),
	/// Jobs claimed and queued or running here, each with the most candidates it generates.
	in_hand: Mutex<BTreeMap<JobId, u64>>,
	/// Jobs designed here whose results are on their way to the chain: they need no more CPU,
	/// so they do not count against the queue.
	delivering: Mutex<BTreeSet<JobId>>,
	/// Jobs this session delivered (their results in a block): the blocks the follower has yet
	/// to catch up on still show them claimed, and they are neither resumed nor counted as
	/// claims held.
	delivered: Mutex<BTreeSet<JobId>>,
	/// Jobs whose claims the chain refused for want of room (the worker's claims or unsettled
	/// results were at their bound when the claim arrived): the follower looks at them again.
	claim_again: Mutex<BTreeSet<JobId>>,
	/// Jobs that failed here this session (left for their claims to expire), or that the chain
	/// bars this worker from claiming: never claimed again this session.
	given_up: Mutex<BTreeSet<JobId>>,
	/// Seconds one candidate takes here: a moving average over this session's designs, from
	/// the design timed at start-up.
	seconds_per_candidate: Mutex<f64>,
	/// Seconds per block: the chain's slot duration.
	pub(crate) block_seconds: f64,
	/// The jobs the claim loop passed over, each with why: each said once.
	passed_over: Mutex<BTreeSet<(JobId, &'static str)>>,
	/// Serializes the account's transactions into the pool (each then waits for finality on
	/// its own).
	pub(crate) signing: chain::Turn,
	/// The results this worker verifies for the chain.
	pub(crate) verifier: Verifier,
	/// Told when a result reaches a block: the claim it answered is room for another.
	claim_returned: tokio::sync::Notify,
	/// Held while a design runs on the device: designs under way take it in turn.
	pub(crate) device: tokio::sync::Mutex<()>,
}

impl Session {
	/// How this worker searches a job of `candidates` candidates.
	fn settings(&self, candidates: u32, target_ppm: u32) -> SearchSettings {
		SearchSettings { candidates, rounds: self.rounds, keep: candidates.min(2), step: 0.3, target_ppm }
	}

	/// The seconds this worker takes to generate `candidates` candidates.
	fn seconds_for(&self, candidates: u64) -> f64 {
		candidates as f64 * *self.seconds_per_candidate.lock().expect("not poisoned")
	}

	/// Folds a design that generated `candidates` candidates in `seconds` into the speed.
	fn timed(&self, candidates: u32, seconds: f64) {
		if candidates == 0 {
			return
		}
		let sample = seconds / candidates as f64;
		let mut average = self.seconds_per_candidate.lock().expect("not poisoned");
		*average += SPEED_WEIGHT * (sample - *average);
	}

	/// Whether the claim loop passes `job` over for `why` for the first time.
	fn first_pass_over(&self, job: JobId, why: &'static str) -> bool {
		self.passed_over.lock().expect("not poisoned").insert((job, why))
	}
}

/// Runs the daemon until a fatal error: reconnects whenever the node goes away.
pub async fn run(agents: Arc<Agents>, config: DaemonConfig, metrics: Metrics) -> Result<(), DaemonError> {
	// What the claim loop assumes of this machine until it has timed a job: without it, a fresh
	// worker would guess, and one that guessed too slow would never claim a large job (nor
	// ever time one).
	let timing = agents.clone();
	let seconds_per_candidate = joined(tokio::task::spawn_blocking(move || timing.seconds_per_candidate()).await)?;
	tracing::info!(seconds_per_candidate, "timed a design on this device");
	let mut delay = Duration::from_secs(1);
	loop {
		match Client::from_insecure_url(&config.url).await {
			Ok(client) => {
				tracing::info!(url = %config.url, account = %account_of(&config.signer), "connected");
				metrics.chain_connected.set(1);
				delay = Duration::from_secs(1);
				match follow(client, agents.clone(), seconds_per_candidate, &config, metrics.clone()).await {
					Err(SessionError::Fatal(error)) => return Err(error),
					Err(SessionError::Lost(error)) =>
						tracing::warn!(url = %config.url, %error, "lost the node; reconnecting"),
					Ok(()) => tracing::warn!(url = %config.url, "the node ended the block stream; reconnecting"),
				}
				metrics.chain_connected.set(0);
			},
			Err(error) => tracing::warn!(url = %config.url, %error, "cannot reach the node; retrying in {delay:?}"),
		}
		tokio::time::sleep(delay).await;
		delay = (delay * 2).min(Duration::from_secs(8));
	}
}

/// One session: from connecting until the node goes away.
async fn follow(
	client: Client,
	agents: Arc<Agents>,
	seconds_per_candidate: f64,
	config: &DaemonConfig,
	metrics: Metrics,
) -> Result<(), SessionError> {
	// Subscribe first, then read the state: nothing between the two is missed, and blocks the
	// stream replays from before that state are skipped.
	let mut blocks = client.stream_blocks().await.map_err(subxt::Error::from)?;
	let at = client.at_current_block().await.map_err(subxt::Error::from)?;
	let start = at.block_number();
	let weights_hash = sha256_from_hex(&agents.generator_sha256);
	let model = at
		.storage()
		.try_fetch(studio::storage().studio_governance().approved_model_by_hash(), (weights_hash,))
		.await?
		.map(|value| value.decode())
		.transpose()
		.map_err(subxt::Error::from)?
		.ok_or_else(|| DaemonError::ModelNotApproved(agents.generator_sha256.clone()))?;
	let restyle_models = (
		approved_id(&at, agents.restylers.stylize.as_ref().map(|(hash, _)| hash.as_str())).await?,
		approved_id(&at, agents.restylers.line_art.as_ref().map(|(hash, _)| hash.as_str())).await?,
	);
	let account = account_of(&config.signer);
	worker_info(&at, &account).await?;
	let slot_millis = at.constants().entry(studio::constants().aura().slot_duration()).map_err(subxt::Error::from)?;
	let session = Arc::new(Session {
		client: client.clone(),
		agents,
		signer: config.signer.clone(),
		account,
		content: config.content.clone(),
		metrics,
		rounds: config.rounds,
		model,
		restyle_models,
		in_hand: Mutex::default(),
		delivering: Mutex::default(),
		delivered: Mutex::default(),
		claim_again: Mutex::default(),
		given_up: Mutex::default(),
		seconds_per_candidate: Mutex::new(seconds_per_candidate),
		block_seconds: slot_millis as f64 / 1000.0,
		passed_over: Mutex::default(),
		signing: chain::Turn::default(),
		verifier: Verifier::default(),
		claim_returned: tokio::sync::Notify::new(),
		device: tokio::sync::Mutex::default(),
	});
	let (queue, jobs) = mpsc::channel(config.queue.max(1));
	let mut executor = tokio::spawn(execute(session.clone(), jobs));
	let followed = async {
		network::join(&client, &at, &config.signer, &config.content).await?;
		let mut open = scan_open_jobs(&at).await?;
		tracing::info!(model, open = open.len(), block = start, "following finalized blocks");
		on_block(&session, &at, &queue, &mut open, config.queue).await?;
		let mut latest = at;
		loop {
			tokio::select! {
				block = blocks.next() => {
					let Some(block) = block else { break };
					let block = block.map_err(subxt::Error::from)?;
					if block.number() <= start {
						continue
					}
					session.metrics.finalized_block.set(block.number() as i64);
					latest = block.at().await.map_err(subxt::Error::from)?;
					network::on_block(&latest, &config.content).await?;
					collect_opened(&latest, &mut open).await?;
					on_block(&session, &latest, &queue, &mut open, config.queue).await?;
				},
				// A result in a block gave a claim back: claim again now, not at the next
				// finalized block.
				() = session.claim_returned.notified() => {
					let worker = worker_info(&latest, &session.account).await?;
					claim_what_fits(&session, &latest, &queue, &mut open, config.queue, &worker).await?;
				},
			}
		}
		Ok::<(), SessionError>(())
	};
	let outcome = tokio::select! {
		outcome = followed => outcome,
		stopped = &mut executor => joined(stopped).map_err(SessionError::Lost),
	};
	executor.abort();
	session.metrics.queue_depth.set(0);
	outcome
}

/// The id of the approved model with the weights `sha256` (hex), if any.
async fn approved_id(at: &AtBlock, sha256: Option<&str>) -> Result<Option<u32>, SessionError> {
	let Some(sha256) = sha256 else { return Ok(None) };
	let registry = studio::storage().studio_governance();
	Ok(at
		.storage()
		.try_fetch(registry.approved_model_by_hash(), (sha256_from_hex(sha256),))
		.await?
		.map(|value| value.decode())
		.transpose()
		.map_err(subxt::Error::from)?)
}

/// The worker's registration at `at`; an account that is not registered cannot work.
async fn worker_info(at: &AtBlock, account: &AccountId32) -> Result<WorkerInfo<u128, u32>, SessionError> {
	Ok(at
		.storage()
		.try_fetch(studio::storage().job_escrow().workers(), (account.clone(),))
		.await?
		.ok_or_else(|| DaemonError::NotRegistered { account: account.clone() })?
		.decode()
		.map_err(subxt::Error::from)?)
}

fn sha256_from_hex(hex: &str) -> [u8; 32] {
	let mut digest = [0u8; 32];
	for (i, byte) in digest.iter_mut().enumerate() {
		*byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("manifests hold verified hex digests");
	}
	digest
}

/// A governed parameter's value at `at`; zero when it has none, as the chain reads it.
pub(crate) async fn parameter(at: &AtBlock, which: StudioParameter) -> Result<u128, subxt::Error> {
	let values = studio::storage().studio_governance().parameter_values();
	Ok(at.storage().try_fetch(values, (which,)).await?.map(|value| value.decode()).transpose()?.unwrap_or_default())
}

/// Every open job at `at`.
async fn scan_open_jobs(at: &AtBlock) -> Result<BTreeSet<JobId>, SessionError> {
	let mut open = BTreeSet::new();
	let mut jobs = at.storage().iter(studio::storage().job_escrow().jobs(), ()).await?;
	while let Some(entry) = jobs.next().await {
		let entry = entry?;
		let job: Job = entry.value().decode().map_err(subxt::Error::from)?;
		if matches!(job.status, JobStatus::Open) {
			open.insert(entry.key().map_err(subxt::Error::from)?.decode().map_err(subxt::Error::from)?.0);
		}
	}
	Ok(open)
}

/// Adds the jobs `at`'s events opened to `open`.
async fn collect_opened(at: &AtBlock, open: &mut BTreeSet<JobId>) -> Result<(), SessionError> {
	use studio::job_escrow::events::{JobReopened, JobSubmitted};
	let events = at.events().fetch().await.map_err(subxt::Error::from)?;
	for submitted in events.find::<JobSubmitted>() {
		open.insert(submitted.map_err(subxt::Error::from)?.job);
	}
	for reopened in events.find::<JobReopened>() {
		open.insert(reopened.map_err(subxt::Error::from)?.job);
	}
	Ok(())
}

/// One finalized block: resume this account's claims, then claim what it can run and finish
/// in time.
async fn on_block(
	session: &Arc<Session>,
	at: &AtBlock,
	queue: &mpsc::Sender<Queued>,
	open: &mut BTreeSet<JobId>,
	capacity: usize,
) -> Result<(), SessionError> {
	// Verifying comes first: its periods are shorter than a claim window.
	verifier::on_block(session, at).await?;
	let escrow = studio::storage().job_escrow();
	let worker = worker_info(at, &session.account).await?;
	for &job_id in &worker.claims.0 {
		let given_up = session.given_up.lock().expect("not poisoned").contains(&job_id);
		let under_way = session.in_hand.lock().expect("not poisoned").contains_key(&job_id) ||
			session.delivering.lock().expect("not poisoned").contains(&job_id) ||
			session.delivered.lock().expect("not poisoned").contains(&job_id);
		if given_up || under_way {
			continue
		}
		let candidates = match at.storage().try_fetch(escrow.jobs(), (job_id,)).await? {
			Some(job) => {
				let job: Job = job.decode().map_err(subxt::Error::from)?;
				session.settings(job.spec.candidates, 0).most_candidates()
			},
			None => 0,
		};
		session.in_hand.lock().expect("not poisoned").insert(job_id, candidates);
		tracing::info!(job = job_id, "resuming a job this worker claimed");
		enqueue(session, queue, Queued { job: job_id, claim: Claim::Final }).await;
	}
	claim_what_fits(session, at, queue, open, capacity, &worker).await
}

/// Claims, as of the finalized block `at`, the open jobs this worker can run and finish in
/// time, as many as its queue and the chain's room for its claims take; none while its agent
/// or the studio is halted.
async fn claim_what_fits(
	session: &Arc<Session>,
	at: &AtBlock,
	queue: &mpsc::Sender<Queued>,
	open: &mut BTreeSet<JobId>,
	capacity: usize,
	worker: &WorkerInfo<u128, u32>,
) -> Result<(), SessionError> {
	let escrow = studio::storage().job_escrow();
	let breaker = studio::storage().circuit_breaker();
	if let Some(incident) = at.storage().try_fetch(breaker.halted_agents(), (session.account.clone(),)).await? {
		let incident: u32 = incident.decode().map_err(subxt::Error::from)?;
		tracing::info!(incident, "this agent is halted; claiming nothing until reviewers resume it");
		return Ok(())
	}
	if at.storage().try_fetch(breaker.studio_halt(), ()).await?.is_some() {
		tracing::info!("the studio is halted; claiming nothing");
		return Ok(())
	}
	open.append(&mut session.claim_again.lock().expect("not poisoned"));
	let room = claim_room(session, at, worker).await?;
	if open.is_empty() || room == 0 || session.in_hand.lock().expect("not poisoned").len() >= capacity {
		return Ok(())
	}
	// A claim lands in the next block at the earliest and holds the job for `claim_timeout`
	// blocks from there, of which the worker has all but the margin.
	let claim_timeout = parameter(at, StudioParameter::ClaimTimeout).await?.min(u32::MAX as u128) as u64;
	let earliest_claim = at.block_number() + 1;
	let window = claim_timeout.saturating_sub(FINALITY_MARGIN_BLOCKS) as f64 * session.block_seconds;
	// Jobs this worker could not finish in time now, but may once its queue drains.
	let mut later = Vec::new();
	let mut to_claim = Vec::new();
	while session.in_hand.lock().expect("not poisoned").len() < capacity && to_claim.len() < room {
		let Some(job_id) = open.pop_first() else { break };
		if session.given_up.lock().expect("not poisoned").contains(&job_id) {
			if session.first_pass_over(job_id, "given up") {
				tracing::info!(job = job_id, "not claiming: it failed here this session, or the chain bars this worker from it");
			}
			continue
		}
		let Some(job) = at.storage().try_fetch(escrow.jobs(), (job_id,)).await? else { continue };
		let job: Job = job.decode().map_err(subxt::Error::from)?;
		if !matches!(job.status, JobStatus::Open) || !runnable(session, at, &job).await? {
			continue
		}
		let deadline = job.spec.deadline as u64;
		if earliest_claim + claim_timeout > deadline {
			if session.first_pass_over(job_id, "deadline") {
				tracing::info!(job = job_id, deadline, claim_timeout, "not claiming: the deadline leaves less than a whole claim window");
			}
			continue
		}
		let candidates = session.settings(job.spec.candidates, 0).most_candidates();
		let ahead: u64 = session.in_hand.lock().expect("not poisoned").values().sum();
		let needed = session.seconds_for(ahead + candidates);
		if needed > window {
			if session.first_pass_over(job_id, "time") {
				tracing::info!(
					job = job_id,
					candidates,
					candidates_ahead = ahead,
					needed_seconds = needed,
					window_seconds = window,
					"not claiming for now: this worker would not deliver it within the claim window"
				);
			}
			later.push(job_id);
			continue
		}
		// Reserved now, so that the next job's time estimate counts this one.
		session.in_hand.lock().expect("not poisoned").insert(job_id, candidates);
		to_claim.push(job_id);
	}
	open.extend(later);
	if to_claim.is_empty() {
		return Ok(())
	}
	// Each job is queued as its claim goes into the pool (the claims one after another, each
	// followed into a block in its own task): the executor designs it meanwhile.
	tracing::info!(jobs = ?to_claim, "claiming");
	for job_id in to_claim {
		let (claimed, included) = oneshot::channel();
		enqueue(session, queue, Queued { job: job_id, claim: Claim::Pending { seen_in: at.block_hash(), included } }).await;
		let session = session.clone();
		tokio::spawn(async move {
			let claim = studio::tx().job_escrow().claim_job(job_id);
			let outcome = match chain::submit_included(&session.client, &claim, &session.signer, &session.signing).await {
				Ok(included) => {
					tracing::info!(job = job_id, block = %included.block, "claimed");
					session.metrics.jobs_claimed.inc();
					Ok(included.block)
				},
				Err(SubmitError::Failed(reason)) => {
					// The chain bars a worker whose claim on the job failed from claiming it again.
					if reason.contains("ClaimedBefore") {
						session.given_up.lock().expect("not poisoned").insert(job_id);
					}
					if reason.contains("TooManyClaims") || reason.contains("TooManyUnsettled") {
						session.claim_again.lock().expect("not poisoned").insert(job_id);
					}
					tracing::info!(job = job_id, %reason, "could not claim");
					Err(ClaimFailed::Refused(reason))
				},
				Err(SubmitError::Chain(error)) => Err(ClaimFailed::Chain(error)),
			};
			// The executor drops the receiver only when the session ends.
			let _ = claimed.send(outcome);
		});
	}
	Ok(())
}

/// How many more claims the chain takes from this worker now, as `claim_job` counts them: one
/// per `WorkerMinBond` of its bond (at least one, at most `MaxClaimsPerWorker`) and, with its
/// unsettled results, under `MaxUnsettledPerWorker`. The claims it holds are those of the
/// finalized block `at`, those on their way or in hand here and results not yet in a block;
/// a delivered job's claim is gone.
async fn claim_room(session: &Session, at: &AtBlock, worker: &WorkerInfo<u128, u32>) -> Result<usize, SessionError> {
	let limits = studio::constants().job_escrow();
	let most_claims = at.constants().entry(limits.max_claims_per_worker()).map_err(subxt::Error::from)? as u128;
	let most_unsettled = at.constants().entry(limits.max_unsettled_per_worker()).map_err(subxt::Error::from)? as usize;
	let min_bond = parameter(at, StudioParameter::WorkerMinBond).await?;
	let allowed = match min_bond {
		0 => most_claims,
		min_bond => (worker.bond / min_bond).clamp(1, most_claims.max(1)),
	} as usize;
	let claimed: BTreeSet<JobId> = worker.claims.0.iter().copied().collect();
	let delivered = session.delivered.lock().expect("not poisoned");
	let mut held = claimed.clone();
	held.extend(session.in_hand.lock().expect("not poisoned").keys());
	held.extend(session.delivering.lock().expect("not poisoned").iter());
	let held = held.difference(&*delivered).count();
	// Results in a block the finalized one does not show yet are unsettled, not claims.
	let unsettled = worker.unsettled.0.len() + claimed.intersection(&*delivered).count();
	Ok(allowed.saturating_sub(held).min(most_unsettled.saturating_sub(unsettled + held)))
}

async fn enqueue(session: &Session, queue: &mpsc::Sender<Queued>, job: Queued) {
	session.metrics.queue_depth.set(session.in_hand.lock().expect("not poisoned").len() as i64);
	// The executor only stops with the session, so a send fails only while it ends.
	let _ = queue.send(job).await;
}

/// Whether this worker can run `job`: its kind and model, prompt and output.
async fn runnable(session: &Session, at: &AtBlock, job: &Job) -> Result<bool, SessionError> {
	let spec = &job.spec;
	let side = IMAGE_SIDE as u32;
	let fits = matches!(spec.output.format, ImageFormat::Png) &&
		match spec.kind {
			JobKind::Generate =>
				spec.model == session.model &&
					matches!(spec.prompt, Prompt::Text(_)) &&
					(spec.output.width, spec.output.height) == (side, side),
			JobKind::Stylize { .. } => Some(spec.model) == session.restyle_models.0,
			JobKind::LineArt { .. } => Some(spec.model) == session.restyle_models.1,
		};
	if !fits {
		return Ok(false)
	}
	let local_weights = match spec.kind {
		JobKind::Generate => Some(&session.agents.generator_sha256),
		JobKind::Stylize { .. } => session.agents.restylers.stylize.as_ref().map(|(hash, _)| hash),
		JobKind::LineArt { .. } => session.agents.restylers.line_art.as_ref().map(|(hash, _)| hash),
	};
	let registry = studio::storage().studio_governance();
	let Some(model) = at.storage().try_fetch(registry.models(), (spec.model,)).await? else { return Ok(false) };
	let model = model.decode().map_err(subxt::Error::from)?;
	let suspended =
		at.storage().try_fetch(studio::storage().circuit_breaker().suspended_models(), (spec.model,)).await?.is_some();
	Ok(matches!(model.status, EntryStatus::Active) &&
		Some(&chain::hex(&model.weights_hash)) == local_weights &&
		!suspended)
}

/// Designs queued jobs, two under way at once: one on the device while the next reads its job
/// from the chain (and fetches its content), then waits for the device. Each designed job is
/// delivered in the background (a result waits for its claim, its block and finality without
/// holding the device idle). Runs until the queue closes or the node goes away.
async fn execute(session: Arc<Session>, mut jobs: mpsc::Receiver<Queued>) -> Result<(), subxt::Error> {
	let mut designs = tokio::task::JoinSet::new();
	let mut deliveries = tokio::task::JoinSet::new();
	let mut queue_open = true;
	loop {
		tokio::select! {
			queued = jobs.recv(), if queue_open && designs.len() < DESIGNS_UNDER_WAY => match queued {
				Some(Queued { job, claim }) => {
					let session = session.clone();
					designs.spawn(async move { (job, design(&session, job, claim).await) });
				},
				None => queue_open = false,
			},
			Some(designed) = designs.join_next(), if !designs.is_empty() => match joined(designed) {
				(job, Ok(designed)) => {
					session.in_hand.lock().expect("not poisoned").remove(&job);
					session.delivering.lock().expect("not poisoned").insert(job);
					session.metrics.queue_depth.set(session.in_hand.lock().expect("not poisoned").len() as i64);
					let session = session.clone();
					deliveries.spawn(async move { (job, deliver(&session, designed).await) });
				},
				(job, Err(error)) => settle_outcome(&session, (job, Err(error)))?,
			},
			Some(delivered) = deliveries.join_next(), if !deliveries.is_empty() => settle_outcome(&session, joined(delivered))?,
			else => break,
		}
	}
	Ok(())
}

/// What a finished task returned; its panic, passed on.
pub(crate) fn joined<T>(joined: Result<T, tokio::task::JoinError>) -> T {
	joined.unwrap_or_else(|panic| std::panic::resume_unwind(panic.into_panic()))
}

/// Books what became of `job` on this worker: done, failed here (given up, its claim left to
/// expire), or lost with the node (the claim stands; the next session resumes the job).
fn settle_outcome(session: &Session, (job, outcome): (JobId, Result<(), JobError>)) -> Result<(), subxt::Error> {
	if !matches!(outcome, Err(JobError::Chain(_))) {
		session.in_hand.lock().expect("not poisoned").remove(&job);
		session.delivering.lock().expect("not poisoned").remove(&job);
	}
	session.metrics.queue_depth.set(session.in_hand.lock().expect("not poisoned").len() as i64);
	match outcome {
		Ok(()) => {
			session.delivered.lock().expect("not poisoned").insert(job);
			Ok(())
		},
		Err(JobError::Chain(error)) => Err(error),
		Err(JobError::Released(reason)) => {
			session.given_up.lock().expect("not poisoned").insert(job);
			tracing::warn!(job, %reason, "gave the claim back; the chain re-opened the job for other workers");
			Ok(())
		},
		Err(JobError::NotClaimed(reason)) => {
			tracing::info!(job, %reason, "the claim did not take; the design made ahead of it is dropped");
			Ok(())
		},
		Err(error) => {
			session.metrics.jobs_failed.inc();
			session.given_up.lock().expect("not poisoned").insert(job);
			tracing::warn!(job, %error, "job failed here; its claim will expire and the chain re-opens it");
			Ok(())
		},
	}
}

/// What a design made: one result, or a curated job's finalists (best first).
pub(crate) enum Made {
	/// One result.
	One(Outcome),
	/// A curated job's finalists.
	Finalists(Vec<Finalist>),
}

/// A designed job, ready to deliver.
pub(crate) struct Designed {
	pub(crate) job_id: JobId,
	/// The claim it answers (its expiry is marked in the output).
	pub(crate) claim: ClaimOf,
	/// sha2-256 (hex) of the weights of the model that made it.
	pub(crate) weights_sha256: String,
	pub(crate) made: Made,
}

/// Designs `job_id`. A job resumed from a final claim is read at the current finalized block.
/// A job whose claim is on its way is read at the finalized block that showed it open: a
/// generator's job is designed while the claim waits for its block, a restyle job once the
/// claim is in one (its content problems give the claim back).
async fn design(session: &Session, job_id: JobId, claim: Claim) -> Result<Designed, JobError> {
	let (at, pending) = match claim {
		Claim::Final => (session.client.at_current_block().await, None),
		Claim::Pending { seen_in, included } => (session.client.at_block(seen_in).await, Some(included)),
	};
	let at = at.map_err(subxt::Error::from)?;
	let job = job_at(&at, job_id).await?;
	let claim = match pending {
		Some(included) => ClaimOf::Pending(included),
		None => ClaimOf::Expires(claim_expiry(session, &job)?),
	};
	if let Some((content, kind)) = restyle_kind(&at, &job).await? {
		let (claimed_in, claim) = confirmed(session, job_id, claim).await?;
		let at = claimed_in.as_ref().unwrap_or(&at);
		return design_restyle(session, at, job_id, job, claim, content, kind).await
	}
	let prompt = match &job.spec.prompt {
		Prompt::Text(text) => String::from_utf8(text.0.clone()).map_err(|_| JobError::PromptNotText)?,
		Prompt::Hash(_) => return Err(JobError::PromptNotOnChain),
	};
	let reference = style_reference(&at, job.spec.style).await?;
	let target_ppm = parameter(&at, StudioParameter::MaxStyleDeviation).await? as u32;
	let candidates = job.spec.candidates;
	let settings = session.settings(candidates, target_ppm);
	let curated = job.spec.curation.as_ref().map(|ask| ask.finalists as usize);
	let choice = Choice {
		finalists: curated.unwrap_or(1),
		quality_floor_ppm: parameter(&at, StudioParameter::QualityThreshold).await? as u32,
		preference: style_preference(&at, job.spec.style).await?,
	};
	let (agents, seed) = (session.agents.clone(), job.spec.seed);
	tracing::info!(
		job = job_id,
		%prompt,
		style = job.spec.style,
		candidates,
		finalists = choice.finalists,
		preference_length = choice.preference.length(),
		preference_weight = choice.preference.weight,
		"designing"
	);
	let device = session.device.lock().await;
	let started = Instant::now();
	let searched = joined(
		tokio::task::spawn_blocking(move || {
			agents.design(&Brief { prompt: &prompt, reference: &reference, seed, settings, choice })
		})
		.await,
	)?;
	let seconds = started.elapsed().as_secs_f64();
	drop(device);
	let mut finalists = searched.finalists;
	let best = finalists.first().map(|finalist| finalist.outcome.clone()).ok_or(JobError::NoCandidate)?;
	session.metrics.inference_seconds.observe(seconds);
	session.metrics.candidates_per_second.set(best.candidates_tried as f64 / seconds);
	session.timed(best.candidates_tried, seconds);
	tracing::info!(job = job_id, deviation_ppm = best.deviation_ppm, quality_ppm = best.quality_ppm, tried = best.candidates_tried, finalists = finalists.len(), seconds, "designed");
	let made = match curated {
		Some(wanted) if finalists.len() == wanted => Made::Finalists(finalists),
		Some(wanted) => return Err(JobError::TooFewFinalists { wanted, found: finalists.len() }),
		None => Made::One(finalists.remove(0).outcome),
	};
	Ok(Designed { job_id, claim, weights_sha256: session.agents.generator_sha256.clone(), made })
}

/// When the claim on `job_id` expires and, for a claim that was on its way, the block that
/// included it (waited for).
async fn confirmed(session: &Session, job_id: JobId, claim: ClaimOf) -> Result<(Option<AtBlock>, u32), JobError> {
	let included = match claim {
		ClaimOf::Expires(expires_at) => return Ok((None, expires_at)),
		ClaimOf::Pending(included) => included,
	};
	let block = match included.await {
		Ok(Ok(block)) => block,
		Ok(Err(ClaimFailed::Refused(reason))) => return Err(JobError::NotClaimed(reason)),
		Ok(Err(ClaimFailed::Chain(error))) => return Err(error.into()),
		// The claim's task ends only after sending, unless the runtime shuts down with the session.
		Err(_) => return Err(JobError::NotClaimed("the claim's task ended with the session".into())),
	};
	let at = session.client.at_block(block).await.map_err(subxt::Error::from)?;
	let claim = claim_expiry(session, &job_at(&at, job_id).await?)?;
	Ok((Some(at), claim))
}

/// When this worker's claim on `job` expires; the job must be claimed by this worker.
fn claim_expiry(session: &Session, job: &Job) -> Result<u32, JobError> {
	match &job.status {
		JobStatus::Claimed { worker, expires_at } if *worker == session.account => Ok(*expires_at),
		_ => Err(JobError::NotOurs),
	}
}

/// Job `job_id` at `at`; a job that is gone is no longer this worker's.
async fn job_at(at: &AtBlock, job_id: JobId) -> Result<Job, JobError> {
	Ok(at.storage().try_fetch(studio::storage().job_escrow().jobs(), (job_id,)).await?.ok_or(JobError::NotOurs)?.decode()?)
}

/// What `style`'s curations taught at `at`, and how much this worker follows it (the governed
/// `PreferenceWeight`).
async fn style_preference(at: &AtBlock, style: u32) -> Result<Preference, JobError> {
	let direction = at.storage().try_fetch(studio::storage().curation().preferences(), (style,)).await?;
	let direction = match direction {
		Some(direction) => from_fixed_point(&direction.decode()?.0),
		None => Vec::new(),
	};
	let weight = parameter(at, StudioParameter::PreferenceWeight).await? as f64 / 1_000_000.0;
	Ok(Preference { direction, weight })
}

/// The reference vector of `style` at `at`.
pub(crate) async fn style_reference(at: &AtBlock, style: u32) -> Result<Vec<f32>, JobError> {
	let registry = studio::storage().studio_governance();
	let style = at.storage().try_fetch(registry.styles(), (style,)).await?.ok_or(JobError::UnknownStyle(style))?.decode()?;
	Ok(from_fixed_point(&style.reference.0))
}

/// Adds `png`, its `mark` in a text chunk (pixels unchanged), to IPFS; returns its CID.
async fn add_marked(session: &Session, png: &[u8], mark: &str) -> Result<cid::Cid, JobError> {
	Ok(session.content.add(&with_text_chunk(png, MARK_KEYWORD, mark)?).await?)
}

/// Adds a designed job's output (or a curated job's finalists) to IPFS and submits the result
/// once the claim it answers is in a block, marking the output anew while the chain already
/// records it. The job counts as delivered once its result succeeds in a best block (the
/// follower neither resumes it nor counts its claim from then on); the task then waits for
/// finality, and a result that never becomes final ends the session, whose successor resumes
/// the job from the finalized claim.
async fn deliver(session: &Session, designed: Designed) -> Result<(), JobError> {
	let Designed { job_id, claim, weights_sha256, made } = designed;
	let (_, claim) = confirmed(session, job_id, claim).await?;
	let weights_hash = sha256_from_hex(&weights_sha256);
	let mut tries = 0;
	let (cid, included) = loop {
		let (cid, submitted) = match &made {
			Made::One(outcome) => {
				let cid = add_marked(session, &outcome.png, &format!("job={job_id};claim={claim};try={tries}")).await?;
				let report = ResultReport {
					output: BoundedVec(cid.to_bytes()),
					style_deviation: Permill(outcome.deviation_ppm),
					quality: Permill(outcome.quality_ppm),
					weights_hash,
					settings: BoundedVec(outcome.settings.clone()),
					candidates_tried: outcome.candidates_tried,
				};
				let call = studio::tx().job_escrow().submit_result(job_id, report);
				(cid, chain::submit_included(&session.client, &call, &session.signer, &session.signing).await)
			},
			Made::Finalists(finalists) => {
				let mut reports = Vec::with_capacity(finalists.len());
				let mut cids = Vec::with_capacity(finalists.len());
				for (index, Finalist { outcome, style_vector }) in finalists.iter().enumerate() {
					// The finalist's index in the mark: two finalists never share a CID.
					let mark = format!("job={job_id};claim={claim};finalist={index};try={tries}");
					let cid = add_marked(session, &outcome.png, &mark).await?;
					reports.push(FinalistReport {
						output: BoundedVec(cid.to_bytes()),
						style_deviation: Permill(outcome.deviation_ppm),
						quality: Permill(outcome.quality_ppm),
						style_vector: BoundedVec(style_vector.clone()),
						settings: BoundedVec(outcome.settings.clone()),
					});
					cids.push(cid);
				}
				let candidates_tried = finalists.first().map_or(0, |finalist| finalist.outcome.candidates_tried);
				let report = FinalistsReport { finalists: BoundedVec(reports), weights_hash, candidates_tried };
				let call = studio::tx().job_escrow().submit_finalists(job_id, report);
				let submitted = chain::submit_included(&session.client, &call, &session.signer, &session.signing).await;
				tracing::info!(job = job_id, finalists = %cids.iter().map(ToString::to_string).collect::<Vec<_>>().join(","), "finalists stored");
				(cids.swap_remove(0), submitted)
			},
		};
		match submitted {
			Ok(included) => break (cid, included),
			Err(SubmitError::Failed(reason)) if reason.contains("AssetExists") && tries + 1 < SUBMIT_TRIES => {
				tries += 1;
				tracing::warn!(job = job_id, %cid, %reason, tries, "the chain already records this output; marking it anew and resubmitting");
			},
			Err(SubmitError::Failed(reason)) => return Err(JobError::Refused(reason)),
			Err(SubmitError::Chain(error)) => return Err(error.into()),
		}
	};
	// The claim is gone with the result in a block: the follower may claim again in its place.
	session.delivering.lock().expect("not poisoned").remove(&job_id);
	session.delivered.lock().expect("not poisoned").insert(job_id);
	session.claim_returned.notify_one();
	use studio::job_escrow::events::{FinalistsDelivered, ResultDelivered, ResultQuarantined, ResultRejected};
	let (events, block) = (&included.events, included.block);
	if events.has::<ResultDelivered>() {
		session.metrics.jobs_delivered.inc();
		tracing::info!(job = job_id, %cid, %block, "delivered");
	} else if let Some(finalists) = events.find_first::<FinalistsDelivered>() {
		session.metrics.jobs_delivered.inc();
		let ends_at = finalists.map_err(subxt::Error::from)?.ends_at;
		tracing::info!(job = job_id, best = %cid, %block, curation_ends_at = ends_at, "finalists delivered; token holders pick one");
	} else if let Some(quarantined) = events.find_first::<ResultQuarantined>() {
		session.metrics.jobs_quarantined.inc();
		let incident = quarantined.map_err(subxt::Error::from)?.incident;
		tracing::warn!(job = job_id, %cid, incident, "the circuit breaker quarantined the result; waiting for reviewers");
	} else if events.has::<ResultRejected>() {
		session.metrics.jobs_rejected.inc();
		tracing::warn!(job = job_id, %cid, "the chain rejected the result");
	}
	match included.finalized().await {
		Ok(()) => {
			tracing::debug!(job = job_id, %cid, "the result is final");
			Ok(())
		},
		Err(SubmitError::Failed(reason)) => Err(JobError::Refused(format!("in the finalized chain: {reason}"))),
		Err(SubmitError::Chain(error)) => Err(error.into()),
	}
}
