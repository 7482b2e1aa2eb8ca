//! Studio Chain's client, shared by the worker, the `studio` CLI and the load generator: the
//! types and calls subxt generates from the runtime's metadata, checked in as
//! `metadata/studio.scale` (a test fails when it no longer matches the runtime;
//! `STUDIO_BLESS_METADATA=1` rewrites it), an account's transactions signed in turn, the CIDs
//! the chain records for files ([`unixfs`]) and a runtime's code for upgrades by vote
//! ([`runtime_code`]).

pub mod runtime_code;
pub mod unixfs;

use subxt::{
	error::{DispatchError, TransactionEventsError, TransactionFinalizedSuccessError, TransactionStatusError},
	extrinsics::ExtrinsicEvents,
	tx::Payload,
	utils::AccountId32,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// The code subxt generates from the checked-in metadata. A finding is also SCALE-encoded here,
/// as a verifier's commitment hashes it ([`finding_commitment`]).
#[subxt::subxt(
	runtime_metadata_path = "metadata/studio.scale",
	derive_for_type(path = "pallet_job_escrow::types::Finding", derive = "::subxt::ext::codec::Encode, Clone", recursive)
)]
pub mod studio {}

pub use studio::runtime_types::{
	pallet_job_escrow::types::{
		FinalistReport, FinalistsReport, JobInfo, JobKind, JobStatus, Prompt, ResultReport, WorkerInfo,
	},
	pallet_studio_governance::types::{EntryStatus, StudioParameter},
};
use studio::runtime_types::pallet_job_escrow::types::Finding;

/// Every entry of a storage map keyed by one id at block `$at`, decoded, sorted by id.
#[macro_export]
macro_rules! sorted_entries {
	($at:expr, $address:expr) => {{
		let mut entries = $at.storage().iter($address, ()).await?;
		let mut rows = Vec::new();
		while let Some(entry) = entries.next().await {
			let entry = entry?;
			rows.push((entry.key()?.decode()?.0, entry.value().decode()?));
		}
		rows.sort_by_key(|(id, _)| *id);
		rows
	}};
}

/// A connection to a node.
pub type Client = OnlineClient<PolkadotConfig>;
/// The chain's state at one block.
pub type AtBlock = subxt::client::OnlineClientAtBlock<PolkadotConfig>;
/// A job as the chain stores it.
pub type Job = JobInfo<AccountId32, u128, u32>;

/// Why the worker's key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
	/// The text is not a secret URI.
	#[error("the secret URI is not valid (expected a mnemonic, a 0x seed or a //derivation)")]
	InvalidUri,
	/// The URI is valid but no key derives from it.
	#[error("no sr25519 key derives from the secret URI: {0}")]
	Derivation(String),
	/// A well-known development key without `--dev`.
	#[error("refusing a development key (anyone can sign with it) without --dev")]
	DevKeyWithoutDev,
	/// The key file could not be read.
	#[error("{path}: {source}")]
	File { path: std::path::PathBuf, source: std::io::Error },
}

/// The sr25519 key `suri` derives, refusing the public development keys (`//Alice`, the dev
/// phrase) unless `dev` is set.
pub fn keypair_from_suri(suri: &str, dev: bool) -> Result<Keypair, KeyError> {
	let suri = suri.trim();
	let is_dev_key = suri.starts_with('/') || suri.starts_with(subxt_signer::DEV_PHRASE);
	if is_dev_key && !dev {
		return Err(KeyError::DevKeyWithoutDev)
	}
	let uri: SecretUri = suri.parse().map_err(|_| KeyError::InvalidUri)?;
	Keypair::from_uri(&uri).map_err(|error| KeyError::Derivation(error.to_string()))
}

/// The key in `path`: a file holding one secret URI (mnemonic, seed or derivation).
pub fn keypair_from_file(path: &std::path::Path, dev: bool) -> Result<Keypair, KeyError> {
	let text = std::fs::read_to_string(path).map_err(|source| KeyError::File { path: path.to_owned(), source })?;
	keypair_from_suri(&text, dev)
}

/// The account of `keypair`.
pub fn account_of(keypair: &Keypair) -> AccountId32 {
	keypair.public_key().to_account_id()
}

/// Why a transaction did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
	/// It was included and failed: a pallet error reads `JobEscrow::ClaimExpired: <its doc
	/// line>`.
	#[error("{0}")]
	Failed(String),
	/// It could not be submitted or followed (the node is unreachable, the pool refused it).
	#[error(transparent)]
	Chain(#[from] subxt::Error),
}

/// A dispatch error in words: the pallet, the error's name and its doc line.
pub fn explain(error: &DispatchError) -> String {
	match error {
		DispatchError::Module(module) => match module.details() {
			Ok(details) => format!(
				"{}::{}: {}",
				details.pallet.name(),
				details.variant.name,
				details.variant.docs.join(" ").trim()
			),
			Err(_) => module.to_string(),
		},
		other => other.to_string(),
	}
}

/// Signs `call` with `signer`, submits it and waits until it is finalized; returns its
/// events, or why it failed.
pub async fn submit(
	client: &Client,
	call: &impl Payload,
	signer: &Keypair,
) -> Result<ExtrinsicEvents<PolkadotConfig>, SubmitError> {
	submit_in_turn(client, call, signer, &Turn::default()).await
}

/// The order of one account's transactions when several are under way at once: the nonce the
/// next one signs with (none until the first, or after a failed submission: then read from
/// the chain).
#[derive(Default)]
pub struct Turn(tokio::sync::Mutex<Option<u64>>);

/// A signed transaction in the pool, followed.
type Progress = subxt::tx::TransactionProgress<PolkadotConfig, subxt::client::OnlineClientAtBlockImpl<PolkadotConfig>>;

/// Signs `call` with the account's next nonce and puts it into the pool; `turn` is held only
/// until it is there, so that the next transaction signs with the next nonce while this one is
/// followed.
async fn sign_in_turn(client: &Client, call: &impl Payload, signer: &Keypair, turn: &Turn) -> Result<Progress, SubmitError> {
	let mut next = turn.0.lock().await;
	let mut transactions = client.tx().await.map_err(subxt::Error::from)?;
	let nonce = match *next {
		Some(nonce) => nonce,
		None => transactions.account_nonce(&account_of(signer)).await.map_err(subxt::Error::from)?,
	};
	let params = subxt::config::PolkadotExtrinsicParamsBuilder::<PolkadotConfig>::new().nonce(nonce).build();
	let submitted = transactions.sign_and_submit_then_watch(call, signer, params).await;
	*next = submitted.is_ok().then_some(nonce + 1);
	Ok(submitted.map_err(subxt::Error::from)?)
}

/// Why a transaction will not be included, as [`SubmitError::Chain`].
fn not_included(status: TransactionStatusError) -> SubmitError {
	SubmitError::Chain(status.into())
}

/// A transaction's events, or its dispatch error in words.
fn outcome(events: Result<ExtrinsicEvents<PolkadotConfig>, TransactionEventsError>) -> Result<ExtrinsicEvents<PolkadotConfig>, SubmitError> {
	match events {
		Ok(events) => Ok(events),
		Err(TransactionEventsError::ExtrinsicFailed(dispatch)) => Err(SubmitError::Failed(explain(&dispatch))),
		Err(other) => Err(SubmitError::Chain(other.into())),
	}
}

/// [`submit`] for an account that has several transactions under way: `turn` orders their
/// nonces, and each waits for finality on its own.
pub async fn submit_in_turn(
	client: &Client,
	call: &impl Payload,
	signer: &Keypair,
	turn: &Turn,
) -> Result<ExtrinsicEvents<PolkadotConfig>, SubmitError> {
	match sign_in_turn(client, call, signer, turn).await?.wait_for_finalized_success().await {
		Ok(events) => Ok(events),
		Err(TransactionFinalizedSuccessError::SuccessError(events)) => outcome(Err(events)),
		Err(other) => Err(SubmitError::Chain(other.into())),
	}
}

/// A transaction that succeeded in a best block: its effects hold in that block and the ones
/// built on it, and for good once it is finalized ([`Included::finalized`]).
pub struct Included {
	/// Its events in the block that included it.
	pub events: ExtrinsicEvents<PolkadotConfig>,
	/// The block that included it: the state it made can be read there at once.
	pub block: subxt::config::substrate::H256,
	/// What is left of its progress; none once it was seen finalized.
	progress: Option<Progress>,
}

impl Included {
	/// Waits until the transaction is finalized (in this block or, after a re-organisation, in
	/// another one where it succeeds too).
	pub async fn finalized(self) -> Result<(), SubmitError> {
		let Some(progress) = self.progress else { return Ok(()) };
		match progress.wait_for_finalized_success().await {
			Ok(_) => Ok(()),
			Err(TransactionFinalizedSuccessError::SuccessError(events)) => outcome(Err(events)).map(drop),
			Err(other) => Err(SubmitError::Chain(other.into())),
		}
	}
}

/// [`submit_in_turn`] that returns as soon as the transaction succeeds in a best block, a
/// block time or two before it is final: for the daemon, whose own next steps only need the
/// state it made, while finality is waited for beside them.
pub async fn submit_included(client: &Client, call: &impl Payload, signer: &Keypair, turn: &Turn) -> Result<Included, SubmitError> {
	use subxt::tx::TransactionStatus;
	let mut progress = sign_in_turn(client, call, signer, turn).await?;
	loop {
		let status = progress
			.next()
			.await
			.unwrap_or(Err(subxt::error::TransactionProgressError::UnexpectedEndOfTransactionStatusStream))
			.map_err(subxt::Error::from)?;
		let (in_block, finalized) = match status {
			TransactionStatus::InBestBlock(in_block) => (in_block, false),
			TransactionStatus::InFinalizedBlock(in_block) => (in_block, true),
			TransactionStatus::Error { message } => return Err(not_included(TransactionStatusError::Error(message))),
			TransactionStatus::Invalid { message } => return Err(not_included(TransactionStatusError::Invalid(message))),
			TransactionStatus::Dropped { message } => return Err(not_included(TransactionStatusError::Dropped(message))),
			TransactionStatus::Validated | TransactionStatus::Broadcasted | TransactionStatus::NoLongerInBestBlock =>
				continue,
		};
		let events = outcome(in_block.wait_for_success().await)?;
		return Ok(Included { events, block: in_block.block_hash(), progress: (!finalized).then_some(progress) })
	}
}

/// What a verifier commits to before it reveals `finding` on `job`'s result: blake2-256 of the
/// SCALE encoding of `(job, verifier, finding, salt)`, as the escrow pallet checks it.
pub fn finding_commitment(job: u64, verifier: &AccountId32, finding: &Finding, salt: &[u8; 32]) -> [u8; 32] {
	use subxt::ext::codec::Encode;
	sp_crypto_hashing::blake2_256(&(job, verifier, finding, salt).encode())
}

/// The hex form of a sha2-256 digest, as the worker's manifests write it.
pub fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn dev_keys_need_dev_and_bad_uris_are_named() {
		assert!(matches!(keypair_from_suri("//Bob", false), Err(KeyError::DevKeyWithoutDev)));
		let bob = keypair_from_suri("//Bob", true).unwrap();
		assert_eq!(account_of(&bob), account_of(&subxt_signer::sr25519::dev::bob()));
		let phrase = format!("{}//Bob", subxt_signer::DEV_PHRASE);
		assert!(matches!(keypair_from_suri(&phrase, false), Err(KeyError::DevKeyWithoutDev)));
		assert!(matches!(keypair_from_suri("not a phrase at all", false), Err(KeyError::Derivation(_))));
		let seed = format!("0x{}", "11".repeat(32));
		let own = keypair_from_suri(&seed, false).unwrap();
		assert_ne!(account_of(&own), account_of(&bob));
	}

	#[test]
	fn a_commitment_is_the_one_the_escrow_pallet_checks() {
		use pallet_job_escrow::types::{commitment_of, Finding as PalletFinding};
		use sp_runtime::Permill;
		use studio::runtime_types::sp_arithmetic::per_things::Permill as ChainPermill;
		let (verifier, salt) = ([5u8; 32], [9u8; 32]);
		let measured = PalletFinding::Measured {
			style_deviation: Permill::from_parts(50_000),
			quality: Permill::from_parts(900_000),
			reproduction_centibels: u32::MAX,
		};
		let on_chain = Finding::Measured {
			style_deviation: ChainPermill(50_000),
			quality: ChainPermill(900_000),
			reproduction_centibels: u32::MAX,
		};
		let committed = finding_commitment(7, &AccountId32(verifier), &on_chain, &salt);
		assert_eq!(committed, commitment_of(7, &verifier, &measured, &salt));
		assert_ne!(committed, commitment_of(8, &verifier, &measured, &salt), "bound to its job");
		let unavailable = finding_commitment(7, &AccountId32(verifier), &Finding::Unavailable, &salt);
		assert_eq!(unavailable, commitment_of(7, &verifier, &PalletFinding::Unavailable, &salt));
	}
}
