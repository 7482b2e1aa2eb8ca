//! Benchmarks of the validator set's hook: a session rotation at its worst, when the planned
//! set changed and every validator in it is new (the session pallet queues all their keys, and
//! Aura and GRANDPA take a new authority set).

use super::*;
use crate::Pallet as ValidatorSet;
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec, Hashable};
use sp_runtime::traits::TrailingZeroInput;

/// `count` validators named by `name`, each with distinct session keys registered.
fn validators_with_keys<T: Config>(name: &'static str, count: u32) -> Vec<T::AccountId> {
	(0..count)
		.map(|index| {
			let validator: T::AccountId = account(name, index, 0);
			// Distinct bytes for every key in `T::Keys` (two of 32 bytes each in the runtime).
			let seed: Vec<u8> = (0u8..4).flat_map(|part| (name, index, part).encode().blake2_256()).collect();
			let keys = T::Keys::decode(&mut TrailingZeroInput::new(&seed)).expect("any bytes decode to keys");
			pallet_session::NextKeys::<T>::insert(&validator, keys);
			validator
		})
		.collect()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A rotation that queues `v` new validators after `v` others validated.
	#[benchmark]
	fn rotate_session(v: Linear<1, { T::MaxValidators::get() }>) {
		let ending = validators_with_keys::<T>("ending", v);
		pallet_session::Validators::<T>::put(ending.clone());
		pallet_session::QueuedKeys::<T>::put(
			ending.iter().map(|who| (who.clone(), pallet_session::NextKeys::<T>::get(who).expect("registered"))).collect::<Vec<_>>(),
		);
		pallet_session::QueuedChanged::<T>::put(true);
		let planned = validators_with_keys::<T>("planned", v);
		PlannedValidators::<T>::put(BoundedVec::try_from(planned.clone()).expect("at most MaxValidators"));
		PlanChanged::<T>::put(true);
		#[block]
		{
			pallet_session::Pallet::<T>::rotate_session();
		}
		assert_eq!(pallet_session::Validators::<T>::get(), ending);
		assert_eq!(pallet_session::QueuedKeys::<T>::decode_len(), Some(v as usize));
		assert!(!PlanChanged::<T>::get());
	}

	impl_benchmark_test_suite!(ValidatorSet, crate::mock::new_test_ext(), crate::mock::Test);
}
