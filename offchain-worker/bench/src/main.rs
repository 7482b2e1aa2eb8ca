//! `studio-bench`: the chain's load generator. Against a dev node on 127.0.0.1 (which
//! `scripts/bench-chain.sh` starts), it endows its own accounts, then measures — from the
//! blocks themselves, never from what it submitted — how many `transfer_keep_alive`s and how
//! many whole job lifecycles (`submit_job`, `claim_job`, `submit_result`, `accept_result`,
//! with results the generator makes up: no inference, this measures the chain) the chain
//! includes per second, and how full their blocks were; then the same lifecycles with random
//! audits on, their verifiers committing and revealing findings. It stops by itself.

#[macro_use]
extern crate studio_chain;

mod lifecycles;
mod setup;
mod tally;
mod transfers;
mod watch;

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use std::{path::PathBuf, time::Duration};
use studio_chain::Client;
use tally::{BlockRecord, Rates};

/// The most workers the generator registers for the generator model.
const MAX_WORKERS: u32 = 100;
/// Claims each worker holds at once: the runtime's `MaxClaimsPerWorker`.
const CLAIMS_PER_WORKER: u32 = 8;

#[derive(Parser)]
#[command(name = "studio-bench", about = "Studio Chain's load generator: transfers and job lifecycles per second, from the blocks")]
struct Args {
	/// The dev node's WebSocket RPC address: 127.0.0.1 or localhost only.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	url: String,
	/// Accounts per role: transfer senders; clients, and as many workers, for lifecycles.
	#[arg(long, default_value_t = 64)]
	accounts: u32,
	/// Transfers each sender signs before the run starts.
	#[arg(long, default_value_t = 40)]
	transfers_per_account: u32,
	/// Jobs each client keeps under way at once.
	#[arg(long, default_value_t = 4)]
	jobs_per_client: u32,
	/// The run of lifecycles (no audits) stops after this many have settled …
	#[arg(long, default_value_t = 2_000)]
	lifecycles: u64,
	/// The run of verified lifecycles stops after this many have settled (or at `--seconds`).
	#[arg(long, default_value_t = 2_000)]
	verified_lifecycles: u64,
	/// … or after this many seconds; so does the run of transfers.
	#[arg(long, default_value_t = 120)]
	seconds: u64,
	/// Which scenarios to run.
	#[arg(long, value_enum, default_value = "all")]
	scenario: Scenario,
	/// The share of results audited in the verified scenario, in parts per million (the
	/// studio's default `AuditProbability`: one in ten).
	#[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
	audit_ppm: u32,
	/// Also write the report as JSON to this file.
	#[arg(long)]
	json: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Scenario {
	/// (a) `transfer_keep_alive` between distinct accounts.
	Transfers,
	/// (b) job lifecycles, no audits.
	Lifecycles,
	/// (c) job lifecycles with random audits and their verifiers' findings.
	Verified,
	/// All three, one after the other.
	All,
}

impl Scenario {
	fn runs(self, scenario: Scenario) -> bool {
		self == Scenario::All || self == scenario
	}
}

/// What one run measured.
#[derive(serde::Serialize)]
struct Report {
	transfers: Option<TransferReport>,
	lifecycles: Option<LifecycleReport>,
	verified: Option<LifecycleReport>,
}

/// The transfer scenario's rates, and the blocks they come from.
#[derive(serde::Serialize)]
struct TransferReport {
	rates: Rates,
	blocks: Vec<BlockRecord>,
}

/// The lifecycle scenario's rates, how many lifecycles settled, and the blocks.
#[derive(serde::Serialize)]
struct LifecycleReport {
	rates: Rates,
	blocks: Vec<BlockRecord>,
	/// Lifecycles that settled (each is four extrinsics).
	settled: u64,
	/// Settled lifecycles per second.
	lifecycles_per_second: f64,
	/// The audit probability it ran under, in parts per million.
	audit_ppm: u32,
	/// Results whose verification ended.
	verified: u64,
	/// Of those, results that stood.
	stood: u64,
	/// Claims that expired before their result was included.
	expired: u64,
}

/// Refuses any node but one on this machine's loopback: the generator floods what it talks to.
fn loopback_only(url: &str) -> Result<()> {
	let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
	let host = rest.split(['/', ':']).next().unwrap_or_default();
	if !matches!(host, "127.0.0.1" | "localhost") {
		bail!("studio-bench only loads a node on 127.0.0.1 (got {url:?})");
	}
	Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
	tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(
		tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "studio_bench=info".into()),
	).init();
	let args = Args::parse();
	loopback_only(&args.url)?;
	if args.accounts < 2 {
		bail!("--accounts must be at least 2 (a transfer and a job need two parties)");
	}
	let client = Client::from_insecure_url(&args.url).await.with_context(|| format!("no node answers at {}", args.url))?;
	let deadline = Duration::from_secs(args.seconds);
	let mut report = Report { transfers: None, lifecycles: None, verified: None };
	if args.scenario.runs(Scenario::Transfers) {
		let senders = setup::accounts("transfer", args.accounts);
		setup::endow(&client, &senders).await?;
		let blocks = transfers::run(&client, &senders, args.transfers_per_account, deadline).await?;
		report.transfers = tally::rates(&blocks).map(|rates| TransferReport { rates, blocks });
	}
	if args.scenario.runs(Scenario::Lifecycles) || args.scenario.runs(Scenario::Verified) {
		let clients = setup::accounts("client", args.accounts);
		// A model takes at most `MaxWorkersPerModel` workers (128 in the runtime; the dev chain
		// may have its own): fewer workers, each holding the most claims a bond allows.
		let workers = setup::accounts("worker", args.accounts.min(MAX_WORKERS));
		let studio = setup::studio(&client, &clients, &workers, CLAIMS_PER_WORKER).await?;
		let lifecycles = |audit_ppm: u32, target: u64| {
			let load = lifecycles::Load {
				jobs_per_client: args.jobs_per_client.max(1) as usize,
				claims_per_worker: CLAIMS_PER_WORKER as usize,
				target,
				deadline,
				audits_on: audit_ppm > 0,
			};
			let (client, studio, parties) = (&client, &studio, (&clients[..], &workers[..]));
			async move {
				let run = lifecycles::run(client, studio, parties, load).await?;
				anyhow::Ok(tally::rates(&run.blocks).map(|rates| LifecycleReport {
					lifecycles_per_second: run.settled_in_interval as f64 / rates.seconds,
					settled: run.settled,
					audit_ppm,
					verified: run.verified,
					stood: run.stood,
					expired: run.expired,
					rates,
					blocks: run.blocks,
				}))
			}
		};
		if args.scenario.runs(Scenario::Lifecycles) {
			report.lifecycles = lifecycles(0, args.lifecycles).await?;
		}
		if args.scenario.runs(Scenario::Verified) {
			setup::set_audit_probability(&client, args.audit_ppm.into()).await?;
			report.verified = lifecycles(args.audit_ppm, args.verified_lifecycles).await?;
		}
	}
	print_report(&report);
	if let Some(path) = &args.json {
		std::fs::write(path, serde_json::to_vec_pretty(&report)?).with_context(|| format!("writing {}", path.display()))?;
	}
	Ok(())
}

fn print_report(report: &Report) {
	println!("| scenario | blocks | seconds | signed extrinsics/s | mean / max block fullness | failed |");
	println!("|---|---|---|---|---|---|");
	let row = |name: &str, rates: &Rates| {
		println!(
			"| {name} | {} | {:.1} | {:.1} | {:.0} % / {:.0} % | {} |",
			rates.blocks,
			rates.seconds,
			rates.extrinsics_per_second,
			rates.mean_fullness * 100.0,
			rates.max_fullness * 100.0,
			rates.failed
		)
	};
	if let Some(transfers) = &report.transfers {
		let fee = transfers.rates.mean_fee.get("Balances.transfer_keep_alive").copied().unwrap_or_default();
		row(&format!("transfer_keep_alive (fee {fee:.5} STU)"), &transfers.rates);
	}
	for (name, lifecycles) in [("job lifecycles", &report.lifecycles), ("verified job lifecycles", &report.verified)] {
		let Some(lifecycles) = lifecycles else { continue };
		row(&format!("{name} ({} ppm audited)", lifecycles.audit_ppm), &lifecycles.rates);
		for (call, rate) in &lifecycles.rates.by_call {
			println!("|   {call} (fee {:.5} STU) | | | {rate:.1} | | |", lifecycles.rates.mean_fee[call]);
		}
	}
	for (name, lifecycles) in [("lifecycles", &report.lifecycles), ("verified lifecycles", &report.verified)] {
		let Some(lifecycles) = lifecycles else { continue };
		println!(
			"\n{name} settled: {} ({:.2} per second); verifications ended: {} ({} stood); claims expired: {}",
			lifecycles.settled, lifecycles.lifecycles_per_second, lifecycles.verified, lifecycles.stood, lifecycles.expired
		);
	}
	if let Some(transfers) = &report.transfers {
		for (name, lifecycles) in [("lifecycle", &report.lifecycles), ("verified lifecycle", &report.verified)] {
			let Some(lifecycles) = lifecycles else { continue };
			println!(
				"{name} extrinsics/s ÷ transfers/s: {:.0} %",
				100.0 * lifecycles.rates.extrinsics_per_second / transfers.rates.extrinsics_per_second
			);
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_loopback_nodes_are_loaded() {
		assert!(loopback_only("ws://127.0.0.1:9944").is_ok());
		assert!(loopback_only("ws://localhost:9944/").is_ok());
		assert!(loopback_only("ws://10.0.0.7:9944").is_err());
		assert!(loopback_only("wss://rpc.example.org").is_err());
		assert!(loopback_only("ws://127.0.0.1.example.org:9944").is_err());
	}
}
