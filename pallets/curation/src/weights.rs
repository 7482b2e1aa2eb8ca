//! Weights of the curation pallet.
//!
//! NOT YET MEASURED: the ref-time figures below are estimates (each storage access counted
//! from the code, plus a compute allowance per stake walked), until benchmarks are run with
//! `frame-omni-bencher` and this file is regenerated from their output. The proof sizes bound
//! what each call reads: a curation record with `s` stakes (about 70 bytes each) and its
//! finalists' style vectors.

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions of `pallet_curation`.
pub trait WeightInfo {
	/// `stake` on a curation with `s` stakes (a full one displaces its smallest).
	fn stake(s: u32) -> Weight;
	/// `withdraw_stake` from a curation with `s` stakes.
	fn withdraw_stake(s: u32) -> Weight;
	/// Closing a curation with `s` stakes: a reward, a release and a reputation per stake,
	/// the preference update.
	fn close(s: u32) -> Weight;
	/// Opening a curation (the job escrow's `submit_finalists`).
	fn open() -> Weight;
}

/// The estimates, over the database weights `D`.
pub struct WeightsWith<D>(PhantomData<D>);

/// Weights for a runtime, from its database weights.
pub type SubstrateWeight<T> = WeightsWith<<T as frame_system::Config>::DbWeight>;

impl<D: Get<RuntimeDbWeight>> WeightInfo for WeightsWith<D> {
	fn stake(s: u32) -> Weight {
		// The curation, the curator's record, its hold and balance (and a displaced one's).
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(Weight::from_parts(1_000_000, 80).saturating_mul(s.into()))
			.saturating_add(D::get().reads_writes(6, 5))
	}
	fn withdraw_stake(s: u32) -> Weight {
		Weight::from_parts(40_000_000, 8_000)
			.saturating_add(Weight::from_parts(1_000_000, 80).saturating_mul(s.into()))
			.saturating_add(D::get().reads_writes(3, 3))
	}
	fn close(s: u32) -> Weight {
		// Per stake: a transfer (two accounts), a release (hold and account), its record.
		Weight::from_parts(80_000_000, 10_000)
			.saturating_add(Weight::from_parts(60_000_000, 3_000).saturating_mul(s.into()))
			.saturating_add(D::get().reads_writes(4, 4))
			.saturating_add(D::get().reads_writes(5, 5).saturating_mul(s.into()))
	}
	fn open() -> Weight {
		Weight::from_parts(30_000_000, 3_000).saturating_add(D::get().reads_writes(1, 1))
	}
}

/// The estimates with RocksDb weights, for tests and mocks.
impl WeightInfo for () {
	fn stake(s: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::stake(s)
	}
	fn withdraw_stake(s: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::withdraw_stake(s)
	}
	fn close(s: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::close(s)
	}
	fn open() -> Weight {
		WeightsWith::<RocksDbWeight>::open()
	}
}
