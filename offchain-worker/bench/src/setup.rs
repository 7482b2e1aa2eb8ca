//! The setup phase: the generator's own accounts, endowed by the dev chain's sudo key (Alice);
//! for lifecycles, the studio made ready for them (the workers registered; random audits off,
//! or at a stated probability for verified lifecycles).

use anyhow::{bail, Context, Result};
use std::str::FromStr;
use studio_chain::{
	self as chain, account_of,
	studio::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			pallet_balances::pallet::Call as BalancesCall,
			pallet_studio_governance::{pallet::Call as GovernanceCall, types::GovernanceAction},
			studio_primitives::ModelKind,
			studio_runtime::RuntimeCall,
		},
	},
	Client, EntryStatus, StudioParameter,
};
use subxt::{client::OnlineClientAtBlockImpl, config::PolkadotExtrinsicParamsBuilder, tx::Payload, utils::MultiAddress, PolkadotConfig};
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Planck per STU (12 decimals).
pub const UNIT: u128 = 1_000_000_000_000;
/// What each of the generator's accounts starts with: fees for thousands of extrinsics, the
/// bounties of a long run (the minimum bounty each), a worker's bond. Alice's million dev
/// tokens endow about a thousand accounts.
const ENDOWMENT: u128 = 1_000 * UNIT;
/// Transfers per `utility.batch_all` when endowing.
const ENDOWMENTS_PER_BATCH: usize = 200;

/// The node's transactions API at one block, which signs offline.
pub type Transactions = subxt::tx::TransactionsClient<PolkadotConfig, OnlineClientAtBlockImpl<PolkadotConfig>>;
/// A signed transaction, ready to submit.
pub type Signed = subxt::tx::SubmittableTransaction<PolkadotConfig, OnlineClientAtBlockImpl<PolkadotConfig>>;

/// Signs `call` as `key` with `nonce`, immortal: offline, nothing to ask the node.
pub fn sign(transactions: &Transactions, call: &impl Payload, key: &Keypair, nonce: u64) -> Result<Signed> {
	let params = PolkadotExtrinsicParamsBuilder::new().nonce(nonce).immortal().build();
	Ok(transactions.create_signable_offline(call, params)?.sign(key)?)
}

/// `count` accounts of `role`, derived from the dev phrase (`//bench//<role>//<n>`).
pub fn accounts(role: &str, count: u32) -> Vec<Keypair> {
	(0..count)
		.map(|index| {
			let uri = SecretUri::from_str(&format!("//bench//{role}//{index}")).expect("a valid derivation path");
			Keypair::from_uri(&uri).expect("dev derivations always succeed")
		})
		.collect()
}

/// The dev chain's sudo key, which also holds the dev endowment.
fn alice() -> Keypair {
	subxt_signer::sr25519::dev::alice()
}

/// Sends `calls` as Alice's `utility.batch_all` and waits until it is final.
async fn as_alice(client: &Client, calls: Vec<RuntimeCall>) -> Result<()> {
	let batch = studio::tx().utility().batch_all(calls);
	chain::submit(client, &batch, &alice()).await.context("Alice's setup batch failed")?;
	Ok(())
}

/// Endows every account in `accounts` from Alice.
pub async fn endow(client: &Client, accounts: &[Keypair]) -> Result<()> {
	for chunk in accounts.chunks(ENDOWMENTS_PER_BATCH) {
		let calls = chunk
			.iter()
			.map(|account| {
				RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
					dest: MultiAddress::Id(account_of(account)),
					value: ENDOWMENT,
				})
			})
			.collect();
		as_alice(client, calls).await?;
	}
	tracing::info!(accounts = accounts.len(), "endowed");
	Ok(())
}

/// Sets the studio's `AuditProbability` (parts per million of results audited) through sudo.
pub async fn set_audit_probability(client: &Client, ppm: u128) -> Result<()> {
	let set = GovernanceCall::force_enact {
		action: Box::new(GovernanceAction::SetParameter { parameter: StudioParameter::AuditProbability, value: ppm }),
	};
	let sudo = studio::tx().sudo().sudo(RuntimeCall::StudioGovernance(set));
	let events = chain::submit(client, &sudo, &alice()).await.context("setting the audit probability through sudo")?;
	if let Some(sudid) = events.find_first::<studio::sudo::events::Sudid>() {
		if let Err(error) = sudid?.sudo_result {
			bail!("sudo refused to set the audit probability to {ppm} ppm: {error:?}");
		}
	}
	tracing::info!(ppm, "audit probability set");
	Ok(())
}

/// What a lifecycle needs from the chain.
pub struct Studio {
	/// The approved generator jobs ask for.
	pub model: u32,
	/// Its weights hash, which a result must name.
	pub weights_hash: [u8; 32],
	/// An active style generators keep to.
	pub style: u32,
	/// The smallest bounty.
	pub bounty: u128,
}

/// Readies the studio for lifecycles: endows the clients and workers, turns random audits off
/// through sudo (an audited result waits for verifiers, which would measure verification, not
/// the lifecycle), and registers every worker for the generator with a bond for `claims`
/// claims at once.
pub async fn studio(client: &Client, clients: &[Keypair], workers: &[Keypair], claims: u32) -> Result<Studio> {
	let everyone: Vec<Keypair> = clients.iter().chain(workers).cloned().collect();
	endow(client, &everyone).await?;
	set_audit_probability(client, 0).await?;

	let at = client.at_current_block().await?;
	let models: Vec<(u32, studio::runtime_types::pallet_studio_governance::types::ModelInfo)> =
		sorted_entries!(at, studio::storage().studio_governance().models());
	let (model, info) = models
		.into_iter()
		.find(|(_, info)| matches!(info.status, EntryStatus::Active) && matches!(info.kind, ModelKind::Generator))
		.context("no approved generator on this chain")?;
	let styles: Vec<(u32, studio::runtime_types::pallet_studio_governance::types::StyleInfo)> =
		sorted_entries!(at, studio::storage().studio_governance().styles());
	let (style, _) = styles
		.into_iter()
		.find(|(_, info)| matches!(info.status, EntryStatus::Active) && info.blend.0.is_empty())
		.context("no active style for generated jobs on this chain")?;
	let mut values = Vec::new();
	for parameter in [StudioParameter::WorkerMinBond, StudioParameter::MinBounty] {
		let value = at.storage().try_fetch(studio::storage().studio_governance().parameter_values(), (parameter,)).await?;
		let value: u128 = value.context("a studio parameter has no value")?.decode()?;
		values.push(value);
	}
	let (bond, bounty) = (values[0] * claims as u128, values[1]);

	// Signed offline against one block and submitted together; each then waits to be final.
	let transactions = client.tx().await?;
	let register = studio::tx().job_escrow().register_worker(bond, BoundedVec(vec![model]));
	let mut progress = Vec::with_capacity(workers.len());
	for worker in workers {
		let nonce = transactions.account_nonce(&account_of(worker)).await?;
		progress.push(sign(&transactions, &register, worker, nonce)?.submit_and_watch().await?);
	}
	for (worker, registration) in workers.iter().zip(progress) {
		registration
			.wait_for_finalized_success()
			.await
			.with_context(|| format!("registering worker {}", account_of(worker)))?;
	}
	tracing::info!(workers = workers.len(), model, style, "workers registered");
	Ok(Studio { model, weights_hash: info.weights_hash, style, bounty })
}
