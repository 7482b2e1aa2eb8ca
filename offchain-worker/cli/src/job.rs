//! `studio job`: submit a design job and follow it to its end; inspect, cancel and accept jobs.

use crate::{
	cid_text, fetch, parse_amount, parse_cid_arg,
	restyle::{self, Restyle, RestyleArgs},
	transact, units, CidArg, Cli,
};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pallet_studio_governance::StudioParameter as Parameter;
use std::{path::PathBuf, time::Duration};
use studio_chain::{studio, Client, Job, JobStatus};
use subxt::utils::AccountId32;

#[derive(Subcommand)]
pub enum JobCommand {
	/// Submit a job, then follow it through claimed, delivered and settled (or say why not)
	/// and save the image.
	Submit {
		/// What to design.
		#[arg(long)]
		prompt: String,
		/// The style (its id in the registry).
		#[arg(long)]
		style: u32,
		/// The generator model (its id in the registry).
		#[arg(long, default_value_t = 0)]
		model: u32,
		/// The bounty, in STU (decimals allowed).
		#[arg(long, value_parser = parse_amount)]
		bounty: u128,
		/// Candidates the worker generates at least.
		#[arg(long, default_value_t = 8)]
		candidates: u32,
		/// The seed of every random draw (default: a fresh random one, printed on stderr).
		#[arg(long)]
		seed: Option<u64>,
		/// Blocks until the job's deadline.
		#[arg(long, default_value_t = 200)]
		deadline_in: u32,
		/// A recorded asset the design derives from (repeatable).
		#[arg(long = "parent", value_parser = parse_cid_arg)]
		parents: Vec<CidArg>,
		/// Refund the bounty when a result is refused, instead of re-opening the job.
		#[arg(long)]
		refund_on_rejection: bool,
		/// Let token holders pick the design among this many finalists (2 to 8, at most the
		/// candidates); the studio's curation reward is paid on top of the bounty.
		#[arg(long, value_name = "FINALISTS")]
		curate: Option<u32>,
		/// Blocks token holders stake on the finalists (with `--curate`).
		#[arg(long, default_value_t = 20, requires = "curate")]
		curation_period: u32,
		/// Print the job's id and return without following it.
		#[arg(long)]
		no_wait: bool,
		/// The gateway to fetch the image from.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		gateway: String,
		/// Where to save the image (default `<cid>.png`).
		#[arg(short, long)]
		output: Option<PathBuf>,
		/// Give up following after this many seconds.
		#[arg(long, default_value_t = 600)]
		timeout: u64,
	},
	/// Restyle one of your images in a DAO style (a style with a basis blend): checks it,
	/// registers it as your asset, uploads it, submits a stylize job, follows it and saves the
	/// result, verified against its CID.
	Stylize {
		#[command(flatten)]
		args: RestyleArgs,
		/// The style, by name or id (`studio style list`).
		#[arg(long)]
		style: String,
		/// The most of the style the result may take, in (0, 1]: the rest is your image.
		#[arg(long, default_value_t = 0.8)]
		strength: f64,
	},
	/// Turn one of your photos or sketches into line art, as `stylize` does.
	Lineart {
		#[command(flatten)]
		args: RestyleArgs,
		/// The style the lines keep to, by name or id.
		#[arg(long, default_value = "clean line")]
		style: String,
	},
	/// Show a job.
	Show { job: u64 },
	/// List jobs.
	List,
	/// Take back an open job (the whole bounty is released).
	Cancel { job: u64 },
	/// Accept a delivered result before the challenge window ends (pays the worker).
	Accept { job: u64 },
	/// Challenge a delivered result within its challenge window: the studio's challenge
	/// deposit is held, and workers drawn at random re-check the result. The deposit comes back
	/// with a reward if the result falls, and is lost if it stands.
	Challenge { job: u64 },
}

async fn job(client: &Client, id: u64) -> Result<Job> {
	let at = client.at_current_block().await?;
	Ok(at
		.storage()
		.try_fetch(studio::storage().job_escrow().jobs(), (id,))
		.await?
		.with_context(|| format!("there is no job {id}"))?
		.decode()?)
}

/// A job's status in words.
fn describe(status: &JobStatus<AccountId32, u32>) -> String {
	match status {
		JobStatus::Open => "open: waiting for a worker".into(),
		JobStatus::Claimed { worker, expires_at } => format!("claimed by {worker} until block {expires_at}"),
		JobStatus::Curating { worker, ends_at } =>
			format!("curating: {worker}'s finalists take stakes until block {ends_at} (`studio curate list`)"),
		JobStatus::Delivered { worker, output, settles_at } =>
			format!("delivered by {worker}: {} (settles at block {settles_at})", cid_text(&output.0)),
		JobStatus::Quarantined { worker, output, incident } =>
			format!("quarantined: {worker}'s {} tripped the circuit breaker (incident {incident}); reviewers decide", cid_text(&output.0)),
		JobStatus::Settled { worker, output, .. } => format!("settled: {worker} was paid for {}", cid_text(&output.0)),
		JobStatus::Cancelled => "cancelled by its client".into(),
		JobStatus::Refunded => "refunded: nobody delivered an accepted result before the deadline".into(),
	}
}

/// Shows a job's way through submitted → claimed → delivered → settled: a progress bar on a
/// terminal, one line per change otherwise (logs, pipes).
struct Progress {
	bar: ProgressBar,
	last: std::cell::RefCell<String>,
}

impl Progress {
	fn new(job: u64, bounty: u128) -> Self {
		let bar = ProgressBar::with_draw_target(Some(3), ProgressDrawTarget::stderr());
		bar.set_style(
			ProgressStyle::with_template("{spinner} job {prefix} [{bar:12}] {pos}/{len} {wide_msg}")
				.expect("a valid template")
				.progress_chars("=> "),
		);
		bar.set_prefix(job.to_string());
		bar.enable_steady_tick(Duration::from_millis(120));
		let progress = Self { bar, last: Default::default() };
		progress.note(&format!("submitted job {job} ({} bounty held)", units(bounty)));
		progress
	}

	/// Shows `status` when it changed.
	fn show(&self, status: &JobStatus<AccountId32, u32>) {
		let text = describe(status);
		if *self.last.borrow() == text {
			return
		}
		let stage = match status {
			JobStatus::Open => 0,
			JobStatus::Claimed { .. } | JobStatus::Curating { .. } => 1,
			JobStatus::Delivered { .. } | JobStatus::Quarantined { .. } => 2,
			JobStatus::Settled { .. } | JobStatus::Cancelled | JobStatus::Refunded => 3,
		};
		self.bar.set_position(stage);
		self.bar.set_message(text.clone());
		if self.bar.is_hidden() {
			eprintln!("job {}: {text}", self.bar.prefix());
		}
		*self.last.borrow_mut() = text;
	}

	/// A line above the bar (or on its own when there is no bar).
	fn note(&self, line: &str) {
		if self.bar.is_hidden() {
			eprintln!("{line}");
		} else {
			self.bar.println(line);
		}
	}

	fn finish(&self) {
		self.bar.finish_and_clear();
	}
}

pub async fn run(cli: &Cli, command: &JobCommand) -> Result<()> {
	use studio::runtime_types::{
		bounded_collections::bounded_vec::BoundedVec,
		pallet_job_escrow::types::{CurationAsk, ImageFormat, JobKind, JobSpec, OnRejection, OutputSpec, Prompt},
	};
	let client = cli.client().await?;
	let escrow = studio::tx().job_escrow();
	match command {
		JobCommand::Submit {
			prompt,
			style,
			model,
			bounty,
			candidates,
			seed,
			deadline_in,
			parents,
			refund_on_rejection,
			curate,
			curation_period,
			no_wait,
			gateway,
			output,
			timeout,
		} => {
			let seed = seed.unwrap_or_else(|| {
				let seed: u64 = rand::random();
				eprintln!("seed {seed} (random; pass --seed to repeat)");
				seed
			});
			let at = client.at_current_block().await?;
			check_prompt(&at, prompt, parents.len(), *candidates).await?;
			let curation_reward = match curate {
				Some(_) => crate::gov::parameter_value(&at, Parameter::CurationReward).await? * bounty / 1_000_000,
				None => 0,
			};
			check_funds(cli, &at, *bounty, curation_reward).await?;
			let now = at.block_number() as u32;
			let spec = JobSpec {
				kind: JobKind::Generate,
				model: *model,
				style: *style,
				prompt: Prompt::Text(BoundedVec(prompt.as_bytes().to_vec())),
				parents: BoundedVec(parents.iter().map(|parent| BoundedVec(parent.0.clone())).collect()),
				seed,
				output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
				candidates: *candidates,
				deadline: now + deadline_in,
				on_rejection: if *refund_on_rejection { OnRejection::Refund } else { OnRejection::Reopen },
				curation: curate.map(|finalists| CurationAsk { finalists, period: *curation_period }),
			};
			let events = transact(cli, &client, &escrow.submit_job(spec, *bounty)).await?;
			let submitted = events
				.find_first::<studio::job_escrow::events::JobSubmitted>()
				.context("no JobSubmitted event")??;
			let id = submitted.job;
			follow(cli, &client, id, *bounty, *no_wait, gateway, output.clone(), *timeout).await
		},
		JobCommand::Stylize { args, style, strength } =>
			restyle::run(cli, args, Restyle::Stylize { style, strength: *strength }).await,
		JobCommand::Lineart { args, style } => restyle::run(cli, args, Restyle::LineArt { style }).await,
		JobCommand::Show { job: id } => {
			let at = client.at_current_block().await?;
			let value = at
				.storage()
				.try_fetch(studio::storage().job_escrow().jobs(), (*id,))
				.await?
				.with_context(|| format!("there is no job {id}"))?;
			if !cli.json {
				let job: Job = value.decode()?;
				println!("job {id}: {}", describe(&job.status));
			}
			cli.print_record(&at, &format!("job {id}"), &value)?;
			show_verification(cli, &at, *id).await
		},
		JobCommand::List => {
			let at = client.at_current_block().await?;
			let listed: Vec<(u64, Job)> = sorted_entries!(at, studio::storage().job_escrow().jobs());
			if cli.json {
				let rows: Vec<_> = listed
					.iter()
					.map(|(id, job)| serde_json::json!({ "job": id, "client": job.client.to_string(), "bounty": job.bounty, "status": describe(&job.status) }))
					.collect();
				println!("{}", serde_json::to_string_pretty(&rows)?);
			} else {
				for (id, job) in listed {
					println!("{id}\t{}\t{}", units(job.bounty), describe(&job.status));
				}
			}
			Ok(())
		},
		JobCommand::Cancel { job } => {
			transact(cli, &client, &escrow.cancel_job(*job)).await?;
			println!("cancelled job {job}; its bounty is released");
			Ok(())
		},
		JobCommand::Accept { job } => {
			transact(cli, &client, &escrow.accept_result(*job)).await?;
			println!("accepted job {job}; the worker is paid");
			Ok(())
		},
		JobCommand::Challenge { job } => {
			let events = transact(cli, &client, &escrow.challenge(*job)).await?;
			let challenged = events
				.find_first::<studio::job_escrow::events::ResultChallenged>()
				.context("no ResultChallenged event")??;
			println!(
				"challenged job {job}: {} deposit held; verifiers are drawn in the next block (`studio job show {job}`)",
				units(challenged.deposit)
			);
			Ok(())
		},
	}
}

/// Follows job `id` through claimed, delivered and settled (or says why not) and saves its
/// output, verified against its CID; with `no_wait`, prints the id and returns.
#[allow(clippy::too_many_arguments)]
pub async fn follow(
	cli: &Cli,
	client: &Client,
	id: u64,
	bounty: u128,
	no_wait: bool,
	gateway: &str,
	output: Option<PathBuf>,
	timeout: u64,
) -> Result<()> {
	if no_wait {
		if cli.json {
			println!("{}", serde_json::json!({ "job": id }));
		} else {
			println!("submitted job {id}");
		}
		return Ok(())
	}
	let progress = Progress::new(id, bounty);
	let deadline = std::time::Instant::now() + Duration::from_secs(timeout);
	let mut saved: Option<PathBuf> = None;
	loop {
		let job = job(client, id).await?;
		progress.show(&job.status);
		let delivered = match &job.status {
			JobStatus::Delivered { output, .. } | JobStatus::Settled { output, .. } => Some(output.0.clone()),
			_ => None,
		};
		if let (Some(cid), None) = (&delivered, &saved) {
			let path = output.clone().unwrap_or_else(|| PathBuf::from(format!("{}.png", cid_text(cid))));
			std::fs::write(&path, fetch(gateway, cid)?).with_context(|| format!("cannot write {}", path.display()))?;
			progress.note(&format!("saved {} (verified against its CID)", path.display()));
			saved = Some(path);
		}
		match &job.status {
			JobStatus::Settled { output, .. } => {
				progress.finish();
				let path = saved.expect("saved when delivered");
				if cli.json {
					println!("{}", serde_json::json!({ "job": id, "cid": cid_text(&output.0), "path": path }));
				} else {
					println!("{}\t{}", cid_text(&output.0), path.display());
				}
				return Ok(())
			},
			JobStatus::Cancelled | JobStatus::Refunded => {
				progress.finish();
				bail!("job {id} ended without a design: {}", describe(&job.status))
			},
			_ => {},
		}
		if std::time::Instant::now() > deadline {
			progress.finish();
			bail!("gave up following job {id} after {timeout} s: it is {}", describe(&job.status));
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
}

/// Refuses, before anything is signed, a prompt, lineage or candidate count the chain would
/// refuse, naming the limit it read from the chain's constants.
async fn check_prompt(at: &studio_chain::AtBlock, prompt: &str, parents: usize, candidates: u32) -> Result<()> {
	let limits = studio::constants().job_escrow();
	let most = at.constants().entry(limits.max_prompt_length())? as usize;
	if prompt.trim().is_empty() {
		bail!("the prompt is empty: say what to design");
	}
	if prompt.len() > most {
		bail!("the prompt is {} bytes; the chain takes at most {most} (MaxPromptLength)", prompt.len());
	}
	let most = at.constants().entry(limits.max_parents())? as usize;
	if parents > most {
		bail!("{parents} parents; a job names at most {most} (MaxParents)");
	}
	let most = at.constants().entry(limits.max_candidates())?;
	if !(1..=most).contains(&candidates) {
		bail!("--candidates {candidates} is not from 1 to {most} (MaxCandidates)");
	}
	Ok(())
}

/// Refuses, before anything is signed, a bounty below the studio's minimum or more than the
/// signer can pay: "5Grw… has 12.5 STU to spend; this job needs 100 STU + fee".
pub async fn check_funds(cli: &Cli, at: &studio_chain::AtBlock, bounty: u128, curation_reward: u128) -> Result<()> {
	let minimum = crate::gov::parameter_value(at, Parameter::MinBounty).await?;
	if bounty < minimum {
		bail!("the bounty of {} is below the studio's minimum of {} (MinBounty)", units(bounty), units(minimum));
	}
	let me = studio_chain::account_of(&cli.signer()?);
	let account = at.storage().fetch(studio::storage().system().account(), (me.clone(),)).await?.decode()?;
	let existential = at.constants().entry(studio::constants().balances().existential_deposit())?;
	// The escrow takes the bounty keeping the account alive: the free balance less what a
	// freeze keeps beyond the holds, and never the existential deposit.
	let untouchable = account.data.frozen.saturating_sub(account.data.reserved).max(existential);
	let spendable = account.data.free.saturating_sub(untouchable);
	let needed = bounty + curation_reward;
	if needed > spendable {
		let reward = if curation_reward > 0 { format!(" + {} curation reward", units(curation_reward)) } else { String::new() };
		bail!("{} has {} to spend; this job needs {}{reward} + fee", cli.signer_name()?, units(spendable), units(bounty));
	}
	Ok(())
}

/// Prints what a delivered job's worker reported and, while it is verified, its verifiers and
/// their commitments and findings.
async fn show_verification(cli: &Cli, at: &studio_chain::AtBlock, id: u64) -> Result<()> {
	use studio::runtime_types::pallet_job_escrow::types::{Finding, VerificationCause, VerificationOutcome};
	let escrow = studio::storage().job_escrow();
	if let Some(delivery) = at.storage().try_fetch(escrow.deliveries(), (id,)).await? {
		if !cli.json {
			let delivery = delivery.decode()?;
			println!(
				"reported: style deviation {:.2} %, quality {:.2} %, delivered in block {}",
				delivery.style_deviation.0 as f64 / 1e4,
				delivery.quality.0 as f64 / 1e4,
				delivery.delivered_at
			);
		}
	}
	let Some(verification) = at.storage().try_fetch(escrow.verifications(), (id,)).await? else {
		let Some(verdict) = at.storage().try_fetch(escrow.verdicts(), (id,)).await? else {
			if !cli.json {
				println!("verification: none");
			}
			return Ok(())
		};
		if !cli.json {
			let verdict = verdict.decode()?;
			let cause = match verdict.cause {
				VerificationCause::Audit => "audited",
				VerificationCause::Challenge => "challenged",
			};
			let outcome = match verdict.outcome {
				VerificationOutcome::Stands => "the result stands",
				VerificationOutcome::Falls => "the result fell",
				VerificationOutcome::NoVerifiers => "no other worker could verify it",
				VerificationOutcome::Cancelled => "cancelled (its worker was retired)",
			};
			println!("verification: {cause}; {outcome} ({} of {} revealed findings confirmed it)", verdict.confirming, verdict.revealed);
		}
		return cli.print_record(at, &format!("verdict on job {id}"), &verdict)
	};
	if !cli.json {
		let verification = verification.decode()?;
		let cause = match (&verification.cause, &verification.challenger) {
			(_, Some((challenger, deposit))) => format!("challenged by {challenger} ({} deposit)", units(*deposit)),
			(VerificationCause::Audit, None) => "audited".into(),
			(VerificationCause::Challenge, None) => "challenged".into(),
		};
		if verification.verifiers.0.is_empty() {
			println!("verification: {cause}; verifiers are drawn in the next block");
		} else {
			println!(
				"verification: {cause}; commits until block {}, reveals until block {} (the verdict)",
				verification.commit_until, verification.reveal_until
			);
		}
		for vote in &verification.verifiers.0 {
			let state = match (&vote.commitment, &vote.finding) {
				(None, _) => "not committed".to_string(),
				(Some(_), None) => "committed".to_string(),
				(Some(_), Some(Finding::Unavailable)) => "revealed: the output is unavailable".to_string(),
				(Some(_), Some(Finding::Measured { style_deviation, quality, reproduction_centibels })) => format!(
					"revealed: deviation {:.2} %, quality {:.2} %, re-generation {}",
					style_deviation.0 as f64 / 1e4,
					quality.0 as f64 / 1e4,
					match *reproduction_centibels {
						u32::MAX => "identical".to_string(),
						0 => "not reproduced".to_string(),
						centibels => format!("{:.1} dB PSNR", centibels as f64 / 100.0),
					}
				),
			};
			println!("  verifier {}: {state}", vote.verifier);
		}
	}
	cli.print_record(at, &format!("verification of job {id}"), &verification)
}
