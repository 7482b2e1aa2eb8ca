//! Reading blocks as they come: what each included (signed extrinsics by call, whether they
//! succeeded), its timestamp, how full it was; and its events, for the lifecycle driver.

use crate::tally::{BlockRecord, Included};
use anyhow::{Context, Result};
use studio_chain::{studio, studio::transaction_payment::events::TransactionFeePaid, AtBlock, Client};
use subxt::{events::Phase, PolkadotConfig};

/// The events of one block.
pub type Events = subxt::events::Events<PolkadotConfig>;

/// The node's best blocks, one at a time, each read into a [`BlockRecord`].
pub struct Watcher {
	blocks: subxt::client::Blocks<PolkadotConfig>,
	/// The normal class's most ref time per block.
	max_normal: u64,
}

impl Watcher {
	/// Starts following the best blocks from the next one on.
	pub async fn start(client: &Client) -> Result<Self> {
		let blocks = client.stream_best_blocks().await?;
		let at = client.at_current_block().await?;
		let weights = at.constants().entry(studio::constants().system().block_weights())?;
		let max_normal = weights
			.per_class
			.normal
			.max_total
			.map_or(weights.max_block.ref_time, |weight| weight.ref_time);
		Ok(Self { blocks, max_normal })
	}

	/// The next best block, read.
	pub async fn next(&mut self) -> Result<(BlockRecord, Events, AtBlock)> {
		let block = self.blocks.next().await.context("the node closed its block stream")??;
		let at = block.at().await?;
		let events = at.events().fetch().await?;
		let extrinsics = at.extrinsics().fetch().await?;
		let mut failed = std::collections::BTreeSet::new();
		let mut fees = std::collections::BTreeMap::new();
		for event in events.iter() {
			let event = event?;
			let Phase::ApplyExtrinsic(index) = event.phase() else { continue };
			if (event.pallet_name(), event.event_name()) == ("System", "ExtrinsicFailed") {
				failed.insert(index as usize);
			}
			if let Some(paid) = event.decode_fields_as::<TransactionFeePaid>() {
				fees.insert(index as usize, paid?.actual_fee);
			}
		}
		let mut record = BlockRecord { number: at.block_number(), ..Default::default() };
		for extrinsic in extrinsics.iter() {
			let extrinsic = extrinsic?;
			record.length += extrinsic.bytes().len() as u64;
			if !extrinsic.is_signed() {
				continue
			}
			let call = format!("{}.{}", extrinsic.pallet_name(), extrinsic.call_name());
			let included: &mut Included = record.included.entry(call).or_default();
			included.fees += fees.get(&extrinsic.index()).copied().unwrap_or_default();
			if failed.contains(&extrinsic.index()) {
				included.failed += 1;
			} else {
				included.succeeded += 1;
			}
		}
		let storage = at.storage();
		record.timestamp_ms = storage.try_fetch(studio::storage().timestamp().now(), ()).await?.context("no timestamp")?.decode()?;
		let weight = storage.try_fetch(studio::storage().system().block_weight(), ()).await?.context("no block weight")?.decode()?;
		record.fullness = weight.normal.ref_time as f64 / self.max_normal as f64;
		Ok((record, events, at))
	}
}
