//! Weights of the job escrow pallet.
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

/// Weight functions of `pallet_job_escrow`.
pub trait WeightInfo {
	/// `register_worker`: reads the parameters, holds the bond, stores the worker.
	fn register_worker() -> Weight;
	/// `bond_extra`: holds more, updates the worker.
	fn bond_extra() -> Weight;
	/// `set_content_address`: reads the worker, stores its address.
	fn set_content_address() -> Weight;
	/// `unregister_worker`.
	fn unregister_worker() -> Weight;
	/// `withdraw_bond`: releases the hold, forgets the worker.
	fn withdraw_bond() -> Weight;
	/// `submit_job` naming `p` parent assets.
	fn submit_job(p: u32) -> Weight;
	/// `cancel_job`.
	fn cancel_job() -> Weight;
	/// `claim_job`.
	fn claim_job() -> Weight;
	/// `submit_result` of a job naming `p` parent assets: records provenance, asks the gate.
	fn submit_result(p: u32) -> Weight;
	/// What a trip of the breaker inside `submit_result` adds: an incident, its review
	/// deadline, and `c` released claims (each job re-opened or refunded).
	fn release_claims(c: u32) -> Weight;
	/// `settle` or `accept_result`: two transfers on hold.
	fn settle() -> Weight;
	/// `expire` in its heaviest branch: an expired claim slashed and its job re-opened.
	fn expire() -> Weight;
	/// One due job processed by `on_idle` (the heavier of settling and expiring).
	fn process_due_job() -> Weight;
}

/// The estimates, over the database weights `D`.
pub struct WeightsWith<D>(PhantomData<D>);

/// Weights for a runtime, from its database weights.
pub type SubstrateWeight<T> = WeightsWith<<T as frame_system::Config>::DbWeight>;

impl<D: Get<RuntimeDbWeight>> WeightInfo for WeightsWith<D> {
	fn register_worker() -> Weight {
		Weight::from_parts(45_000_000, 5_000).saturating_add(D::get().reads_writes(4, 3))
	}
	fn bond_extra() -> Weight {
		Weight::from_parts(35_000_000, 4_000).saturating_add(D::get().reads_writes(3, 3))
	}
	fn set_content_address() -> Weight {
		Weight::from_parts(15_000_000, 3_500).saturating_add(D::get().reads_writes(1, 1))
	}
	fn unregister_worker() -> Weight {
		Weight::from_parts(20_000_000, 3_000).saturating_add(D::get().reads_writes(1, 1))
	}
	fn withdraw_bond() -> Weight {
		Weight::from_parts(40_000_000, 5_000).saturating_add(D::get().reads_writes(3, 3))
	}
	fn submit_job(p: u32) -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(Weight::from_parts(4_000_000, 3_000).saturating_mul(p.into()))
			.saturating_add(D::get().reads_writes(8 + p as u64, 5))
	}
	fn cancel_job() -> Weight {
		Weight::from_parts(40_000_000, 5_000).saturating_add(D::get().reads_writes(3, 4))
	}
	fn claim_job() -> Weight {
		Weight::from_parts(45_000_000, 8_000).saturating_add(D::get().reads_writes(7, 4))
	}
	fn submit_result(p: u32) -> Weight {
		Weight::from_parts(90_000_000, 12_000)
			.saturating_add(Weight::from_parts(6_000_000, 3_000).saturating_mul(p.into()))
			.saturating_add(D::get().reads_writes(10 + p as u64, 7 + p as u64))
	}
	fn release_claims(c: u32) -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(Weight::from_parts(15_000_000, 2_000).saturating_mul(c.into()))
			.saturating_add(D::get().reads_writes(6 + 2 * c as u64, 6 + 4 * c as u64))
	}
	fn settle() -> Weight {
		Weight::from_parts(70_000_000, 9_000).saturating_add(D::get().reads_writes(8, 8))
	}
	fn expire() -> Weight {
		Weight::from_parts(70_000_000, 9_000).saturating_add(D::get().reads_writes(8, 7))
	}
	fn process_due_job() -> Weight {
		Self::settle().max(Self::expire()).saturating_add(D::get().reads_writes(1, 1))
	}
}

/// The estimates with RocksDb weights, for tests and mocks.
impl WeightInfo for () {
	fn register_worker() -> Weight {
		WeightsWith::<RocksDbWeight>::register_worker()
	}
	fn bond_extra() -> Weight {
		WeightsWith::<RocksDbWeight>::bond_extra()
	}
	fn set_content_address() -> Weight {
		WeightsWith::<RocksDbWeight>::set_content_address()
	}
	fn unregister_worker() -> Weight {
		WeightsWith::<RocksDbWeight>::unregister_worker()
	}
	fn withdraw_bond() -> Weight {
		WeightsWith::<RocksDbWeight>::withdraw_bond()
	}
	fn submit_job(p: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::submit_job(p)
	}
	fn cancel_job() -> Weight {
		WeightsWith::<RocksDbWeight>::cancel_job()
	}
	fn claim_job() -> Weight {
		WeightsWith::<RocksDbWeight>::claim_job()
	}
	fn submit_result(p: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::submit_result(p)
	}
	fn release_claims(c: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::release_claims(c)
	}
	fn settle() -> Weight {
		WeightsWith::<RocksDbWeight>::settle()
	}
	fn expire() -> Weight {
		WeightsWith::<RocksDbWeight>::expire()
	}
	fn process_due_job() -> Weight {
		WeightsWith::<RocksDbWeight>::process_due_job()
	}
}
