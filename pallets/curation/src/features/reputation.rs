//! Curator reputation: earned by winning picks, lost by losing ones, decaying while unused.

use crate::*;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Saturating, UniqueSaturatedInto};
use studio_primitives::StudioParams;

impl<T: Config> Pallet<T> {
	/// `record`'s reputation at `now`: halved for each whole `ReputationHalfLife` since it was
	/// last brought up to date, and within the last, unfinished half-life lowered linearly
	/// towards the next halving.
	pub(crate) fn decayed(record: &CuratorRecord<BlockNumberFor<T>>, now: BlockNumberFor<T>) -> u32 {
		let half_life: u64 = T::Params::reputation_half_life().unique_saturated_into();
		let elapsed: u64 = now.saturating_sub(record.updated_at).unique_saturated_into();
		if half_life == 0 || record.reputation == 0 {
			return record.reputation
		}
		let halvings = elapsed / half_life;
		if halvings >= 32 {
			return 0
		}
		let halved = record.reputation >> halvings;
		let partial = (halved as u64).saturating_mul(elapsed % half_life) / half_life.saturating_mul(2);
		halved.saturating_sub(partial as u32)
	}

	/// What a stake of `amount` by `who` weighs now: the amount times `1 + reputation`.
	pub(crate) fn stake_weight(who: &T::AccountId, amount: BalanceOf<T>) -> u128 {
		let reputation = Self::decayed(&Curators::<T>::get(who), frame_system::Pallet::<T>::block_number());
		let amount: u128 = amount.unique_saturated_into();
		let bonus = amount / REPUTATION_UNIT * reputation as u128 +
			amount % REPUTATION_UNIT * reputation as u128 / REPUTATION_UNIT;
		amount.saturating_add(bonus)
	}

	/// A pick of `curator` won or lost: its reputation, brought up to date, moves
	/// `ReputationGain` of the way to `MaxReputation`, or loses `ReputationLoss` of itself.
	pub(crate) fn record_pick(curator: &T::AccountId, won: bool) {
		let now = frame_system::Pallet::<T>::block_number();
		let reputation = Curators::<T>::mutate(curator, |record| {
			let current = Self::decayed(record, now);
			record.reputation = if won {
				let room = T::MaxReputation::get().saturating_sub(current);
				current.saturating_add(T::Params::reputation_gain().mul_floor(room))
			} else {
				current.saturating_sub(T::Params::reputation_loss().mul_ceil(current))
			}
			.min(T::MaxReputation::get());
			if won {
				record.wins.saturating_inc();
			} else {
				record.losses.saturating_inc();
			}
			record.updated_at = now;
			record.reputation
		});
		Self::deposit_event(Event::ReputationChanged { curator: curator.clone(), reputation });
	}
}
