//! Stakes: taken, changed and withdrawn while a curation runs.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::{traits::Zero, Saturating};
use studio_primitives::JobId;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_stake(
		who: T::AccountId,
		job: JobId,
		finalist: u32,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		let mut curation = Curations::<T>::get(job).ok_or(Error::<T>::UnknownCuration)?;
		ensure!(frame_system::Pallet::<T>::block_number() < curation.ends_at, Error::<T>::CurationOver);
		ensure!((finalist as usize) < curation.finalists.len(), Error::<T>::UnknownFinalist);
		ensure!(amount >= T::MinStake::get(), Error::<T>::StakeTooLow);
		let weight = Self::stake_weight(&who, amount);
		let held = match curation.stakes.iter().position(|stake| stake.curator == who) {
			Some(index) => {
				let old = curation.stakes.remove(index);
				Self::untally(&mut curation, &old);
				old.amount
			},
			None => {
				if curation.stakes.is_full() {
					Self::displace_smallest(job, &mut curation, amount)?;
				}
				Zero::zero()
			},
		};
		if amount > held {
			T::Currency::hold(&HoldReason::CurationStake.into(), &who, amount.saturating_sub(held))?;
		} else {
			T::Currency::release(&HoldReason::CurationStake.into(), &who, held.saturating_sub(amount), Precision::Exact)?;
		}
		let stake = Stake { curator: who.clone(), finalist, amount, weight };
		Self::tally(&mut curation, &stake);
		curation.stakes.try_push(stake).map_err(|_| Error::<T>::TooManyStakers)?;
		Curations::<T>::insert(job, curation);
		Self::deposit_event(Event::Staked { job, curator: who, finalist, amount, weight });
		Ok(())
	}

	pub(crate) fn do_withdraw_stake(who: T::AccountId, job: JobId) -> DispatchResult {
		let mut curation = Curations::<T>::get(job).ok_or(Error::<T>::UnknownCuration)?;
		ensure!(frame_system::Pallet::<T>::block_number() < curation.ends_at, Error::<T>::CurationOver);
		let index = curation.stakes.iter().position(|stake| stake.curator == who).ok_or(Error::<T>::NoStake)?;
		let stake = curation.stakes.remove(index);
		Self::untally(&mut curation, &stake);
		T::Currency::release(&HoldReason::CurationStake.into(), &who, stake.amount, Precision::Exact)?;
		Curations::<T>::insert(job, curation);
		Self::deposit_event(Event::StakeWithdrawn { job, curator: who, amount: stake.amount });
		Ok(())
	}

	/// Makes room in a full curation for a stake of `amount`: the smallest stake (the oldest
	/// of equal ones) goes, if it is smaller.
	fn displace_smallest(job: JobId, curation: &mut CurationOf<T>, amount: BalanceOf<T>) -> DispatchResult {
		let (index, smallest) = curation
			.stakes
			.iter()
			.enumerate()
			.min_by_key(|(index, stake)| (stake.amount, *index))
			.map(|(index, stake)| (index, stake.amount))
			.ok_or(Error::<T>::TooManyStakers)?;
		ensure!(smallest < amount, Error::<T>::TooManyStakers);
		let displaced = curation.stakes.remove(index);
		Self::untally(curation, &displaced);
		T::Currency::release(&HoldReason::CurationStake.into(), &displaced.curator, displaced.amount, Precision::Exact)?;
		Self::deposit_event(Event::StakeDisplaced { job, curator: displaced.curator, amount: displaced.amount });
		Ok(())
	}

	fn tally(curation: &mut CurationOf<T>, stake: &Stake<T::AccountId, BalanceOf<T>>) {
		if let Some(finalist) = curation.finalists.get_mut(stake.finalist as usize) {
			finalist.weight = finalist.weight.saturating_add(stake.weight);
		}
	}

	fn untally(curation: &mut CurationOf<T>, stake: &Stake<T::AccountId, BalanceOf<T>>) {
		if let Some(finalist) = curation.finalists.get_mut(stake.finalist as usize) {
			finalist.weight = finalist.weight.saturating_sub(stake.weight);
		}
	}
}
