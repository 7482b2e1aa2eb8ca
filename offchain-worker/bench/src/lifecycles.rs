//! Scenarios (b) and (c): whole job lifecycles across many clients and workers, without and
//! with random audits. Each block's events drive the next step of every job in it —
//! `JobSubmitted` → a free worker's `claim_job`, `JobClaimed` → its `submit_result` (a made-up
//! result: no inference), `ResultDelivered` → the client's `accept_result`, `JobSettled` → the
//! client's next `submit_job` — so every client keeps its jobs under way and the blocks stay as
//! full as the chain allows.
//!
//! With audits on, a delivered result's audit is drawn in the next block: the client accepts
//! only a result that block did not draw. A drawn result's verifiers (other workers of the
//! generator's) each `commit_finding` to an honest finding (the result's own scores, reproduced
//! exactly), and `reveal_finding` once all have committed; the last reveal's verdict pays the
//! worker (`JobSettled`). The salts are not secret: the load generator is every party.
//!
//! A step's transaction is signed when the block that makes it possible arrives (its job id
//! is not known before).

use crate::{
	setup::{self, Signed, Studio, Transactions},
	tally::BlockRecord,
	watch::{Events, Watcher},
};
use anyhow::{bail, Result};
use futures::StreamExt;
use std::{
	collections::{BTreeMap, BTreeSet, VecDeque},
	time::{Duration, Instant},
};
use studio_chain::{
	account_of,
	studio::{
		self,
		job_escrow::events::{
			ClaimExpired, FindingCommitted, JobClaimed, JobReopened, JobSettled, JobSubmitted, ResultDelivered,
			ResultVerified, VerifiersDrawn,
		},
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_job_escrow::types::{Finding, ImageFormat, JobSpec, OnRejection, OutputSpec, VerificationOutcome},
			sp_arithmetic::per_things::Permill,
		},
	},
	explain, finding_commitment,
	unixfs::file_cid,
	AtBlock, Client, JobKind, Prompt, ResultReport,
};
use subxt::{error::DispatchError, tx::Payload, utils::AccountId32};
use subxt_signer::sr25519::Keypair;

/// Transactions in flight to the node's RPC at once.
const SUBMITTING_AT_ONCE: usize = 64;
/// Blocks a job stays open: far more than a lifecycle takes.
const DEADLINE_IN: u32 = 500;
/// Blocks without any lifecycle moving after which the run gives up (longer than a
/// verification's commit period, when a drawn verifier is not the generator's).
const STALLED_AFTER_BLOCKS: u32 = 40;
/// Blocks without a settlement after which a run stops waiting for its last jobs: those left
/// lost their claims to expiry and are reported, not waited for.
const DRAIN_GRACE_BLOCKS: u32 = 10;
/// The style deviation every made-up result reports (and its verifiers find).
const REPORTED_DEVIATION: u32 = 50_000;
/// The quality every made-up result reports (and its verifiers find).
const REPORTED_QUALITY: u32 = 900_000;

/// An account and the nonce of its next transaction.
struct Party {
	key: Keypair,
	nonce: u64,
}

/// What a lifecycle run saw.
pub struct Outcome {
	/// The blocks it read.
	pub blocks: Vec<BlockRecord>,
	/// Lifecycles that settled (in the measured blocks, and while the run drove its last jobs to
	/// settlement after them).
	pub settled: u64,
	/// Lifecycles that settled in the blocks the rates count.
	pub settled_in_interval: u64,
	/// Results whose verification ended, and how many of them stood.
	pub verified: u64,
	/// Verified results that stood (every finding here is honest: all should).
	pub stood: u64,
	/// Claims that expired before their result was included (the worker slashed, the job
	/// re-opened and claimed again).
	pub expired: u64,
}

/// A result under audit: its verifiers among the generator's workers, how many of them have
/// committed, and whether others were drawn too (their commitments never come).
struct Audit {
	ours: Vec<usize>,
	committed: usize,
	others: usize,
	commit_until: u32,
	revealing: bool,
}

/// The driver's state: who is free, which job is whose.
struct Driver<'a> {
	studio: &'a Studio,
	clients: Vec<Party>,
	workers: Vec<Party>,
	client_of: BTreeMap<AccountId32, usize>,
	worker_of: BTreeMap<AccountId32, usize>,
	/// Workers without a job.
	free_workers: VecDeque<usize>,
	/// Submitted jobs no worker has taken yet.
	unclaimed: VecDeque<u64>,
	/// The client of each live job.
	client_of_job: BTreeMap<u64, usize>,
	/// Jobs submitted so far (each gets its own seed).
	submitted: u64,
	/// Whether results may be audited (their clients then wait for the draw).
	audits_on: bool,
	/// Results delivered in the last block, whose audit the next block draws, with their clients.
	awaiting_draw: Vec<(u64, usize)>,
	/// Results under audit.
	audits: BTreeMap<u64, Audit>,
	/// Verifications ended, and those whose result stood.
	verified: u64,
	stood: u64,
	/// Claims that expired undelivered.
	expired: u64,
}

/// A step's call, to be signed by one party.
enum Step {
	Submit(usize),
	Claim(usize, u64),
	Deliver(usize, u64),
	Accept(usize, u64),
	Commit(usize, u64),
	Reveal(usize, u64),
}

/// The finding every verifier reports on a made-up result: its own scores, reproduced exactly.
fn honest_finding() -> Finding {
	Finding::Measured {
		style_deviation: Permill(REPORTED_DEVIATION),
		quality: Permill(REPORTED_QUALITY),
		reproduction_centibels: u32::MAX,
	}
}

/// A verifier's salt for a job: distinct per job and verifier (and not secret, see above).
fn salt(job: u64, worker: usize) -> [u8; 32] {
	let mut salt = [0u8; 32];
	salt[..8].copy_from_slice(&job.to_le_bytes());
	salt[8..16].copy_from_slice(&(worker as u64).to_le_bytes());
	salt
}

impl Driver<'_> {
	fn spec(&mut self, now: u32) -> JobSpec<u32> {
		self.submitted += 1;
		JobSpec {
			kind: JobKind::Generate,
			model: self.studio.model,
			style: self.studio.style,
			prompt: Prompt::Text(BoundedVec(b"an eye under load".to_vec())),
			parents: BoundedVec(Vec::new()),
			seed: self.submitted,
			output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
			candidates: 1,
			deadline: now + DEADLINE_IN,
			on_rejection: OnRejection::Refund,
			curation: None,
		}
	}

	fn report(&self, job: u64) -> ResultReport {
		ResultReport {
			output: BoundedVec(file_cid(format!("studio-bench result of job {job}").as_bytes()).to_bytes()),
			style_deviation: Permill(REPORTED_DEVIATION),
			quality: Permill(REPORTED_QUALITY),
			weights_hash: self.studio.weights_hash,
			settings: BoundedVec(b"studio-bench: no inference".to_vec()),
			candidates_tried: 1,
		}
	}

	/// The next steps the events of block `now` make possible.
	fn steps(&mut self, events: &Events, now: u32, stopping: bool) -> Result<(Vec<Step>, u64)> {
		let mut steps = Vec::new();
		let mut settled = 0;
		for submitted in events.find::<JobSubmitted>() {
			let submitted = submitted?;
			if let Some(&client) = self.client_of.get(&submitted.client) {
				self.client_of_job.insert(submitted.job, client);
				self.unclaimed.push_back(submitted.job);
			}
		}
		for claimed in events.find::<JobClaimed>() {
			let claimed = claimed?;
			if let Some(&worker) = self.worker_of.get(&claimed.worker) {
				steps.push(Step::Deliver(worker, claimed.job));
			}
		}
		// A claim whose result came too late expired: the worker's slot is free again, and the
		// re-opened job goes back to be claimed.
		for expired in events.find::<ClaimExpired>() {
			let expired = expired?;
			if let Some(&worker) = self.worker_of.get(&expired.worker) {
				self.free_workers.push_back(worker);
				self.expired += 1;
			}
		}
		for reopened in events.find::<JobReopened>() {
			let reopened = reopened?;
			if self.client_of_job.contains_key(&reopened.job) {
				self.unclaimed.push_back(reopened.job);
			}
		}
		// This block drew the audits of the last block's results: the others may be accepted.
		let mut drawn = BTreeSet::new();
		for draw in events.find::<VerifiersDrawn>() {
			let draw = draw?;
			drawn.insert(draw.job);
			let ours: Vec<usize> = draw.verifiers.iter().filter_map(|verifier| self.worker_of.get(verifier).copied()).collect();
			steps.extend(ours.iter().map(|&worker| Step::Commit(worker, draw.job)));
			let others = draw.verifiers.len() - ours.len();
			self.audits.insert(draw.job, Audit { ours, committed: 0, others, commit_until: draw.commit_until, revealing: false });
		}
		for (job, client) in std::mem::take(&mut self.awaiting_draw) {
			if !drawn.contains(&job) {
				steps.push(Step::Accept(client, job));
			}
		}
		for delivered in events.find::<ResultDelivered>() {
			let delivered = delivered?;
			if let Some(&worker) = self.worker_of.get(&delivered.worker) {
				self.free_workers.push_back(worker);
			}
			if let Some(&client) = self.client_of_job.get(&delivered.job) {
				if self.audits_on {
					self.awaiting_draw.push((delivered.job, client));
				} else {
					steps.push(Step::Accept(client, delivered.job));
				}
			}
		}
		for committed in events.find::<FindingCommitted>() {
			if let Some(audit) = self.audits.get_mut(&committed?.job) {
				audit.committed += 1;
			}
		}
		// Reveals open once every verifier committed, or once the commit period is over.
		for (&job, audit) in &mut self.audits {
			let open = audit.others == 0 || now >= audit.commit_until;
			if !audit.revealing && audit.committed == audit.ours.len() && open {
				audit.revealing = true;
				steps.extend(audit.ours.iter().map(|&worker| Step::Reveal(worker, job)));
			}
		}
		for verified in events.find::<ResultVerified>() {
			let verified = verified?;
			self.audits.remove(&verified.job);
			self.verified += 1;
			self.stood += u64::from(matches!(verified.outcome, VerificationOutcome::Stands));
		}
		for job_settled in events.find::<JobSettled>() {
			let job_settled = job_settled?;
			let Some(client) = self.client_of_job.remove(&job_settled.job) else { continue };
			settled += 1;
			if !stopping {
				steps.push(Step::Submit(client));
			}
		}
		while let (Some(_), Some(_)) = (self.unclaimed.front(), self.free_workers.front()) {
			let (job, worker) = (self.unclaimed.pop_front().unwrap(), self.free_workers.pop_front().unwrap());
			steps.push(Step::Claim(worker, job));
		}
		Ok((steps, settled))
	}
}

/// Why the extrinsics of a block failed, in words, each reason with its count.
fn failures(events: &Events, at: &AtBlock) -> BTreeMap<String, u64> {
	let mut reasons = BTreeMap::new();
	for event in events.iter().flatten() {
		if (event.pallet_name(), event.event_name()) != ("System", "ExtrinsicFailed") {
			continue
		}
		let reason = DispatchError::decode_from(event.field_bytes(), at.metadata())
			.map_or_else(|error| error.to_string(), |error| explain(&error));
		*reasons.entry(reason).or_insert(0) += 1;
	}
	reasons
}

/// Signs `call` as `party` with its next nonce.
fn sign(transactions: &Transactions, party: &mut Party, call: &impl Payload) -> Result<Signed> {
	let signed = setup::sign(transactions, call, &party.key, party.nonce)?;
	party.nonce += 1;
	Ok(signed)
}

/// How much load a lifecycle run puts on.
pub struct Load {
	/// Jobs each client keeps under way (each settled job's client submits the next).
	pub jobs_per_client: usize,
	/// Claims each worker holds at once.
	pub claims_per_worker: usize,
	/// The run stops once this many lifecycles settled …
	pub target: u64,
	/// … or after this long.
	pub deadline: Duration,
	/// Whether the studio audits results (set on chain before the run).
	pub audits_on: bool,
}

/// Runs lifecycles as `load` says.
pub async fn run(
	client: &Client,
	studio: &Studio,
	(clients, workers): (&[Keypair], &[Keypair]),
	load: Load,
) -> Result<Outcome> {
	let Load { jobs_per_client, claims_per_worker, target, deadline, audits_on } = load;
	let transactions = client.tx().await?;
	let mut parties = Vec::new();
	for keys in [clients, workers] {
		let mut group = Vec::with_capacity(keys.len());
		for key in keys {
			group.push(Party { key: key.clone(), nonce: transactions.account_nonce(&account_of(key)).await? });
		}
		parties.push(group);
	}
	let workers_group = parties.pop().expect("two groups");
	let clients_group = parties.pop().expect("two groups");
	let mut driver = Driver {
		studio,
		client_of: clients.iter().enumerate().map(|(index, key)| (account_of(key), index)).collect(),
		worker_of: workers.iter().enumerate().map(|(index, key)| (account_of(key), index)).collect(),
		// A slot per claim a worker's bond allows.
		free_workers: (0..claims_per_worker).flat_map(|_| 0..workers.len()).collect(),
		unclaimed: VecDeque::new(),
		client_of_job: BTreeMap::new(),
		submitted: 0,
		audits_on,
		awaiting_draw: Vec::new(),
		audits: BTreeMap::new(),
		verified: 0,
		stood: 0,
		expired: 0,
		clients: clients_group,
		workers: workers_group,
	};

	let mut watcher = Watcher::start(client).await?;
	let mut steps: Vec<Step> = (0..jobs_per_client).flat_map(|_| (0..clients.len()).map(Step::Submit)).collect();
	let mut now = client.at_current_block().await?.block_number() as u32;
	let (started, mut settled, mut settled_in_interval) = (Instant::now(), 0u64, 0u64);
	let (mut idle_blocks, mut draining) = (0, false);
	let mut blocks: Vec<BlockRecord> = Vec::new();
	loop {
		let mut signed = Vec::with_capacity(steps.len());
		for step in steps.drain(..) {
			let transaction = match step {
				Step::Submit(index) => {
					let call = studio::tx().job_escrow().submit_job(driver.spec(now), driver.studio.bounty);
					sign(&transactions, &mut driver.clients[index], &call)?
				},
				Step::Claim(index, job) =>
					sign(&transactions, &mut driver.workers[index], &studio::tx().job_escrow().claim_job(job))?,
				Step::Deliver(index, job) => {
					let call = studio::tx().job_escrow().submit_result(job, driver.report(job));
					sign(&transactions, &mut driver.workers[index], &call)?
				},
				Step::Accept(index, job) =>
					sign(&transactions, &mut driver.clients[index], &studio::tx().job_escrow().accept_result(job))?,
				Step::Commit(index, job) => {
					let verifier = account_of(&driver.workers[index].key);
					let commitment = finding_commitment(job, &verifier, &honest_finding(), &salt(job, index));
					let call = studio::tx().job_escrow().commit_finding(job, commitment);
					sign(&transactions, &mut driver.workers[index], &call)?
				},
				Step::Reveal(index, job) => {
					let call = studio::tx().job_escrow().reveal_finding(job, honest_finding(), salt(job, index));
					sign(&transactions, &mut driver.workers[index], &call)?
				},
			};
			signed.push(transaction);
		}
		let refused: Vec<_> = futures::stream::iter(signed)
			.map(|transaction| async move { transaction.submit().await })
			.buffer_unordered(SUBMITTING_AT_ONCE)
			.filter_map(|result| async move { result.err() })
			.collect()
			.await;
		if let Some(error) = refused.first() {
			bail!("the pool refused {} lifecycle transactions, the first: {error}", refused.len());
		}

		let (record, events, at) = watcher.next().await?;
		now = record.number as u32;
		let failed: u64 = record.included.values().map(|included| included.failed).sum();
		if failed > 0 {
			tracing::warn!(block = record.number, failed, errors = ?failures(&events, &at), "lifecycle extrinsics failed");
		}
		// Once the target or the deadline is reached no job is submitted any more, and the jobs
		// under way are driven to settlement outside the measured blocks: every transaction the
		// run sent is then in a block, and no claim is left to expire (a next run starts clean).
		let stopping = draining || settled >= target || started.elapsed() >= deadline;
		let (next, settled_now) = driver.steps(&events, now, stopping)?;
		settled += settled_now;
		if !draining {
			if blocks.iter().any(|block| block.signed() > 0) {
				settled_in_interval += settled_now;
			}
			tracing::info!(
				block = record.number,
				extrinsics = record.signed(),
				fullness = format!("{:.0} %", record.fullness * 100.0),
				settled,
				"included"
			);
			blocks.push(record);
		}
		draining = stopping;
		if draining && settled == driver.submitted {
			break
		}
		idle_blocks = if next.is_empty() && settled_now == 0 { idle_blocks + 1 } else { 0 };
		if draining && idle_blocks > DRAIN_GRACE_BLOCKS {
			tracing::warn!(unsettled = driver.submitted - settled, expired = driver.expired, "jobs left under way after their claims expired");
			break
		}
		// Transactions sent take a block or two to show; a run where nothing moves for longer
		// has lost its lifecycles to failures.
		if idle_blocks > STALLED_AFTER_BLOCKS {
			bail!("no lifecycle moved in {STALLED_AFTER_BLOCKS} blocks: their transactions failed (see the warnings)");
		}
		steps = next;
	}
	Ok(Outcome { blocks, settled, settled_in_interval, verified: driver.verified, stood: driver.stood, expired: driver.expired })
}
