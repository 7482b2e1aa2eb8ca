//! `studio worker`: register a worker, run its daemon, inspect it.

use crate::{parse_amount, transact, units, Cli};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use studio_worker::{
	service::{self, ServiceArgs},
};
use studio_chain::{self as chain, studio};
use subxt::utils::AccountId32;

#[derive(Subcommand)]
pub enum WorkerCommand {
	/// Register the signing account as a worker with a bond.
	Register {
		/// The bond, in STU (decimals allowed).
		#[arg(long, value_parser = parse_amount)]
		bond: u128,
		/// The models it runs (registry ids).
		#[arg(long, value_delimiter = ',', default_value = "0")]
		models: Vec<u32>,
	},
	/// Run the worker daemon with the signing account's key: follow the chain, claim the jobs
	/// it can run, design them with the studio's models and submit signed results. Serves the
	/// store, the metrics and (with `--web`) the web studio. Ctrl-C stops it; claimed jobs
	/// resume on the next start.
	Run {
		/// Where the models live (`studio-worker models fetch` puts them there).
		#[arg(long, default_value = "models")]
		models_dir: PathBuf,
		#[command(flatten)]
		service: ServiceArgs,
	},
	/// Show a worker (the signing account's by default).
	Status {
		/// The worker's SS58 address.
		account: Option<AccountId32>,
	},
}

pub async fn run(cli: &Cli, command: &WorkerCommand) -> Result<()> {
	use studio::runtime_types::bounded_collections::bounded_vec::BoundedVec;
	match command {
		WorkerCommand::Run { models_dir, service } => {
			service::init_logging();
			service::run(models_dir.clone(), cli.url.clone(), cli.signer()?, service.clone(), &cli.compute).await
		},
		WorkerCommand::Register { bond, models } => {
			let client = cli.client().await?;
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
			let at = cli.client().await?.at_current_block().await?;
			let value = at
				.storage()
				.try_fetch(studio::storage().job_escrow().workers(), (account.clone(),))
				.await?
				.with_context(|| format!("{account} is not a registered worker"))?;
			let halted = at.storage().try_fetch(studio::storage().circuit_breaker().halted_agents(), (account.clone(),)).await?;
			if let (Some(incident), false) = (halted, cli.json) {
				println!("{account} is halted by incident {}", incident.decode()?);
			}
			cli.print_record(&at, &account.to_string(), &value)
		},
	}
}
