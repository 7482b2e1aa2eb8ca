//! `studio`: the studio's command line for clients, token holders, reviewers and workers. It
//! talks to a node over its RPC (`--url`) and signs with `--suri` or `--key-file`; text for
//! people, `--json` for scripts. Every failure names its cause and exits non-zero.

#[macro_use]
extern crate studio_chain;

mod asset;
mod curate;
mod decode;
mod gov;
mod job;
mod restyle;
mod review;
mod runtime;
mod validator;
mod worker;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use std::{path::PathBuf, time::Duration};
use studio_chain::{self as chain, unixfs::file_cid, Client, SubmitError};
use studio_worker::store::parse_cid;
use subxt_signer::sr25519::Keypair;

/// Planck per STU, the studio's token (12 decimals).
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
	/// Where the commands that run a model (`worker run`, `gov style add`) run it.
	#[command(flatten)]
	compute: studio_models::device::ComputeArgs,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Design jobs: submit, follow, inspect, cancel, accept.
	Job {
		#[command(subcommand)]
		command: job::JobCommand,
	},
	/// Provenance records, lineage and the assets themselves.
	Asset {
		#[command(subcommand)]
		command: asset::AssetCommand,
	},
	/// Workers: register, run the daemon, inspect.
	Worker {
		#[command(subcommand)]
		command: worker::WorkerCommand,
	},
	/// Reviewers: incidents of the circuit breaker, and their decisions.
	Review {
		#[command(subcommand)]
		command: review::ReviewCommand,
	},
	/// Governance: the studio's parameters and the proposals that change them.
	Gov {
		#[command(subcommand)]
		command: gov::GovCommand,
	},
	/// The style registry: list styles, propose a new one from example images.
	Style {
		#[command(subcommand)]
		command: gov::StyleCommand,
	},
	/// The runtime: its version, and applying an upgrade token holders authorized.
	Runtime {
		#[command(subcommand)]
		command: runtime::RuntimeCommand,
	},
	/// Curation: stake on curated jobs' finalists, close curations.
	Curate {
		#[command(subcommand)]
		command: curate::CurateCommand,
	},
	/// Curators: reputation and record.
	Curator {
		#[command(subcommand)]
		command: curate::CuratorCommand,
	},
	/// Validators: register a node's session keys, list the validator set.
	Validator {
		#[command(subcommand)]
		command: validator::ValidatorCommand,
	},
}

/// An amount in STU with up to 12 decimals, as planck.
fn parse_amount(text: &str) -> Result<u128, String> {
	let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
	if fraction.len() > 12 || whole.is_empty() && fraction.is_empty() {
		return Err(format!("`{text}` is not an amount in STU with at most 12 decimals"))
	}
	let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
	if !digits(whole) || !digits(fraction) {
		return Err(format!("`{text}` is not an amount in STU"))
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
	format!("{} STU", decimal(planck))
}

/// A balance in STU as a decimal number without the unit: "12.5".
fn decimal(planck: u128) -> String {
	let fraction = format!("{:012}", planck % UNIT);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() { (planck / UNIT).to_string() } else { format!("{}.{fraction}", planck / UNIT) }
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

	/// Who signs, as people say it: the dev key's name (`//Alice` → Alice), else the address.
	fn signer_name(&self) -> Result<String> {
		if let Some(name) = self.suri.as_deref().and_then(|suri| suri.strip_prefix("//")).filter(|name| name.chars().all(char::is_alphanumeric)) {
			return Ok(name.to_owned())
		}
		Ok(chain::account_of(&self.signer()?).to_string())
	}

	/// A raw JSON-RPC connection to the node, for the methods subxt's client does not wrap.
	async fn rpc(&self) -> Result<subxt::rpcs::RpcClient> {
		subxt::rpcs::RpcClient::from_insecure_url(&self.url)
			.await
			.with_context(|| format!("cannot connect to the node at {}", self.url))
	}

	async fn client(&self) -> Result<Client> {
		Client::from_insecure_url(&self.url)
			.await
			.with_context(|| format!("cannot connect to the node at {}", self.url))
	}

	/// Prints a chain record read at `at`, each field by what it is (see `decode`): JSON with
	/// `--json`, else `what:` and its fields as indented lines.
	fn print_record<V: subxt::ext::scale_decode::DecodeAsType>(
		&self,
		at: &chain::AtBlock,
		what: &str,
		value: &subxt::storage::StorageValue<'_, V>,
	) -> Result<()> {
		let reader = reader(at)?;
		let field = reader.read_bytes(value.bytes(), value.type_id()).with_context(|| format!("decoding {what}"))?;
		if self.json {
			println!("{}", serde_json::to_string_pretty(&reader.json(&field))?);
		} else {
			print!("{}", reader.text(what, &field));
		}
		Ok(())
	}
}

/// A reader of the chain's records at `at` (see `decode`).
fn reader(at: &chain::AtBlock) -> Result<decode::Reader<'_>> {
	let block_ms = 2 * at.constants().entry(chain::studio::constants().timestamp().minimum_period())?;
	Ok(decode::Reader::new(at.metadata_ref().types(), at.block_number(), block_ms))
}

/// Submits `call` signed by the CLI's key; a failure names the pallet error and its doc line.
async fn transact(
	cli: &Cli,
	client: &Client,
	call: &impl subxt::tx::Payload,
) -> Result<subxt::extrinsics::ExtrinsicEvents<subxt::PolkadotConfig>> {
	let signer = cli.signer()?;
	match chain::submit(client, call, &signer).await {
		Ok(events) => Ok(events),
		Err(SubmitError::Failed(reason)) => bail!("the chain refused it: {reason}"),
		Err(SubmitError::Chain(error)) => Err(error).with_context(|| format!("submitting to {}", cli.url)),
	}
}

/// One HTTP/1.1 exchange with the gateway at `gateway` (an `http://host:port` address):
/// `method /ipfs/<cid>` with `body`; returns the body of a 2xx answer, or an error quoting the
/// gateway's answer.
fn exchange(gateway: &str, method: &str, cid: &[u8], body: &[u8]) -> Result<Vec<u8>> {
	use std::io::{Read, Write};
	let address = gateway.strip_prefix("http://").with_context(|| format!("the gateway {gateway} is not an http:// address"))?;
	let address = address.trim_end_matches('/');
	let text = cid_text(cid);
	let mut stream =
		std::net::TcpStream::connect(address).with_context(|| format!("cannot connect to the gateway at {gateway}"))?;
	stream.set_read_timeout(Some(Duration::from_secs(60)))?;
	write!(
		stream,
		"{method} /ipfs/{text} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
		body.len()
	)?;
	stream.write_all(body)?;
	let mut response = Vec::new();
	stream.read_to_end(&mut response).with_context(|| format!("reading the gateway's answer about {text}"))?;
	let split = response.windows(4).position(|w| w == b"\r\n\r\n").context("the gateway sent no HTTP response")?;
	let head = String::from_utf8_lossy(&response[..split]).to_string();
	let answer = response[split + 4..].to_vec();
	if !head.starts_with("HTTP/1.1 2") {
		bail!("the gateway answered {}: {}", head.lines().next().unwrap_or(""), String::from_utf8_lossy(&answer).trim());
	}
	Ok(answer)
}

/// `GET <gateway>/ipfs/<cid>`, verified against the CID.
fn fetch(gateway: &str, cid: &[u8]) -> Result<Vec<u8>> {
	let body = exchange(gateway, "GET", cid, b"")?;
	let found = file_cid(&body);
	if found.to_bytes() != cid {
		bail!("the gateway's bytes for {} give {found}, not the CID: refused", cid_text(cid));
	}
	Ok(body)
}

/// `PUT <gateway>/ipfs/<cid>`: hands a recorded asset's bytes to a worker, which pins them on
/// the studio's IPFS network.
fn upload(gateway: &str, cid: &[u8], bytes: &[u8]) -> Result<()> {
	exchange(gateway, "PUT", cid, bytes).map(drop)
}

#[tokio::main]
async fn main() -> Result<()> {
	let cli = Cli::parse();
	match &cli.command {
		Command::Job { command } => job::run(&cli, command).await,
		Command::Asset { command } => asset::run(&cli, command).await,
		Command::Worker { command } => worker::run(&cli, command).await,
		Command::Review { command } => review::run(&cli, command).await,
		Command::Gov { command } => gov::run(&cli, command).await,
		Command::Style { command } => gov::run_style(&cli, command).await,
		Command::Runtime { command } => runtime::run(&cli, command).await,
		Command::Validator { command } => validator::run(&cli, command).await,
		Command::Curate { command } => curate::run(&cli, command).await,
		Command::Curator { command } => curate::run_curator(&cli, command).await,
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
		assert_eq!(units(2 * UNIT + UNIT / 2), "2.5 STU");
		assert_eq!(units(95 * UNIT), "95 STU");
	}
}
