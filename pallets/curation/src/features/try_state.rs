//! The invariants of curation.

use crate::*;
use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, InspectHold},
		Get,
	},
};
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks that the reward account covers every running reward, that each curator's stake hold
	/// is the sum of its stakes, that each finalist's weight is its stakes'
	/// sum, that nobody stakes twice on one job, and that reputations stay within bounds.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut rewards = T::Currency::minimum_balance();
		let mut held = alloc::collections::BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		for (_, curation) in Curations::<T>::iter() {
			rewards.saturating_accrue(curation.reward);
			for (index, finalist) in curation.finalists.iter().enumerate() {
				let tally = curation
					.stakes
					.iter()
					.filter(|stake| stake.finalist as usize == index)
					.fold(0u128, |sum, stake| sum.saturating_add(stake.weight));
				ensure!(tally == finalist.weight, "a finalist's weight is not the sum of its stakes");
			}
			for (position, stake) in curation.stakes.iter().enumerate() {
				ensure!(
					!curation.stakes.iter().skip(position + 1).any(|other| other.curator == stake.curator),
					"a curator staked twice on one job"
				);
				held.entry(stake.curator.clone()).or_default().saturating_accrue(stake.amount);
			}
		}
		ensure!(
			T::Currency::balance(&Self::reward_account()) >= rewards,
			"the reward account does not cover the running rewards"
		);
		for (curator, amount) in held.iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::CurationStake.into(), curator) == *amount,
				"a curator's stake hold is not the sum of its stakes"
			);
		}
		for (_, record) in Curators::<T>::iter() {
			ensure!(record.reputation <= T::MaxReputation::get(), "a reputation is above its maximum");
		}
		Ok(())
	}
}
