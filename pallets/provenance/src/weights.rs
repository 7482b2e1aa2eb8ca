//! Weights of the provenance pallet.
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

/// Weight functions of `pallet_provenance`.
pub trait WeightInfo {
	/// `register_external` of an asset with `p` parents.
	fn register_external(p: u32) -> Weight;
	/// `transfer_asset`.
	fn transfer_asset() -> Weight;
}

/// The estimates, over the database weights `D`.
pub struct WeightsWith<D>(PhantomData<D>);

/// Weights for a runtime, from its database weights.
pub type SubstrateWeight<T> = WeightsWith<<T as frame_system::Config>::DbWeight>;

impl<D: Get<RuntimeDbWeight>> WeightInfo for WeightsWith<D> {
	fn register_external(p: u32) -> Weight {
		Weight::from_parts(30_000_000, 3_000)
			.saturating_add(Weight::from_parts(6_000_000, 3_000).saturating_mul(p.into()))
			.saturating_add(D::get().reads_writes(2 + p as u64, 1 + p as u64))
	}
	fn transfer_asset() -> Weight {
		Weight::from_parts(20_000_000, 3_000).saturating_add(D::get().reads_writes(1, 1))
	}
}

/// The estimates with RocksDb weights, for tests and mocks.
impl WeightInfo for () {
	fn register_external(p: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::register_external(p)
	}
	fn transfer_asset() -> Weight {
		WeightsWith::<RocksDbWeight>::transfer_asset()
	}
}
