//! `studio`: the studio's command line for clients, workers and reviewers. It talks to a node
//! over its RPC (`--url`) and signs with `--suri` or `--key-file`; text for people, `--json`
//! for scripts. Every failure names its cause and exits non-zero.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::{path::PathBuf, time::Duration};
use studio_worker::{
	chain::{self, studio, Client, Job, JobStatus, SubmitError},
	store::{cid_of, parse_cid},
};
use subxt::{ext::scale_value, utils::AccountId32};
use subxt_signer::sr25519::Keypair;

/// Planck per UNIT of the studio's token (12 decimals).
const UNIT: u128 = 1_000_000_000_000;

#[derive(Parser)]
#[command(name = "studio", version, about = "Studio Chain's command line")]
struct Cli {
	/// The node's WebSocket RPC address.
	#[arg(long, global = true, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// The signing account's secret URI (a mnemonic or 0x seed, with optional //derivations).
	#[arg(long, global = true)]
	suri: Option<String>,
	/// A file holding the signing account's secret URI.
	#[arg(long, global = true)]
	key_file: Option<PathBuf>,
	/// Allow the public development keys (`//Alice` …): dev chains only.
	#[arg(long, global = true)]
	dev: bool,
	/// Print JSON instead of text.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Design jobs: submit, follow, inspect, cancel, accept.
	Job {
		#[command(subcommand)]
		command: JobCommand,
	},
	/// Provenance records and the assets themselves.
	Asset {
		#[command(subcommand)]
		command: AssetCommand,
	},
	/// Workers: register, inspect.
	Worker {
		#[command(subcommand)]
		command: WorkerCommand,
	},
	/// Reviewers: incidents of the circuit breaker, and their decisions.
	Review {
		#[command(subcommand)]
		command: ReviewCommand,
	},
	/// Governance: the studio's parameters.
	Gov {
		#[command(subcommand)]
		command: GovCommand,
	},
}

#[derive(Subcommand)]
enum ReviewCommand {
	/// List the incidents.
	List,
	/// Vote to let the incident's scope run again (the quarantined result is delivered).
	Resume { incident: u32 },
	/// Vote to retire the incident's agent (slashed) or keep its model suspended.
	Retire { incident: u32 },
	/// Halt an agent, a model or the whole studio at once (reviewers only).
	Halt {
		#[command(subcommand)]
		scope: HaltScope,
	},
}

#[derive(Subcommand)]
enum HaltScope {
	/// A worker, by SS58 address.
	Agent { account: AccountId32 },
	/// A model, by registry id.
	Model { model: u32 },
	/// Every agent and model.
	Studio,
}

#[derive(Subcommand)]
enum GovCommand {
	/// The studio's parameters, their values and bounds.
	Params,
}

#[derive(Subcommand)]
enum JobCommand {
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
		/// The bounty, in UNIT (decimals allowed).
		#[arg(long, value_parser = parse_amount)]
		bounty: u128,
		/// Candidates the worker generates at least.
		#[arg(long, default_value_t = 8)]
		candidates: u32,
		/// The seed of every random draw.
		#[arg(long, default_value_t = 42)]
		seed: u64,
		/// Blocks until the job's deadline.
		#[arg(long, default_value_t = 200)]
		deadline_in: u32,
		/// A recorded asset the design derives from (repeatable).
		#[arg(long = "parent", value_parser = parse_cid_arg)]
		parents: Vec<CidArg>,
		/// Refund the bounty when a result is refused, instead of re-opening the job.
		#[arg(long)]
		refund_on_rejection: bool,
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
	/// Show a job.
	Show { job: u64 },
	/// List jobs.
	List,
	/// Take back an open job (the whole bounty is released).
	Cancel { job: u64 },
	/// Accept a delivered result before the challenge window ends (pays the worker).
	Accept { job: u64 },
}

#[derive(Subcommand)]
enum AssetCommand {
	/// Show an asset's provenance record.
	Show {
		#[arg(value_parser = parse_cid_arg)]
		cid: CidArg,
	},
	/// Fetch an asset from a gateway, verify it against its CID and save it.
	Get {
		#[arg(value_parser = parse_cid_arg)]
		cid: CidArg,
		/// The gateway.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		gateway: String,
		/// Where to save it.
		#[arg(short, long)]
		output: PathBuf,
	},
}

#[derive(Subcommand)]
enum WorkerCommand {
	/// Register the signing account as a worker with a bond.
	Register {
		/// The bond, in UNIT (decimals allowed).
		#[arg(long, value_parser = parse_amount)]
		bond: u128,
		/// The models it runs (registry ids).
		#[arg(long, value_delimiter = ',', default_value = "0")]
		models: Vec<u32>,
	},
	/// Show a worker (the signing account's by default).
	Status {
		/// The worker's SS58 address.
		account: Option<AccountId32>,
	},
}

/// An amount in UNIT with up to 12 decimals, as planck.
fn parse_amount(text: &str) -> Result<u128, String> {
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	if fraction.len() > 12 || whole.is_empty() && fraction.is_empty() {
		return Err(format!("`{text}` is not an amount in UNIT with at most 12 decimals"))
	}
	let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
	if !digits(whole) || !digits(fraction) {
		return Err(format!("`{text}` is not an amount in UNIT"))
	}
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|e| format!("`{text}`: {e}"))? };
	let fraction: u128 = format!("{fraction:0<12}").parse().map_err(|e| format!("`{text}`: {e}"))?;
	whole.checked_mul(UNIT).and_then(|w| w.checked_add(fraction)).ok_or_else(|| format!("`{text}` is too large"))
}

/// A CID given on the command line, as the chain stores it (its binary form).
#[derive(Clone, Debug)]
struct CidArg(Vec<u8>);

fn parse_cid_arg(text: &str) -> Result<CidArg, String> {
	parse_cid(text).map(|cid| CidArg(cid.to_bytes())).map_err(|e| e.to_string())
}

fn cid_text(bytes: &[u8]) -> String {
	cid::Cid::try_from(bytes).map(|cid| cid.to_string()).unwrap_or_else(|_| format!("0x{}", chain::hex(bytes)))
}

fn units(planck: u128) -> String {
	let fraction = format!("{:012}", planck % UNIT);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() { format!("{} UNIT", planck / UNIT) } else { format!("{}.{fraction} UNIT", planck / UNIT) }
}

impl Cli {
	fn signer(&self) -> Result<Keypair> {
		let key = match (&self.suri, &self.key_file) {
			(Some(suri), None) => chain::keypair_from_suri(suri, self.dev),
			(None, Some(path)) => chain::keypair_from_file(path, self.dev),
			(Some(_), Some(_)) => bail!("give --suri or --key-file, not both"),
			(None, None) => bail!("this command signs a transaction: give --suri or --key-file"),
		};
		key.context("the signing key")
	}

	async fn client(&self) -> Result<Client> {
		Client::from_insecure_url(&self.url)
			.await
			.with_context(|| format!("cannot connect to the node at {}", self.url))
	}

	/// Prints a chain record: JSON with `--json`, else its text form.
	fn print_record(&self, what: &str, value: &scale_value::Value) -> Result<()> {
		if self.json {
			println!("{}", serde_json::to_string_pretty(value)?);
		} else {
			println!("{what}: {value}");
		}
		Ok(())
	}
}

/// Submits `call` signed by the CLI's key; a failure names the pallet error and its doc line.
async fn transact(cli: &Cli, client: &Client, call: &impl subxt::tx::Payload) -> Result<subxt::extrinsics::ExtrinsicEvents<subxt::PolkadotConfig>> {
	let signer = cli.signer()?;
	match chain::submit(client, call, &signer).await {
		Ok(events) => Ok(events),
		Err(SubmitError::Failed(reason)) => bail!("the chain refused it: {reason}"),
		Err(SubmitError::Chain(error)) => Err(error).with_context(|| format!("submitting to {}", cli.url)),
	}
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
		JobStatus::Delivered { worker, output, settles_at } =>
			format!("delivered by {worker}: {} (settles at block {settles_at})", cid_text(&output.0)),
		JobStatus::Quarantined { worker, output, incident } =>
			format!("quarantined: {worker}'s {} tripped the circuit breaker (incident {incident}); reviewers decide", cid_text(&output.0)),
		JobStatus::Settled { worker, output, .. } => format!("settled: {worker} was paid for {}", cid_text(&output.0)),
		JobStatus::Cancelled => "cancelled by its client".into(),
		JobStatus::Refunded => "refunded: nobody delivered an accepted result before the deadline".into(),
	}
}

/// `GET <gateway>/ipfs/<cid>`, verified against the CID.
fn fetch(gateway: &str, cid: &[u8]) -> Result<Vec<u8>> {
	use std::io::{Read, Write};
	let address = gateway.strip_prefix("http://").with_context(|| format!("the gateway {gateway} is not an http:// address"))?;
	let address = address.trim_end_matches('/');
	let text = cid_text(cid);
	let mut stream =
		std::net::TcpStream::connect(address).with_context(|| format!("cannot connect to the gateway at {gateway}"))?;
	stream.set_read_timeout(Some(Duration::from_secs(30)))?;
	write!(stream, "GET /ipfs/{text} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")?;
	let mut response = Vec::new();
	stream.read_to_end(&mut response)?;
	let split = response.windows(4).position(|w| w == b"\r\n\r\n").context("the gateway sent no HTTP response")?;
	let head = String::from_utf8_lossy(&response[..split]).to_string();
	let body = response[split + 4..].to_vec();
	if !head.starts_with("HTTP/1.1 200") {
		bail!("the gateway answered {}: {}", head.lines().next().unwrap_or(""), String::from_utf8_lossy(&body).trim());
	}
	if cid_of(&body).to_bytes() != cid {
		bail!("the gateway's bytes for {text} hash to {}, not to the CID: refused", cid_of(&body));
	}
	Ok(body)
}

#[tokio::main]
async fn main() -> Result<()> {
	let cli = Cli::parse();
	match &cli.command {
		Command::Job { command } => job_command(&cli, command).await,
		Command::Asset { command } => asset_command(&cli, command).await,
		Command::Worker { command } => worker_command(&cli, command).await,
		Command::Review { command } => review_command(&cli, command).await,
		Command::Gov { command } => gov_command(&cli, command).await,
	}
}

async fn review_command(cli: &Cli, command: &ReviewCommand) -> Result<()> {
	use studio::runtime_types::pallet_circuit_breaker::types::{Decision, Scope};
	let client = cli.client().await?;
	let breaker = studio::tx().circuit_breaker();
	let (call, done) = match command {
		ReviewCommand::List => {
			let at = client.at_current_block().await?;
			let mut entries = at.storage().iter(studio::storage().circuit_breaker().incidents(), ()).await?;
			let mut incidents = Vec::new();
			while let Some(entry) = entries.next().await {
				let entry = entry?;
				incidents.push((entry.key()?.decode()?.0, entry.value().decode_as::<scale_value::Value>()?));
			}
			incidents.sort_by_key(|(id, _)| *id);
			if cli.json {
				let rows: Vec<_> = incidents.iter().map(|(id, value)| serde_json::json!({ "incident": id, "record": value })).collect();
				println!("{}", serde_json::to_string_pretty(&rows)?);
			} else {
				incidents.iter().for_each(|(id, value)| println!("{id}\t{value}"));
			}
			return Ok(())
		},
		ReviewCommand::Resume { incident } =>
			(breaker.review(*incident, Decision::Resume), format!("voted to resume incident {incident}")),
		ReviewCommand::Retire { incident } =>
			(breaker.review(*incident, Decision::Retire), format!("voted to retire incident {incident}")),
		ReviewCommand::Halt { scope } => {
			let scope = match scope {
				HaltScope::Agent { account } => Scope::Agent(account.clone()),
				HaltScope::Model { model } => Scope::Model(*model),
				HaltScope::Studio => Scope::Studio,
			};
			let events = transact(cli, &client, &breaker.halt(scope)).await?;
			let tripped = events.find_first::<studio::circuit_breaker::events::Tripped>().context("no Tripped event")??;
			println!("halted: incident {}", tripped.incident);
			return Ok(())
		},
	};
	let events = transact(cli, &client, &call).await?;
	let decided = events.has::<studio::circuit_breaker::events::Resumed>() || events.has::<studio::circuit_breaker::events::Retired>();
	println!("{done}{}", if decided { ": the quorum decided it" } else { ": more votes are needed" });
	Ok(())
}

async fn gov_command(cli: &Cli, command: &GovCommand) -> Result<()> {
	let client = cli.client().await?;
	match command {
		GovCommand::Params => {
			let at = client.at_current_block().await?;
			let governance = studio::storage().studio_governance();
			let mut entries = at.storage().iter(governance.parameter_values(), ()).await?;
			let mut rows = Vec::new();
			while let Some(entry) = entries.next().await {
				let entry = entry?;
				let parameter = entry.key()?.decode()?.0;
				let name = format!("{parameter:?}");
				let bounds = at.storage().try_fetch(governance.parameter_bounds_of(), (parameter,)).await?;
				let bounds = bounds.map(|bounds| bounds.decode()).transpose()?;
				rows.push((name, entry.value().decode()?, bounds));
			}
			rows.sort_by(|a, b| a.0.cmp(&b.0));
			for (name, value, bounds) in rows {
				let bounds = bounds.map(|b| (b.min, b.max, b.max_step));
				if cli.json {
					println!("{}", serde_json::json!({ "parameter": name, "value": value, "min": bounds.map(|b| b.0), "max": bounds.map(|b| b.1), "max_step": bounds.map(|b| b.2) }));
				} else {
					let bounds = bounds.map_or(String::new(), |(min, max, step)| format!("\t[{min}, {max}], step ≤ {step}"));
					println!("{name}\t{value}{bounds}");
				}
			}
			Ok(())
		},
	}
}

async fn job_command(cli: &Cli, command: &JobCommand) -> Result<()> {
	use studio::runtime_types::{
		bounded_collections::bounded_vec::BoundedVec,
		pallet_job_escrow::types::{ImageFormat, JobSpec, OnRejection, OutputSpec, Prompt},
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
			no_wait,
			gateway,
			output,
			timeout,
		} => {
			let now = client.at_current_block().await?.block_number() as u32;
			let spec = JobSpec {
				model: *model,
				style: *style,
				prompt: Prompt::Text(BoundedVec(prompt.as_bytes().to_vec())),
				parents: BoundedVec(parents.iter().map(|parent| BoundedVec(parent.0.clone())).collect()),
				seed: *seed,
				output: OutputSpec { format: ImageFormat::Png, width: 128, height: 128 },
				candidates: *candidates,
				deadline: now + deadline_in,
				on_rejection: if *refund_on_rejection { OnRejection::Refund } else { OnRejection::Reopen },
			};
			let events = transact(cli, &client, &escrow.submit_job(spec, *bounty)).await?;
			let submitted = events
				.find_first::<studio::job_escrow::events::JobSubmitted>()
				.context("no JobSubmitted event")??;
			let id = submitted.job;
			if *no_wait {
				if cli.json {
					println!("{}", serde_json::json!({ "job": id }));
				} else {
					println!("submitted job {id}");
				}
				return Ok(())
			}
			eprintln!("submitted job {id} ({} bounty held)", units(*bounty));
			let deadline = std::time::Instant::now() + Duration::from_secs(*timeout);
			let mut last = String::new();
			let mut saved: Option<PathBuf> = None;
			loop {
				let job = job(&client, id).await?;
				let now = describe(&job.status);
				if now != last {
					eprintln!("job {id}: {now}");
					last = now;
				}
				let delivered = match &job.status {
					JobStatus::Delivered { output, .. } | JobStatus::Settled { output, .. } => Some(output.0.clone()),
					_ => None,
				};
				if let (Some(cid), None) = (&delivered, &saved) {
					let path = output.clone().unwrap_or_else(|| PathBuf::from(format!("{}.png", cid_text(cid))));
					std::fs::write(&path, fetch(gateway, cid)?).with_context(|| format!("cannot write {}", path.display()))?;
					eprintln!("saved {} (verified against its CID)", path.display());
					saved = Some(path);
				}
				match &job.status {
					JobStatus::Settled { output, .. } => {
						let path = saved.expect("saved when delivered");
						if cli.json {
							println!("{}", serde_json::json!({ "job": id, "cid": cid_text(&output.0), "path": path }));
						} else {
							println!("{}\t{}", cid_text(&output.0), path.display());
						}
						return Ok(())
					},
					JobStatus::Cancelled | JobStatus::Refunded => bail!("job {id} ended without a design: {last}"),
					_ => {},
				}
				if std::time::Instant::now() > deadline {
					bail!("gave up following job {id} after {timeout} s: it is {last}");
				}
				tokio::time::sleep(Duration::from_secs(2)).await;
			}
		},
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
			cli.print_record(&format!("job {id}"), &value.decode_as()?)
		},
		JobCommand::List => {
			let at = client.at_current_block().await?;
			let mut entries = at.storage().iter(studio::storage().job_escrow().jobs(), ()).await?;
			let mut listed = Vec::new();
			while let Some(entry) = entries.next().await {
				let entry = entry?;
				let id = entry.key()?.decode()?.0;
				let job: Job = entry.value().decode()?;
				listed.push((id, job));
			}
			listed.sort_by_key(|(id, _)| *id);
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
	}
}

async fn asset_command(cli: &Cli, command: &AssetCommand) -> Result<()> {
	use studio::runtime_types::bounded_collections::bounded_vec::BoundedVec;
	match command {
		AssetCommand::Show { cid: CidArg(cid) } => {
			let client = cli.client().await?;
			let at = client.at_current_block().await?;
			let value = at
				.storage()
				.try_fetch(studio::storage().provenance().assets(), (BoundedVec(cid.clone()),))
				.await?
				.with_context(|| format!("no provenance record for {}", cid_text(cid)))?;
			cli.print_record(&cid_text(cid), &value.decode_as()?)
		},
		AssetCommand::Get { cid: CidArg(cid), gateway, output } => {
			let bytes = fetch(gateway, cid)?;
			std::fs::write(output, &bytes).with_context(|| format!("cannot write {}", output.display()))?;
			println!("{}\t{} bytes, verified against {}", output.display(), bytes.len(), cid_text(cid));
			Ok(())
		},
	}
}

async fn worker_command(cli: &Cli, command: &WorkerCommand) -> Result<()> {
	use studio::runtime_types::bounded_collections::bounded_vec::BoundedVec;
	let client = cli.client().await?;
	match command {
		WorkerCommand::Register { bond, models } => {
			let call = studio::tx().job_escrow().register_worker(*bond, BoundedVec(models.clone()));
			transact(cli, &client, &call).await?;
			println!("registered {} with a bond of {} for models {models:?}", chain::account_of(&cli.signer()?), units(*bond));
			Ok(())
		},
		WorkerCommand::Status { account } => {
			let account = match account {
				Some(account) => account.clone(),
				None => chain::account_of(&cli.signer()?),
			};
			let at = client.at_current_block().await?;
			let value = at
				.storage()
				.try_fetch(studio::storage().job_escrow().workers(), (account.clone(),))
				.await?
				.with_context(|| format!("{account} is not a registered worker"))?;
			let halted = at.storage().try_fetch(studio::storage().circuit_breaker().halted_agents(), (account.clone(),)).await?;
			if let (Some(incident), false) = (halted, cli.json) {
				println!("{account} is halted by incident {}", incident.decode()?);
			}
			cli.print_record(&account.to_string(), &value.decode_as()?)
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_are_read_in_unit_with_up_to_twelve_decimals() {
		assert_eq!(parse_amount("100"), Ok(100 * UNIT));
		assert_eq!(parse_amount("2.5"), Ok(2 * UNIT + UNIT / 2));
		assert_eq!(parse_amount(".000000000001"), Ok(1));
		assert!(parse_amount("1.0000000000001").is_err());
		assert!(parse_amount("ten").is_err());
		assert!(parse_amount("").is_err());
		assert_eq!(units(2 * UNIT + UNIT / 2), "2.5 UNIT");
		assert_eq!(units(95 * UNIT), "95 UNIT");
	}
}
