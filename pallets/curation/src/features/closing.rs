//! Closing a curation: the winner, the reward, every stake released, reputations and the
//! style's preference moved.

use crate::*;
use frame_support::{
	ensure,
	traits::{
		fungible::{Mutate, MutateHold},
		tokens::{Precision, Preservation},
	},
};
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Zero},
	DispatchError, PerThing, Perbill, Rounding,
};
use studio_primitives::JobId;

impl<T: Config> Pallet<T> {
	/// The finalist a curation chooses: the largest weighted stake; among equals the lower
	/// style deviation, then the worker's order. With no stakes at all every weight is zero, so
	/// the worker's own best (lowest deviation) wins.
	pub(crate) fn winner(finalists: &[Finalist<T::MaxStyleDimensions>]) -> usize {
		finalists
			.iter()
			.enumerate()
			.min_by_key(|(index, finalist)| (core::cmp::Reverse(finalist.weight), finalist.style_deviation, *index))
			.map(|(index, _)| index)
			.unwrap_or_default()
	}

	/// Closes `job`'s curation once it is over; returns the chosen finalist and how many stakes
	/// the close walked. The caller tells the job escrow.
	pub(crate) fn do_close(job: JobId) -> Result<(u32, u32), DispatchError> {
		let curation = Curations::<T>::get(job).ok_or(Error::<T>::UnknownCuration)?;
		ensure!(frame_system::Pallet::<T>::block_number() >= curation.ends_at, Error::<T>::CurationRunning);
		let winner = Self::winner(&curation.finalists);
		let winning_weight = curation.finalists[winner].weight;
		let total_weight = curation.finalists.iter().fold(0u128, |sum, finalist| sum.saturating_add(finalist.weight));
		let runner_up = curation
			.finalists
			.iter()
			.enumerate()
			.filter(|(index, _)| *index != winner)
			.map(|(_, finalist)| finalist.weight)
			.max()
			.unwrap_or_default();

		// Rewards first, while every staker's account is kept alive by its stake.
		let mut rewarded = BalanceOf::<T>::zero();
		for stake in curation.stakes.iter().filter(|stake| stake.finalist as usize == winner) {
			let amount = Self::share_of(curation.reward, stake.weight, winning_weight);
			if !amount.is_zero() {
				T::Currency::transfer(&Self::reward_account(), &stake.curator, amount, Preservation::Preserve)?;
				rewarded.saturating_accrue(amount);
				Self::deposit_event(Event::CuratorRewarded { job, curator: stake.curator.clone(), amount });
			}
		}
		let remainder = curation.reward.saturating_sub(rewarded);
		// The client may have let its account go: a remainder it cannot receive stays in the
		// reward account (covered by the invariant's "at least").
		let returned =
			match T::Currency::transfer(&Self::reward_account(), &curation.client, remainder, Preservation::Preserve) {
				Ok(_) => remainder,
				Err(_) => Zero::zero(),
			};
		for stake in curation.stakes.iter() {
			T::Currency::release(&HoldReason::CurationStake.into(), &stake.curator, stake.amount, Precision::Exact)?;
			Self::record_pick(&stake.curator, stake.finalist as usize == winner);
		}
		if !total_weight.is_zero() {
			let step = Self::preference_step(winning_weight, runner_up, total_weight);
			if let Some(length) = Self::learn(curation.style, &curation.finalists, winner, step) {
				Self::deposit_event(Event::PreferenceMoved { style: curation.style, length });
			}
		}
		Curations::<T>::remove(job);
		Self::deposit_event(Event::CurationClosed {
			job,
			winner: winner as u32,
			winning_weight,
			total_weight,
			rewarded,
			returned,
		});
		Ok((winner as u32, curation.stakes.len() as u32))
	}

	/// `reward × weight / total`, in parts per billion of the winning weight, rounded down:
	/// the shares never add up to more than the reward.
	fn share_of(reward: BalanceOf<T>, weight: u128, total: u128) -> BalanceOf<T> {
		if total.is_zero() {
			return Zero::zero()
		}
		let reward: u128 = reward.unique_saturated_into();
		let share = Perbill::from_rational_with_rounding(weight, total, Rounding::Down).unwrap_or_default();
		share.mul_floor(reward).unique_saturated_into()
	}
}
