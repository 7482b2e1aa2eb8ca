//! Benchmarks of the provenance pallet's calls.

use super::*;
use crate::Pallet as Provenance;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use sp_runtime::Saturating;
use frame_system::RawOrigin;
use sp_runtime::traits::StaticLookup;

/// A raw CIDv1 whose digest is `n` in big-endian, padded: distinct for every `n`.
fn cid(n: u32) -> CidBytes {
	let mut digest = [0u8; 32];
	digest[28..].copy_from_slice(&n.to_be_bytes());
	raw_cid(digest)
}

/// An account able to pay the deposits of `registrations` external assets.
fn funded<T: Config>(who: T::AccountId, registrations: u32) -> T::AccountId {
	let deposits = T::ExternalDeposit::get().saturating_mul(registrations.into());
	T::Currency::set_balance(&who, T::Currency::minimum_balance().saturating_add(deposits));
	who
}

/// Records `count` external parents owned by `owner`.
fn parents<T: Config>(owner: &T::AccountId, count: u32) -> ParentsOf<T> {
	let parents: Vec<CidBytes> = (1..=count).map(cid).collect();
	for parent in &parents {
		Provenance::<T>::register_external(
			RawOrigin::Signed(owner.clone()).into(),
			parent.clone(),
			Default::default(),
		)
		.expect("a fresh CID registers");
	}
	ParentsOf::<T>::try_from(parents).expect("at most MaxParents")
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_external(p: Linear<0, { T::MaxParents::get() }>) {
		let artist = funded::<T>(whitelisted_caller(), p + 1);
		let parents = parents::<T>(&artist, p);
		let asset = cid(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(artist), asset.clone(), parents);
		assert!(Assets::<T>::contains_key(&asset));
	}

	#[benchmark]
	fn transfer_asset() {
		let artist = funded::<T>(whitelisted_caller(), 1);
		let buyer: T::AccountId = account("buyer", 0, 0);
		let asset = parents::<T>(&artist, 1)[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(artist), asset.clone(), T::Lookup::unlookup(buyer.clone()));
		assert_eq!(Assets::<T>::get(&asset).unwrap().owner, buyer);
	}

	impl_benchmark_test_suite!(Provenance, crate::mock::new_test_ext(), crate::mock::Test);
}
