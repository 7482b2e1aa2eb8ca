//! The operators' production genesis file: who validates, who holds what, who reviews. A launch
//! edits this file, never Rust (`ops/genesis.example.toml` documents every field):
//!
//! ```toml
//! name = "Studio Chain"          # optional
//! id = "studio"                  # optional
//! boot_nodes = ["/dns/a.example/tcp/30333/p2p/12D3Koo…"]   # optional
//! reviewers = ["5Grw…", "5FHn…", "5FLS…"]
//!
//! [[validators]]
//! account = "5Grw…"              # SS58: owns the session keys below
//! aura = "5Grw…"                 # sr25519 public key, SS58 or 0x hex
//! grandpa = "5FA9…"              # ed25519 public key, SS58 or 0x hex
//!
//! [[balances]]
//! account = "5Grw…"
//! stu = "1000000"                # in STU, up to 12 decimals
//! ```

use serde::Deserialize;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_core::crypto::{AccountId32, Ss58Codec};
use std::{collections::BTreeSet, path::Path};
use studio_runtime::{genesis_config_presets::GenesisValidator, Balance, TOKEN_DECIMALS};

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenesisFile {
	name: Option<String>,
	id: Option<String>,
	#[serde(default)]
	boot_nodes: Vec<String>,
	validators: Vec<ValidatorEntry>,
	#[serde(default)]
	balances: Vec<BalanceEntry>,
	reviewers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValidatorEntry {
	account: String,
	aura: String,
	grandpa: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BalanceEntry {
	account: String,
	stu: String,
}

/// A production genesis, read and checked.
pub struct ProductionGenesis {
	pub name: String,
	pub id: String,
	pub boot_nodes: Vec<String>,
	pub validators: Vec<GenesisValidator>,
	pub balances: Vec<(AccountId32, Balance)>,
	pub reviewers: Vec<AccountId32>,
}

/// Reads `path`; every error names the file and the entry at fault.
pub fn read(path: &Path) -> Result<ProductionGenesis, String> {
	let at = |what: String| format!("{}: {what}", path.display());
	let text = std::fs::read_to_string(path).map_err(|e| at(format!("cannot read it: {e}")))?;
	let file: GenesisFile = toml::from_str(&text).map_err(|e| at(format!("not a genesis file: {e}")))?;
	if file.validators.is_empty() {
		return Err(at("lists no validator: a chain needs at least one to author blocks".into()))
	}
	let validators = entries(&file.validators, "validators", |entry| {
		let account = account(&entry.account)?;
		let aura = public_key::<sp_core::sr25519::Public>(&entry.aura, "aura (sr25519)")?;
		let grandpa = public_key::<sp_core::ed25519::Public>(&entry.grandpa, "grandpa (ed25519)")?;
		Ok((account, AuraId::from(aura), GrandpaId::from(grandpa)))
	})
	.map_err(at)?;
	unique(validators.iter().map(|(account, ..)| account), "validators", "account").map_err(at)?;
	unique(validators.iter().map(|(_, aura, _)| aura), "validators", "aura key").map_err(at)?;
	unique(validators.iter().map(|(.., grandpa)| grandpa), "validators", "grandpa key").map_err(at)?;
	let balances = entries(&file.balances, "balances", |entry| Ok((account(&entry.account)?, amount(&entry.stu)?))).map_err(at)?;
	unique(balances.iter().map(|(account, _)| account), "balances", "account").map_err(at)?;
	let reviewers = entries(&file.reviewers, "reviewers", |text| account(text)).map_err(at)?;
	if reviewers.is_empty() {
		return Err(at("lists no reviewer: the circuit breaker's incidents need a council".into()))
	}
	unique(reviewers.iter(), "reviewers", "account").map_err(at)?;
	Ok(ProductionGenesis {
		name: file.name.unwrap_or_else(|| "Studio Chain".into()),
		id: file.id.unwrap_or_else(|| "studio".into()),
		boot_nodes: file.boot_nodes,
		validators,
		balances,
		reviewers,
	})
}

/// Each entry of the list `name` parsed by `parse`; an error names the entry (`name[i]: …`).
fn entries<Entry, Parsed>(list: &[Entry], name: &str, parse: impl Fn(&Entry) -> Result<Parsed, String>) -> Result<Vec<Parsed>, String> {
	list.iter().enumerate().map(|(i, entry)| parse(entry).map_err(|e| format!("{name}[{i}]: {e}"))).collect()
}

fn account(text: &str) -> Result<AccountId32, String> {
	AccountId32::from_ss58check(text.trim()).map_err(|e| format!("`{text}` is not an SS58 account ({e:?})"))
}

/// A public key as SS58 or 0x-prefixed hex.
fn public_key<Public: Ss58Codec + From<[u8; 32]>>(text: &str, what: &str) -> Result<Public, String> {
	let text = text.trim();
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes: Vec<u8> = (0..hex.len())
			.step_by(2)
			.map(|i| hex.get(i..i + 2).and_then(|byte| u8::from_str_radix(byte, 16).ok()))
			.collect::<Option<_>>()
			.ok_or_else(|| format!("{what} `{text}` is not hex"))?;
		let raw: [u8; 32] = bytes.try_into().map_err(|_| format!("{what} `{text}` is not 32 bytes"))?;
		return Ok(Public::from(raw))
	}
	Public::from_ss58check(text).map_err(|e| format!("{what} `{text}` is neither SS58 nor 0x hex ({e:?})"))
}

/// An amount in STU with up to the token's decimals, in planck.
fn amount(text: &str) -> Result<Balance, String> {
	let decimals = TOKEN_DECIMALS as usize;
	let text = text.trim();
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
	if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > decimals {
		return Err(format!("`{text}` is not an amount in STU with at most {decimals} decimals"))
	}
	let whole: Balance = whole.parse().map_err(|_| format!("`{text}` is too large"))?;
	let fraction: Balance = format!("{fraction:0<decimals$}").parse().map_err(|_| format!("`{text}` is not an amount"))?;
	whole
		.checked_mul(10u128.pow(TOKEN_DECIMALS as u32))
		.and_then(|planck| planck.checked_add(fraction))
		.filter(|planck| *planck > 0)
		.ok_or_else(|| format!("`{text}` is zero or too large"))
}

/// An error naming the first item listed twice.
fn unique<'a, T: Ord + std::fmt::Debug + 'a>(items: impl Iterator<Item = &'a T>, list: &str, what: &str) -> Result<(), String> {
	let mut seen = BTreeSet::new();
	for item in items {
		if !seen.insert(item) {
			return Err(format!("{list} names the same {what} twice ({item:?})"))
		}
	}
	Ok(())
}
