//! Scenario (a): `transfer_keep_alive` between distinct accounts, every transaction signed
//! before the first is submitted, then submitted as fast as the pool takes them.

use crate::{tally::BlockRecord, watch::Watcher};
use anyhow::Result;
use futures::StreamExt;
use std::time::{Duration, Instant};
use studio_chain::{account_of, studio, Client};
use subxt::utils::MultiAddress;
use subxt_signer::sr25519::Keypair;

/// Transactions in flight to the node's RPC at once.
const SUBMITTING_AT_ONCE: usize = 64;
/// What each transfer moves: a tenth of a token.
const AMOUNT: u128 = crate::setup::UNIT / 10;

/// Signs `per_account` transfers for each sender (sender `i` pays sender `i + 1`), submits them
/// all, and reads blocks until every one is included or `deadline` passes; returns the blocks
/// read.
pub async fn run(client: &Client, senders: &[Keypair], per_account: u32, deadline: Duration) -> Result<Vec<BlockRecord>> {
	let transactions = client.tx().await?;
	let mut nonces = Vec::with_capacity(senders.len());
	for sender in senders {
		nonces.push(transactions.account_nonce(&account_of(sender)).await?);
	}
	let mut signed = Vec::with_capacity(senders.len() * per_account as usize);
	for round in 0..per_account {
		for (index, sender) in senders.iter().enumerate() {
			let nonce = nonces[index] + round as u64;
			let receiver = account_of(&senders[(index + 1) % senders.len()]);
			let call = studio::tx().balances().transfer_keep_alive(MultiAddress::Id(receiver), AMOUNT);
			signed.push(crate::setup::sign(&transactions, &call, sender, nonce)?);
		}
	}
	let expected = signed.len() as u64;
	tracing::info!(transfers = expected, "signed; submitting");

	let mut watcher = Watcher::start(client).await?;
	let submitting = tokio::spawn(async move {
		let results: Vec<_> = futures::stream::iter(signed)
			.map(|transaction| async move { transaction.submit().await })
			.buffer_unordered(SUBMITTING_AT_ONCE)
			.collect()
			.await;
		results.into_iter().filter(|result| result.is_err()).count()
	});
	let started = Instant::now();
	let mut blocks: Vec<BlockRecord> = Vec::new();
	let mut included = 0;
	while included < expected && started.elapsed() < deadline {
		let (record, _, _) = watcher.next().await?;
		included += record.included.get("Balances.transfer_keep_alive").map_or(0, |calls| calls.succeeded + calls.failed);
		tracing::info!(block = record.number, transfers = record.signed(), fullness = format!("{:.0} %", record.fullness * 100.0), "included");
		blocks.push(record);
	}
	let refused = submitting.await?;
	if refused > 0 {
		tracing::warn!(refused, "the pool refused some transfers");
	}
	Ok(blocks)
}
