//! Weights of the studio governance pallet.
//!
//! NOT YET MEASURED: the ref-time figures below are estimates (each storage access counted
//! from the code, plus a compute allowance), until `benchmarking.rs` is run with
//! `frame-omni-bencher` on reference hardware and this file is regenerated from its output.
//! The proof sizes are the `MaxEncodedLen` bounds of what each call reads.

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, RuntimeDbWeight, Weight},
};

/// Weight functions of `pallet_studio_governance`.
pub trait WeightInfo {
	/// `propose`: counts proposals, validates the action, holds the deposit, stores it.
	fn propose() -> Weight;
	/// `vote` by an account with `v` votes recorded.
	fn vote(v: u32) -> Weight;
	/// `unlock` by an account with `v` votes recorded.
	fn unlock(v: u32) -> Weight;
	/// `close` in its heaviest branch: passes and enacts at once.
	fn close() -> Weight;
	/// `force_enact` of a parameter change (its heaviest action: bounds, step and quorum
	/// checks).
	fn force_enact() -> Weight;
	/// `on_initialize` enacting `n` due actions.
	fn on_initialize(n: u32) -> Weight;
}

/// The estimates, over the database weights `D`.
pub struct WeightsWith<D>(PhantomData<D>);

/// Weights for a runtime, from its database weights.
pub type SubstrateWeight<T> = WeightsWith<<T as frame_system::Config>::DbWeight>;

impl<D: Get<RuntimeDbWeight>> WeightInfo for WeightsWith<D> {
	fn propose() -> Weight {
		Weight::from_parts(60_000_000, 8_000).saturating_add(D::get().reads_writes(7, 5))
	}
	fn vote(v: u32) -> Weight {
		Weight::from_parts(55_000_000, 6_000)
			.saturating_add(Weight::from_parts(400_000, 0).saturating_mul(v.into()))
			.saturating_add(D::get().reads_writes(4, 4))
	}
	fn unlock(v: u32) -> Weight {
		Weight::from_parts(40_000_000, 4_000)
			.saturating_add(Weight::from_parts(2_000_000, 3_000).saturating_mul(v.into()))
			.saturating_add(D::get().reads_writes(3 + v as u64, 3))
	}
	fn close() -> Weight {
		Weight::from_parts(80_000_000, 10_000).saturating_add(D::get().reads_writes(9, 7))
	}
	fn force_enact() -> Weight {
		Weight::from_parts(20_000_000, 3_000).saturating_add(D::get().reads_writes(3, 1))
	}
	fn on_initialize(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_500)
			.saturating_add(Weight::from_parts(30_000_000, 6_000).saturating_mul(n.into()))
			.saturating_add(D::get().reads_writes(1 + 4 * n as u64, 1 + 3 * n as u64))
	}
}

/// The estimates with RocksDb weights, for tests and mocks.
impl WeightInfo for () {
	fn propose() -> Weight {
		WeightsWith::<RocksDbWeight>::propose()
	}
	fn vote(v: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::vote(v)
	}
	fn unlock(v: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::unlock(v)
	}
	fn close() -> Weight {
		WeightsWith::<RocksDbWeight>::close()
	}
	fn force_enact() -> Weight {
		WeightsWith::<RocksDbWeight>::force_enact()
	}
	fn on_initialize(n: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::on_initialize(n)
	}
}
