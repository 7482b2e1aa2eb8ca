//! `studio curate` and `studio curator`: token holders pick among curated jobs' finalists with
//! their stake, and see what their picks earned them.

use crate::{cid_text, parse_amount, transact, units, Cli};
use anyhow::{Context, Result};
use clap::Subcommand;
use studio_chain::studio;
use subxt::utils::AccountId32;

#[derive(Subcommand)]
pub enum CurateCommand {
	/// The running curations: each finalist's link, deviation and weighted stake.
	List {
		/// The gateway the finalists' links point at.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		gateway: String,
	},
	/// Stake on a finalist (replaces your earlier stake on the job); held until the curation
	/// closes.
	Stake {
		job: u64,
		/// The finalist's index, as `curate list` numbers them (0 is the worker's best).
		finalist: u32,
		/// The amount, in STU.
		#[arg(long, value_parser = parse_amount)]
		amount: u128,
	},
	/// Take your stake on a job back while its curation runs.
	Withdraw { job: u64 },
	/// Close a curation whose period is over: the heaviest finalist becomes the job's design.
	Close { job: u64 },
}

#[derive(Subcommand)]
pub enum CuratorCommand {
	/// A curator's reputation (the extra weight its stakes carry) and record.
	Show {
		/// The curator (default: the signing account).
		account: Option<AccountId32>,
	},
}

pub async fn run(cli: &Cli, command: &CurateCommand) -> Result<()> {
	let client = cli.client().await?;
	let curation = studio::tx().curation();
	match command {
		CurateCommand::List { gateway } => {
			let at = client.at_current_block().await?;
			let now = at.block_number();
			let curations = sorted_entries!(at, studio::storage().curation().curations());
			let mut rows = Vec::new();
			for (job, curation) in curations {
				let finalists = at
					.storage()
					.try_fetch(studio::storage().job_escrow().finalists(), (job,))
					.await?
					.with_context(|| format!("job {job} is curated but has no finalists"))?
					.decode()?;
				let total: u128 = curation.finalists.0.iter().map(|finalist| finalist.weight).sum();
				if !cli.json {
					println!(
						"job {job}: {} finalists, {} stakes, reward {}, {}",
						finalists.0.len(),
						curation.stakes.0.len(),
						units(curation.reward),
						if now < curation.ends_at as u64 {
							format!("stakes until block {}", curation.ends_at)
						} else {
							format!("ended: `studio curate close {job}`")
						}
					);
				}
				let mut listed = Vec::new();
				for (index, (finalist, tally)) in finalists.0.iter().zip(&curation.finalists.0).enumerate() {
					let cid = cid_text(&finalist.output.0);
					let share = if total == 0 { 0.0 } else { tally.weight as f64 * 100.0 / total as f64 };
					if !cli.json {
						println!(
							"  {index}: {gateway}/ipfs/{cid}  deviation {:.2} %  weighted stake {} ({share:.0} %)",
							finalist.style_deviation.0 as f64 / 1e4,
							units(tally.weight),
						);
					}
					listed.push(serde_json::json!({
						"finalist": index, "cid": cid, "deviation_ppm": finalist.style_deviation.0, "weight": tally.weight.to_string(),
					}));
				}
				rows.push(serde_json::json!({
					"job": job, "ends_at": curation.ends_at, "reward": curation.reward.to_string(),
					"stakes": curation.stakes.0.len(), "finalists": listed,
				}));
			}
			if cli.json {
				println!("{}", serde_json::to_string_pretty(&rows)?);
			} else if rows.is_empty() {
				println!("no curation runs");
			}
			Ok(())
		},
		CurateCommand::Stake { job, finalist, amount } => {
			let events = transact(cli, &client, &curation.stake(*job, *finalist, *amount)).await?;
			let staked = events.find_first::<studio::curation::events::Staked>().context("no Staked event")??;
			println!(
				"staked {} on finalist {finalist} of job {job} (weighs {} with your reputation)",
				units(staked.amount),
				units(staked.weight)
			);
			Ok(())
		},
		CurateCommand::Withdraw { job } => {
			transact(cli, &client, &curation.withdraw_stake(*job)).await?;
			println!("withdrew your stake on job {job}");
			Ok(())
		},
		CurateCommand::Close { job } => {
			let events = transact(cli, &client, &curation.close_curation(*job)).await?;
			let closed =
				events.find_first::<studio::curation::events::CurationClosed>().context("no CurationClosed event")??;
			println!(
				"closed job {job}'s curation: finalist {} won ({:.0} % of the weighted stakes); {} to its stakers, {} back to the client",
				closed.winner,
				if closed.total_weight == 0 { 0.0 } else { closed.winning_weight as f64 * 100.0 / closed.total_weight as f64 },
				units(closed.rewarded),
				units(closed.returned)
			);
			Ok(())
		},
	}
}

pub async fn run_curator(cli: &Cli, command: &CuratorCommand) -> Result<()> {
	let client = cli.client().await?;
	match command {
		CuratorCommand::Show { account } => {
			let account = match account {
				Some(account) => account.clone(),
				None => studio_chain::account_of(&cli.signer()?),
			};
			let at = client.at_current_block().await?;
			let record = at
				.storage()
				.try_fetch(studio::storage().curation().curators(), (account.clone(),))
				.await?
				.map(|record| record.decode())
				.transpose()?;
			let (reputation, wins, losses, updated_at) =
				record.map_or((0, 0, 0, 0), |record| (record.reputation, record.wins, record.losses, record.updated_at));
			if cli.json {
				println!(
					"{}",
					serde_json::json!({
						"curator": account.to_string(), "reputation_ppm": reputation, "multiplier": 1.0 + reputation as f64 / 1e6,
						"wins": wins, "losses": losses, "updated_at": updated_at,
					})
				);
			} else {
				println!(
					"{account}: reputation {:.3}× stake weight (as of block {updated_at}; it halves unused), {wins} winning and {losses} losing picks",
					1.0 + reputation as f64 / 1e6
				);
			}
			Ok(())
		},
	}
}
