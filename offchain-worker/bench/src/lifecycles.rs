//! Scenario (b): whole job lifecycles across many clients and workers. Each block's events
//! drive the next step of every job in it — `JobSubmitted` → a free worker's `claim_job`,
//! `JobClaimed` → its `submit_result` (a made-up result: no inference), `ResultDelivered` →
//! the client's `accept_result`, `JobSettled` → the client's next `submit_job` — so every
//! client keeps its jobs under way and the blocks stay as full as the chain allows.
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
	collections::{BTreeMap, VecDeque},
	time::{Duration, Instant},
};
use studio_chain::{
	account_of,
	studio::{
		self,
		job_escrow::events::{JobClaimed, JobSettled, JobSubmitted, ResultDelivered},
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_job_escrow::types::{ImageFormat, JobSpec, OnRejection, OutputSpec},
			sp_arithmetic::per_things::Permill,
		},
	},
	unixfs::file_cid,
	Client, JobKind, Prompt, ResultReport,
};
use subxt::{tx::Payload, utils::AccountId32};
use subxt_signer::sr25519::Keypair;

/// Transactions in flight to the node's RPC at once.
const SUBMITTING_AT_ONCE: usize = 64;
/// Blocks a job stays open: far more than a lifecycle takes.
const DEADLINE_IN: u32 = 500;
/// Blocks without any lifecycle moving after which the run gives up.
const STALLED_AFTER_BLOCKS: u32 = 20;

/// An account and the nonce of its next transaction.
struct Party {
	key: Keypair,
	nonce: u64,
}

/// What a lifecycle run saw.
pub struct Outcome {
	/// The blocks it read.
	pub blocks: Vec<BlockRecord>,
	/// Lifecycles that settled.
	pub settled: u64,
	/// Lifecycles that settled in the blocks the rates count.
	pub settled_in_interval: u64,
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
}

/// A step's call, to be signed by one party.
enum Step {
	Submit(usize),
	Claim(usize, u64),
	Deliver(usize, u64),
	Accept(usize, u64),
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
			style_deviation: Permill(50_000),
			quality: Permill(900_000),
			weights_hash: self.studio.weights_hash,
			settings: BoundedVec(b"studio-bench: no inference".to_vec()),
			candidates_tried: 1,
		}
	}

	/// The next steps `events` make possible.
	fn steps(&mut self, events: &Events, stopping: bool) -> Result<(Vec<Step>, u64)> {
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
		for delivered in events.find::<ResultDelivered>() {
			let delivered = delivered?;
			if let Some(&worker) = self.worker_of.get(&delivered.worker) {
				self.free_workers.push_back(worker);
			}
			if let Some(&client) = self.client_of_job.get(&delivered.job) {
				steps.push(Step::Accept(client, delivered.job));
			}
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
}

/// Runs lifecycles as `load` says.
pub async fn run(
	client: &Client,
	studio: &Studio,
	(clients, workers): (&[Keypair], &[Keypair]),
	load: Load,
) -> Result<Outcome> {
	let Load { jobs_per_client, claims_per_worker, target, deadline } = load;
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
		clients: clients_group,
		workers: workers_group,
	};

	let mut watcher = Watcher::start(client).await?;
	let mut steps: Vec<Step> = (0..jobs_per_client).flat_map(|_| (0..clients.len()).map(Step::Submit)).collect();
	let mut now = client.at_current_block().await?.block_number() as u32;
	let (started, mut settled, mut settled_in_interval) = (Instant::now(), 0u64, 0u64);
	let mut idle_blocks = 0;
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

		let (record, events, _) = watcher.next().await?;
		now = record.number as u32;
		let failed: u64 = record.included.values().map(|included| included.failed).sum();
		if failed > 0 {
			tracing::warn!(block = record.number, failed, "lifecycle extrinsics failed");
		}
		let stopping = settled >= target || started.elapsed() >= deadline;
		let (next, settled_now) = driver.steps(&events, stopping)?;
		settled += settled_now;
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
		if stopping {
			break
		}
		// Transactions sent take a block or two to show; a run where nothing moves for longer
		// has lost its lifecycles to failures.
		idle_blocks = if next.is_empty() && settled_now == 0 { idle_blocks + 1 } else { 0 };
		if idle_blocks > STALLED_AFTER_BLOCKS {
			bail!("no lifecycle moved in {STALLED_AFTER_BLOCKS} blocks: their transactions failed (see the warnings)");
		}
		steps = next;
	}
	Ok(Outcome { blocks, settled, settled_in_interval })
}
