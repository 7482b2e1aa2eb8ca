//! Benchmarks of the circuit breaker (FRAME benchmarking v2).

use super::*;
use crate::Pallet as Breaker;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use sp_runtime::Saturating;
use studio_primitives::StudioParams;

/// A council of `ReviewQuorum` reviewers, set through the runtime.
fn council<T: Config>() -> Vec<T::AccountId> {
	let quorum = T::Params::review_quorum().max(1);
	let reviewers: Vec<T::AccountId> = (0..quorum).map(|n| account("reviewer", n, 0)).collect();
	T::BenchmarkHelper::set_reviewers(reviewers.clone());
	reviewers
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn halt() {
		let reviewer = council::<T>()[0].clone();
		let agent: T::AccountId = account("agent", 0, 0);
		T::BenchmarkHelper::occupy(&agent);
		#[extrinsic_call]
		_(RawOrigin::Signed(reviewer), Scope::Agent(agent.clone()));
		assert!(HaltedAgents::<T>::contains_key(&agent));
	}

	#[benchmark]
	fn review() {
		let reviewers = council::<T>();
		let agent: T::AccountId = account("agent", 0, 0);
		T::BenchmarkHelper::occupy(&agent);
		Breaker::<T>::halt(RawOrigin::Signed(reviewers[0].clone()).into(), Scope::Agent(agent.clone()))
			.unwrap();
		let incident = NextIncidentId::<T>::get() - 1;
		let (deciding, others) = reviewers.split_last().unwrap();
		for reviewer in others {
			Breaker::<T>::review(RawOrigin::Signed(reviewer.clone()).into(), incident, Decision::Retire)
				.unwrap();
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(deciding.clone()), incident, Decision::Retire);
		assert_eq!(Incidents::<T>::get(incident).unwrap().status, IncidentStatus::Retired);
	}

	#[benchmark]
	fn expire_reviews(n: Linear<0, { T::MaxDeadlinesPerBlock::get() }>) {
		let reviewer = council::<T>()[0].clone();
		for index in 0..n {
			let agent: T::AccountId = account("agent", index, 0);
			Breaker::<T>::halt(RawOrigin::Signed(reviewer.clone()).into(), Scope::Agent(agent)).unwrap();
		}
		let deadline = frame_system::Pallet::<T>::block_number().saturating_add(T::ReviewPeriod::get());
		ReviewCursor::<T>::put(deadline);
		#[block]
		{
			Breaker::<T>::expire_reviews(deadline);
		}
		for incident in 0..n {
			assert_eq!(Incidents::<T>::get(incident).unwrap().status, IncidentStatus::Expired);
		}
	}

	impl_benchmark_test_suite!(Breaker, crate::mock::new_test_ext(), crate::mock::Test);
}
