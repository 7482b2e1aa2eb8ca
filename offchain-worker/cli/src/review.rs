//! `studio review`: the circuit breaker's incidents and the reviewers' decisions.

use crate::{transact, Cli};
use anyhow::{Context, Result};
use clap::Subcommand;
use studio_chain::studio;
use subxt::utils::AccountId32;

#[derive(Subcommand)]
pub enum ReviewCommand {
	/// List the incidents.
	List,
	/// Show an incident: its scope, reason, votes and review deadline.
	Show { incident: u32 },
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
pub enum HaltScope {
	/// A worker, by SS58 address.
	Agent { account: AccountId32 },
	/// A model, by registry id.
	Model { model: u32 },
	/// Every agent and model.
	Studio,
}

pub async fn run(cli: &Cli, command: &ReviewCommand) -> Result<()> {
	use studio::runtime_types::pallet_circuit_breaker::types::{Decision, Scope};
	let client = cli.client().await?;
	let breaker = studio::tx().circuit_breaker();
	let (call, done) = match command {
		ReviewCommand::List => {
			let at = client.at_current_block().await?;
			let mut entries = at.storage().iter(studio::storage().circuit_breaker().incidents(), ()).await?;
			let reader = crate::reader(&at)?;
			let mut incidents = Vec::new();
			while let Some(entry) = entries.next().await {
				let entry = entry?;
				let value = entry.value();
				incidents.push((entry.key()?.decode()?.0, reader.read_bytes(value.bytes(), value.type_id())?));
			}
			incidents.sort_by_key(|(id, _)| *id);
			if cli.json {
				let rows: Vec<_> =
					incidents.iter().map(|(id, record)| serde_json::json!({ "incident": id, "record": reader.json(record) })).collect();
				println!("{}", serde_json::to_string_pretty(&rows)?);
			} else {
				incidents.iter().for_each(|(id, record)| print!("{}", reader.text(&format!("incident {id}"), record)));
			}
			return Ok(())
		},
		ReviewCommand::Show { incident } => {
			let at = client.at_current_block().await?;
			let value = at
				.storage()
				.try_fetch(studio::storage().circuit_breaker().incidents(), (*incident,))
				.await?
				.with_context(|| format!("there is no incident {incident}"))?;
			return cli.print_record(&at, &format!("incident {incident}"), &value)
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
