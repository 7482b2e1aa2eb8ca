//! `studio runtime` and `studio gov propose upgrade`: runtime upgrades by vote. Token holders
//! authorize a runtime's code hash on the slow track; once enacted, anyone applies the code.
//! Both steps check the file first (its hash, its spec name and version against the chain's),
//! so a wrong file fails here with its reason, not on chain after a vote.

use crate::{transact, Cli};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use studio_chain::{
	hex,
	runtime_code::{self, RuntimeCode},
	studio, AtBlock,
};
use subxt::{
	config::RpcConfigFor,
	rpcs::LegacyRpcMethods,
	PolkadotConfig,
};

#[derive(Subcommand)]
pub enum RuntimeCommand {
	/// The chain's runtime version and the upgrade authorized by vote, if any.
	Show,
	/// Apply the runtime a vote authorized (any account may; free when it succeeds). From the
	/// next block on, the chain runs it.
	Apply {
		/// The runtime's wasm, exactly as proposed (`*.compact.compressed.wasm`).
		wasm: PathBuf,
	},
}

/// The chain's runtime version at `at` as the node reports it (`state_getRuntimeVersion`: the
/// version embedded in the code it runs, which the runtime checks an upgrade against): spec
/// name and spec version.
async fn chain_version(cli: &Cli, at: &AtBlock) -> Result<(String, u32)> {
	let rpc = cli.rpc().await?;
	let version = LegacyRpcMethods::<RpcConfigFor<PolkadotConfig>>::new(rpc)
		.state_get_runtime_version(Some(at.block_hash()))
		.await
		.context("the node's state_getRuntimeVersion")?;
	let spec_name = version.other.get("specName").and_then(|name| name.as_str()).context("the node reports no specName")?;
	Ok((spec_name.to_owned(), version.spec_version))
}

/// Reads `wasm` and checks that the chain could take it: the same spec name and a higher spec
/// version than the chain runs at `at`. Returns it with a line describing the change.
pub async fn checked_code(cli: &Cli, at: &AtBlock, wasm: &Path) -> Result<(RuntimeCode, String)> {
	let code = runtime_code::read(wasm).with_context(|| format!("{} is not a runtime the chain can take", wasm.display()))?;
	let (spec_name, spec_version) = chain_version(cli, at).await?;
	let new = (code.version.spec_name.to_string(), code.version.spec_version);
	if new.0 != spec_name {
		bail!("{} is runtime \"{}\", and this chain runs \"{spec_name}\": the chain refuses another spec name", wasm.display(), new.0);
	}
	if new.1 <= spec_version {
		bail!(
			"{} has spec version {}, and the chain runs {spec_version}: an upgrade must raise the spec version",
			wasm.display(),
			new.1
		);
	}
	let line = format!(
		"upgrade the runtime to {}: {} bytes, code hash 0x{}, \"{spec_name}\" spec version {spec_version} → {}",
		wasm.display(),
		code.bytes.len(),
		hex(&code.code_hash),
		new.1
	);
	Ok((code, line))
}

/// The code hash the chain has authorized, if any.
async fn authorized(at: &AtBlock) -> Result<Option<[u8; 32]>> {
	let authorization = at.storage().try_fetch(studio::storage().system().authorized_upgrade(), ()).await?;
	Ok(authorization.map(|value| value.decode()).transpose()?.map(|authorization| authorization.code_hash.0))
}

pub async fn run(cli: &Cli, command: &RuntimeCommand) -> Result<()> {
	let client = cli.client().await?;
	let at = client.at_current_block().await?;
	match command {
		RuntimeCommand::Show => {
			let (spec_name, spec_version) = chain_version(cli, &at).await?;
			let authorized = authorized(&at).await?.map(|hash| format!("0x{}", hex(&hash)));
			if cli.json {
				println!("{}", serde_json::json!({ "spec_name": spec_name, "spec_version": spec_version, "authorized_upgrade": authorized }));
			} else {
				println!("runtime \"{spec_name}\" spec version {spec_version} (finalized block {})", at.block_number());
				match authorized {
					Some(hash) => println!("authorized upgrade: code hash {hash} (`studio runtime apply <wasm>` applies it)"),
					None => println!("no upgrade is authorized"),
				}
			}
			Ok(())
		},
		RuntimeCommand::Apply { wasm } => {
			let (code, line) = checked_code(cli, &at, wasm).await?;
			match authorized(&at).await? {
				None => bail!("no upgrade is authorized: propose one (`studio gov propose upgrade {}`) and let the vote pass", wasm.display()),
				Some(hash) if hash != code.code_hash => bail!(
					"the chain authorized code hash 0x{}, and {} hashes to 0x{}: not the runtime that was voted",
					hex(&hash),
					wasm.display(),
					hex(&code.code_hash)
				),
				Some(_) => {},
			}
			let new_version = code.version.spec_version;
			let call = studio::tx().system().apply_authorized_upgrade(code.bytes);
			let events = transact(cli, &client, &call).await?;
			if !events.has::<studio::system::events::CodeUpdated>() {
				bail!("the upgrade went through without a CodeUpdated event");
			}
			println!("{line}");
			println!("applied: blocks after the one that included it run spec version {new_version}");
			Ok(())
		},
	}
}
