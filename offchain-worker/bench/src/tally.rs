//! The accounting: what the blocks themselves say was included, and the rates it makes. Never
//! counts submissions: a transaction counts once a block includes it.

use std::collections::BTreeMap;

/// One block as the load generator read it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct BlockRecord {
	/// Its number.
	pub number: u64,
	/// Its timestamp (the `timestamp.set` inherent), in milliseconds.
	pub timestamp_ms: u64,
	/// The signed extrinsics it included, by `Pallet.call`, and whether each succeeded.
	pub included: BTreeMap<String, Included>,
	/// Its normal-class weight (ref time) as a share of the normal class's maximum.
	pub fullness: f64,
	/// Its extrinsics' encoded length, in bytes.
	pub length: u64,
}

/// How many of one call a block included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Included {
	/// Dispatched successfully.
	pub succeeded: u64,
	/// Included and charged, but failed.
	pub failed: u64,
	/// The fees they paid together (`TransactionFeePaid`), in planck.
	pub fees: u128,
}

impl BlockRecord {
	/// The signed extrinsics it included, succeeded or not.
	pub fn signed(&self) -> u64 {
		self.included.values().map(|included| included.succeeded + included.failed).sum()
	}
}

/// The rates of one scenario, over the blocks that carried its load.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Rates {
	/// Blocks counted (the first loaded block opens the interval and is not counted in it).
	pub blocks: usize,
	/// Seconds from the first loaded block's timestamp to the last's.
	pub seconds: f64,
	/// Included signed extrinsics per second.
	pub extrinsics_per_second: f64,
	/// Included signed extrinsics per second, by `Pallet.call`.
	pub by_call: BTreeMap<String, f64>,
	/// The mean fee each call paid, in STU.
	pub mean_fee: BTreeMap<String, f64>,
	/// Extrinsics that were included but failed.
	pub failed: u64,
	/// The mean fullness of the counted blocks (normal class, ref time).
	pub mean_fullness: f64,
	/// The fullest counted block.
	pub max_fullness: f64,
}

/// The rates over `blocks` (in order): from the first block that included any signed extrinsic
/// to the last one. The first block's extrinsics arrived before the interval opened (their
/// block time is not measured), so the rate counts the blocks after it, over the time from its
/// timestamp to the last's. `None` when fewer than two blocks carried load.
pub fn rates(blocks: &[BlockRecord]) -> Option<Rates> {
	let first = blocks.iter().position(|block| block.signed() > 0)?;
	let last = blocks.iter().rposition(|block| block.signed() > 0)?;
	if last <= first {
		return None
	}
	let counted = &blocks[first + 1..=last];
	let seconds = (blocks[last].timestamp_ms.saturating_sub(blocks[first].timestamp_ms)) as f64 / 1000.0;
	if seconds <= 0.0 {
		return None
	}
	let mut by_call: BTreeMap<String, u64> = BTreeMap::new();
	let mut fees: BTreeMap<String, u128> = BTreeMap::new();
	for block in counted {
		for (call, included) in &block.included {
			*by_call.entry(call.clone()).or_default() += included.succeeded + included.failed;
			*fees.entry(call.clone()).or_default() += included.fees;
		}
	}
	let mean_fee = fees
		.iter()
		.map(|(call, total)| (call.clone(), *total as f64 / by_call[call].max(1) as f64 / crate::setup::UNIT as f64))
		.collect();
	let total: u64 = by_call.values().sum();
	let failed = counted.iter().flat_map(|block| block.included.values()).map(|included| included.failed).sum();
	let fullness: Vec<f64> = counted.iter().map(|block| block.fullness).collect();
	Some(Rates {
		blocks: counted.len(),
		seconds,
		extrinsics_per_second: total as f64 / seconds,
		by_call: by_call.into_iter().map(|(call, count)| (call, count as f64 / seconds)).collect(),
		mean_fee,
		failed,
		mean_fullness: fullness.iter().sum::<f64>() / fullness.len() as f64,
		max_fullness: fullness.iter().cloned().fold(0.0, f64::max),
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn block(number: u64, seconds: u64, calls: &[(&str, u64, u64)], fullness: f64) -> BlockRecord {
		BlockRecord {
			number,
			timestamp_ms: seconds * 1000,
			included: calls
				.iter()
				.map(|(call, succeeded, failed)| {
					let fees = (succeeded + failed) as u128 * crate::setup::UNIT / 100;
					(call.to_string(), Included { succeeded: *succeeded, failed: *failed, fees })
				})
				.collect(),
			fullness,
			length: 0,
		}
	}

	#[test]
	fn rates_count_what_blocks_included_after_the_first_loaded_block() {
		let blocks = [
			block(1, 0, &[], 0.0),
			// The first loaded block opens the interval: its 50 are not counted.
			block(2, 3, &[("Balances.transfer_keep_alive", 50, 0)], 0.5),
			block(3, 6, &[("Balances.transfer_keep_alive", 90, 0)], 0.9),
			block(4, 9, &[("Balances.transfer_keep_alive", 60, 0), ("JobEscrow.claim_job", 0, 30)], 0.8),
			// Trailing empty blocks after the load do not stretch the interval.
			block(5, 12, &[], 0.0),
		];
		let rates = rates(&blocks).unwrap();
		assert_eq!(rates.blocks, 2);
		assert_eq!(rates.seconds, 6.0);
		assert_eq!(rates.extrinsics_per_second, 180.0 / 6.0);
		assert_eq!(rates.by_call["Balances.transfer_keep_alive"], 150.0 / 6.0);
		assert_eq!(rates.by_call["JobEscrow.claim_job"], 30.0 / 6.0);
		assert_eq!(rates.failed, 30);
		// Each extrinsic of the test blocks paid a hundredth of a token.
		assert_eq!(rates.mean_fee["Balances.transfer_keep_alive"], 0.01);
		assert!((rates.mean_fullness - 0.85).abs() < 1e-9);
		assert_eq!(rates.max_fullness, 0.9);
	}

	#[test]
	fn no_rate_without_two_loaded_blocks() {
		assert_eq!(rates(&[]), None);
		assert_eq!(rates(&[block(1, 0, &[], 0.0), block(2, 3, &[], 0.0)]), None);
		assert_eq!(rates(&[block(1, 0, &[("Balances.transfer_keep_alive", 9, 0)], 0.1), block(2, 3, &[], 0.0)]), None);
	}
}
