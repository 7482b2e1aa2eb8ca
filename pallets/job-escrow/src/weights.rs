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
	/// One due job processed by `on_idle` (the heavier of settling and expiring; a
	/// verification's verdict is counted apart, by `conclude`).
	fn process_due_job() -> Weight;
	/// `challenge`: the deposit moved into escrow, the verification stored.
	fn challenge() -> Weight;
	/// `commit_finding`.
	fn commit_finding() -> Weight;
	/// `reveal_finding`, without the verdict it may decide.
	fn reveal_finding() -> Weight;
	/// One draw in `on_initialize` over a model listed by `w` workers: the audit roll, each
	/// candidate's record and halt read, the verifiers stored, the job rescheduled.
	fn draw_verifiers(w: u32) -> Weight;
	/// A verdict over `v` verifiers: each absent one slashed or rewarded, the worker paid (or
	/// slashed and halted, the job re-opened or refunded), the challenger paid back.
	fn conclude(v: u32) -> Weight;
}

/// The estimates, over the database weights `D`.
pub struct WeightsWith<D>(PhantomData<D>);

/// Weights for a runtime, from its database weights.
pub type SubstrateWeight<T> = WeightsWith<<T as frame_system::Config>::DbWeight>;

impl<D: Get<RuntimeDbWeight>> WeightInfo for WeightsWith<D> {
	fn register_worker() -> Weight {
		// Up to `MaxCapabilities` (4 in the runtime) models' worker lists.
		Weight::from_parts(55_000_000, 12_000).saturating_add(D::get().reads_writes(8, 7))
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
		Weight::from_parts(50_000_000, 12_000).saturating_add(D::get().reads_writes(7, 7))
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
			.saturating_add(D::get().reads_writes(10 + p as u64, 9 + p as u64))
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
	fn challenge() -> Weight {
		Weight::from_parts(45_000_000, 6_000).saturating_add(D::get().reads_writes(4, 4))
	}
	fn commit_finding() -> Weight {
		Weight::from_parts(20_000_000, 3_000).saturating_add(D::get().reads_writes(1, 1))
	}
	fn reveal_finding() -> Weight {
		Weight::from_parts(30_000_000, 3_000).saturating_add(D::get().reads_writes(1, 1))
	}
	fn draw_verifiers(w: u32) -> Weight {
		Weight::from_parts(40_000_000, 8_000)
			.saturating_add(Weight::from_parts(8_000_000, 600).saturating_mul(w.into()))
			.saturating_add(D::get().reads_writes(6 + 2 * w as u64, 4))
	}
	fn conclude(v: u32) -> Weight {
		// The falling branch, the heavier: slashes, payouts, the breaker's incident (which
		// releases the worker's claims), the job re-opened.
		Weight::from_parts(150_000_000, 16_000)
			.saturating_add(Weight::from_parts(35_000_000, 3_000).saturating_mul(v.into()))
			.saturating_add(D::get().reads_writes(16 + 3 * v as u64, 16 + 3 * v as u64))
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
	fn challenge() -> Weight {
		WeightsWith::<RocksDbWeight>::challenge()
	}
	fn commit_finding() -> Weight {
		WeightsWith::<RocksDbWeight>::commit_finding()
	}
	fn reveal_finding() -> Weight {
		WeightsWith::<RocksDbWeight>::reveal_finding()
	}
	fn draw_verifiers(w: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::draw_verifiers(w)
	}
	fn conclude(v: u32) -> Weight {
		WeightsWith::<RocksDbWeight>::conclude(v)
	}
}
