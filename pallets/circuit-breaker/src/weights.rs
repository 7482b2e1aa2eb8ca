//! Weights of the circuit breaker pallet.
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

/// Weight functions of `pallet_circuit_breaker`.
pub trait WeightInfo {
	/// `halt`: opens an incident (the escrow's release of an agent's claims is added by the
	/// call, from the escrow's weights).
	fn halt() -> Weight;
	/// `review` in its heaviest branch: the deciding vote retires an agent, refusing its
	/// quarantined result (the escrow's retirement of the agent is added by the call).
	fn review() -> Weight;
	/// `on_initialize` expiring `n` incidents, each refunding a quarantined job.
	fn expire_reviews(n: u32) -> Weight;
}

/// The estimates, over the database weights `D`.
pub struct WeightsWith<D>(PhantomData<D>);

/// Weights for a runtime, from its database weights.
pub type SubstrateWeight<T> = WeightsWith<<T as frame_system::Config>::DbWeight>;

impl<D: Get<RuntimeDbWeight>> WeightInfo for WeightsWith<D> {
	fn halt() -> Weight {
		// Releasing up to 8 claims dominates: a job read and write, a due-entry move each.
		Weight::from_parts(80_000_000, 12_000).saturating_add(D::get().reads_writes(14, 30))
	}
	fn review() -> Weight {
		Weight::from_parts(120_000_000, 16_000).saturating_add(D::get().reads_writes(16, 16))
	}
	fn expire_reviews(n: u32) -> Weight {
		Weight::from_parts(3_000_000, 1_500)
			.saturating_add(Weight::from_parts(60_000_000, 9_000).saturating_mul(n.into()))
			.saturating_add(D::get().reads_writes(1 + 7 * n as u64, 1 + 7 * n as u64))
	}
}

/// The estimates with RocksDb weights, for tests and mocks.
impl WeightInfo for () {
	fn halt() -> Weight {
		WeightsWith::<RocksDbWeight>::halt()
	}
	fn review() -> Weight {
		WeightsWith::<RocksDbWeight>::review()
	}
	fn expire_reviews(n: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::expire_reviews(n)
	}
}
