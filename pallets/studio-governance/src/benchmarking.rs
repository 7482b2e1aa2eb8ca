//! Benchmarks of studio governance (FRAME benchmarking v2), each in its heaviest case.

use super::*;
use crate::Pallet as Governance;
use alloc::boxed::Box;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, Get, Hooks};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::Saturating;

/// An account with `share` times the existential deposit.
fn funded<T: Config>(name: &'static str, index: u32, share: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = <T::Currency as fungible::Inspect<_>>::minimum_balance().saturating_mul(share.into());
	T::Currency::set_balance(&who, amount.max(T::ProposalDeposit::get().saturating_mul(4u32.into())));
	who
}

/// A valid tightening action: lower the deviation limit by `step` parts per million.
fn tighten<T: Config>(step: u32) -> ActionOf<T> {
	let current = Governance::<T>::parameter(StudioParameter::MaxStyleDeviation).unwrap();
	GovernanceAction::SetParameter {
		parameter: StudioParameter::MaxStyleDeviation,
		value: current - step as u128,
	}
}

fn open_proposal<T: Config>(proposer: &T::AccountId, step: u32) -> ProposalId {
	let id = NextProposalId::<T>::get();
	Governance::<T>::propose(RawOrigin::Signed(proposer.clone()).into(), Box::new(tighten::<T>(step)))
		.unwrap();
	id
}

fn past_fast_voting_period<T: Config>() {
	let period = Governance::<T>::track_info(Track::Fast).voting_period;
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(period).saturating_add(1u32.into()));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn propose() {
		let proposer = funded::<T>("proposer", 0, 1_000);
		#[extrinsic_call]
		_(RawOrigin::Signed(proposer), Box::new(tighten::<T>(1)));
		assert_eq!(ActiveProposals::<T>::get(), 1);
	}

	#[benchmark]
	fn vote(v: Linear<1, { T::MaxVotesPerAccount::get() }>) {
		let voter = funded::<T>("voter", 0, 1_000);
		// One proposal per proposer: an account has at most `MaxProposalsPerAccount` open.
		let proposals: alloc::vec::Vec<_> =
			(0..v).map(|i| open_proposal::<T>(&funded::<T>("proposer", i, 1_000), i + 1)).collect();
		let amount = <T::Currency as fungible::Inspect<_>>::minimum_balance();
		for proposal in &proposals[..(v - 1) as usize] {
			Governance::<T>::vote(RawOrigin::Signed(voter.clone()).into(), *proposal, true, amount).unwrap();
		}
		let last = proposals[(v - 1) as usize];
		#[extrinsic_call]
		_(RawOrigin::Signed(voter.clone()), last, true, amount);
		assert_eq!(Votes::<T>::get(&voter).len(), v as usize);
	}

	#[benchmark]
	fn unlock(v: Linear<1, { T::MaxVotesPerAccount::get() }>) {
		let proposer = funded::<T>("proposer", 0, 1_000);
		let voter = funded::<T>("voter", 0, 1_000);
		let amount = <T::Currency as fungible::Inspect<_>>::minimum_balance();
		// One proposal per proposer: an account has at most `MaxProposalsPerAccount` open.
		let proposals: alloc::vec::Vec<_> =
			(0..v).map(|i| open_proposal::<T>(&funded::<T>("proposer", i, 1_000), i + 1)).collect();
		for proposal in &proposals {
			Governance::<T>::vote(RawOrigin::Signed(voter.clone()).into(), *proposal, true, amount).unwrap();
		}
		past_fast_voting_period::<T>();
		for proposal in &proposals {
			Governance::<T>::close(RawOrigin::Signed(proposer.clone()).into(), *proposal).unwrap();
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(voter.clone()));
		assert!(Votes::<T>::get(&voter).is_empty());
	}

	#[benchmark]
	fn close() {
		let proposer = funded::<T>("proposer", 0, 1_000);
		let whale = funded::<T>("whale", 0, 1_000_000);
		let proposal = open_proposal::<T>(&proposer, 1);
		let stake = <T::Currency as fungible::Inspect<_>>::balance(&whale);
		Governance::<T>::vote(RawOrigin::Signed(whale).into(), proposal, true, stake).unwrap();
		past_fast_voting_period::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(proposer), proposal);
		assert!(Proposals::<T>::get(proposal).is_none());
	}

	#[benchmark]
	fn force_enact() {
		let action = tighten::<T>(1);
		let GovernanceAction::SetParameter { parameter, value } = action.clone() else {
			unreachable!("tighten sets a parameter")
		};
		#[extrinsic_call]
		_(RawOrigin::Root, Box::new(action));
		assert_eq!(Governance::<T>::parameter(parameter).unwrap(), value);
	}

	#[benchmark]
	fn on_initialize(n: Linear<0, { T::MaxEnactmentsPerBlock::get() }>) {
		let block: BlockNumberFor<T> = 10u32.into();
		for proposal in 0..n {
			PendingEnactments::<T>::insert(proposal, (Track::Slow, tighten::<T>(1)));
			EnactmentQueue::<T>::try_mutate(block, |queue| queue.try_push(proposal)).unwrap();
		}
		#[block]
		{
			Governance::<T>::on_initialize(block);
		}
		assert!(EnactmentQueue::<T>::get(block).is_empty());
	}

	impl_benchmark_test_suite!(Governance, crate::mock::new_test_ext(), crate::mock::Test);
}
