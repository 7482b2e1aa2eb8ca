//! `studio validator`: an operator registers its validator's session keys, and anyone reads
//! the validator set. Joining and leaving the set are votes (`studio gov propose
//! add-validator|remove-validator`), applied at the next session change.

use crate::{transact, Cli};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde::Deserialize;
use studio_chain::{self as chain, studio};
use subxt::{
	ext::scale_value::Value,
	rpcs::rpc_params,
	utils::AccountId32,
};

#[derive(Subcommand)]
pub enum ValidatorCommand {
	/// Generate new session keys in the keystore of the node at `--url` (the validator's own
	/// node, started with `--rpc-methods unsafe` on a loopback port) and register them on
	/// chain for the signing account, with their proof of ownership. A vote can then add the
	/// account (`studio gov propose add-validator`). Rotating keys later is running this again.
	Keys,
	/// The validator set: who validates this session, who is planned from the next change on,
	/// and whether each has session keys.
	List,
}

/// What `author_rotateKeysWithOwner` answers: 0x hex.
#[derive(Deserialize)]
struct GeneratedKeys {
	keys: String,
	proof: Option<String>,
}

fn unhex(text: &str) -> Result<Vec<u8>> {
	let hex = text.strip_prefix("0x").unwrap_or(text);
	(0..hex.len())
		.step_by(2)
		.map(|i| hex.get(i..i + 2).and_then(|byte| u8::from_str_radix(byte, 16).ok()))
		.collect::<Option<_>>()
		.with_context(|| format!("the node answered `{text}`, which is not hex"))
}

pub async fn run(cli: &Cli, command: &ValidatorCommand) -> Result<()> {
	let client = cli.client().await?;
	match command {
		ValidatorCommand::Keys => {
			let owner = chain::account_of(&cli.signer()?);
			let rpc = cli.rpc().await?;
			let generated: GeneratedKeys = rpc
				.request("author_rotateKeysWithOwner", rpc_params![format!("0x{}", chain::hex(&owner.0))])
				.await
				.with_context(|| format!("the node at {} did not generate keys (is it the validator's own node, started with --rpc-methods unsafe?)", cli.url))?;
			let proof = unhex(&generated.proof.context("the node made no ownership proof: its runtime is too old")?)?;
			let encoded = unhex(&generated.keys)?;
			if encoded.len() != 64 {
				bail!("the node made {} bytes of session keys, not this chain's Aura and GRANDPA keys (32 bytes each)", encoded.len());
			}
			let (aura, grandpa) = encoded.split_at(32);
			let keys = Value::named_composite([("aura", Value::from_bytes(aura)), ("grandpa", Value::from_bytes(grandpa))]);
			let call = subxt::dynamic::tx("Session", "set_keys", vec![keys, Value::from_bytes(&proof)]);
			transact(cli, &client, &call).await?;
			println!("session keys 0x{} registered for {owner}", chain::hex(&encoded));
			println!("next: a vote adds it (`studio gov propose add-validator {owner}`); it validates from the second session change after");
			Ok(())
		},
		ValidatorCommand::List => {
			let at = client.at_current_block().await?;
			let session = studio::storage().session();
			let index: u32 = at.storage().try_fetch(session.current_index(), ()).await?.map(|v| v.decode()).transpose()?.unwrap_or_default();
			let active: Vec<AccountId32> =
				at.storage().try_fetch(session.validators(), ()).await?.map(|v| v.decode()).transpose()?.unwrap_or_default();
			let planned = at
				.storage()
				.try_fetch(studio::storage().validator_set().planned_validators(), ())
				.await?
				.map(|v| v.decode())
				.transpose()?
				.map(|planned| planned.0)
				.unwrap_or_default();
			let mut rows = Vec::new();
			let mut accounts: Vec<AccountId32> = active.iter().chain(planned.iter()).cloned().collect();
			accounts.sort_by_key(|account| account.0);
			accounts.dedup();
			for account in accounts {
				let keys = at.storage().try_fetch(session.next_keys(), (account.clone(),)).await?.is_some();
				rows.push((account.clone(), active.contains(&account), planned.contains(&account), keys));
			}
			if rows.is_empty() {
				bail!("the chain has no validator set (no session pallet?)");
			}
			if cli.json {
				for (account, validating, planned, keys) in rows {
					println!("{}", serde_json::json!({ "account": account.to_string(), "validating": validating, "planned": planned, "session_keys": keys, "session": index }));
				}
			} else {
				println!("session {index}");
				for (account, validating, planned, keys) in rows {
					let state = match (validating, planned) {
						(true, true) => "validating",
						(true, false) => "validating, leaves at the next change",
						(false, true) => "joins at the next change",
						(false, false) => unreachable!("listed because it validates or is planned"),
					};
					println!("{account}\t{state}\t{}", if keys { "session keys set" } else { "NO session keys" });
				}
			}
			Ok(())
		},
	}
}
