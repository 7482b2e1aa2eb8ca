//! Chain specifications built from the runtime's genesis presets, and loading of spec files.

use sc_service::{ChainType, Properties};
use std::path::PathBuf;
use studio_runtime::{TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};

/// A chain specification of Studio Chain.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token metadata shown by wallets and explorers.
fn token_properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

/// A spec from one of the runtime's genesis presets.
fn from_preset(name: &str, id: &str, chain_type: ChainType, preset: &str) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or_else(|| {
		"the runtime's wasm binary was not built (was SKIP_WASM_BUILD set?)".to_string()
	})?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_properties(token_properties())
		.with_genesis_config_preset_name(preset)
		.build())
}

/// The single-validator development chain (Alice).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	from_preset("Studio Development", "studio_dev", ChainType::Development, sp_genesis_builder::DEV_RUNTIME_PRESET)
}

/// The four-validator local testnet (Alice, Bob, Charlie, Dave).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	from_preset(
		"Studio Local Testnet",
		"studio_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// The production chain of the operators' genesis file (`production:<genesis.toml>`): the
/// runtime's production genesis (no sudo key, production governance) with the file's
/// validators, balances, reviewer council, name, id and boot nodes.
pub fn production_chain_spec(genesis_file: &str) -> Result<ChainSpec, String> {
	if genesis_file.is_empty() {
		return Err("the production chain needs the operators' genesis file: --chain production:<genesis.toml> (see ops/genesis.example.toml)".into())
	}
	let genesis = crate::genesis_file::read(std::path::Path::new(genesis_file))?;
	let wasm = WASM_BINARY.ok_or_else(|| "the runtime's wasm binary was not built (was SKIP_WASM_BUILD set?)".to_string())?;
	let boot_nodes = genesis
		.boot_nodes
		.iter()
		.map(|address| {
			address.parse().map_err(|e| format!("{genesis_file}: boot node `{address}` is not a multiaddress with a peer id: {e}"))
		})
		.collect::<Result<Vec<_>, String>>()?;
	let patch = studio_runtime::genesis_config_presets::production_genesis(genesis.validators, genesis.balances, genesis.reviewers);
	Ok(ChainSpec::builder(wasm, None)
		.with_name(&genesis.name)
		.with_id(&genesis.id)
		.with_chain_type(ChainType::Live)
		.with_properties(token_properties())
		.with_boot_nodes(boot_nodes)
		.with_genesis_config_patch(patch)
		.build())
}

/// A spec from a JSON file, with an error that names the file and what is wrong with it.
pub fn from_file(path: &str) -> Result<ChainSpec, String> {
	let path = PathBuf::from(path);
	if !path.is_file() {
		return Err(format!(
			"chain spec file `{}` does not exist (use --chain dev, --chain local, --chain production:<genesis.toml> or the path of a spec file)",
			path.display()
		));
	}
	ChainSpec::from_json_file(path.clone())
		.map_err(|e| format!("chain spec file `{}` is not a valid chain spec: {e}", path.display()))
}
