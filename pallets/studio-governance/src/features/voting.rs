//! Token-weighted votes, held as fungible freezes.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::fungible::{Inspect, MutateFreeze},
};
use sp_runtime::{traits::Zero, Saturating};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_vote(
		who: T::AccountId,
		proposal_id: ProposalId,
		aye: bool,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroVote);
		let mut proposal = Proposals::<T>::get(proposal_id).ok_or(Error::<T>::UnknownProposal)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= proposal.voting_ends, Error::<T>::VotingClosed);
		ensure!(amount <= T::Currency::balance(&who), Error::<T>::InsufficientBalance);

		let mut votes = Votes::<T>::get(&who);
		let new_vote = AccountVote { aye, amount };
		match votes.iter_mut().find(|(id, _)| *id == proposal_id) {
			Some((_, previous)) => {
				Self::untally(&mut proposal.tally, previous);
				*previous = new_vote;
			},
			None => {
				if votes.is_full() {
					Self::forget_closed_votes(&mut votes);
				}
				votes.try_push((proposal_id, new_vote)).map_err(|_| Error::<T>::TooManyVotes)?;
			},
		}
		if aye {
			proposal.tally.ayes.saturating_accrue(amount);
		} else {
			proposal.tally.nays.saturating_accrue(amount);
		}

		Self::refreeze(&who, &votes)?;
		Votes::<T>::insert(&who, votes);
		Proposals::<T>::insert(proposal_id, proposal);
		Self::deposit_event(Event::Voted { proposal: proposal_id, voter: who, aye, amount });
		Ok(())
	}

	pub(crate) fn do_unlock(who: T::AccountId) -> DispatchResult {
		let mut votes = Votes::<T>::get(&who);
		Self::forget_closed_votes(&mut votes);
		let still_frozen = Self::refreeze(&who, &votes)?;
		if votes.is_empty() {
			Votes::<T>::remove(&who);
		} else {
			Votes::<T>::insert(&who, votes);
		}
		Self::deposit_event(Event::Unlocked { who, still_frozen });
		Ok(())
	}

	fn untally(tally: &mut Tally<BalanceOf<T>>, vote: &AccountVote<BalanceOf<T>>) {
		if vote.aye {
			tally.ayes.saturating_reduce(vote.amount);
		} else {
			tally.nays.saturating_reduce(vote.amount);
		}
	}

	/// Drops the votes on proposals that are no longer open.
	fn forget_closed_votes(
		votes: &mut BoundedVec<(ProposalId, AccountVote<BalanceOf<T>>), T::MaxVotesPerAccount>,
	) {
		votes.retain(|(proposal, _)| Proposals::<T>::contains_key(proposal));
	}

	/// Sets the account's vote freeze to its largest vote (lifting it when there is none);
	/// returns the new freeze.
	fn refreeze(
		who: &T::AccountId,
		votes: &BoundedVec<(ProposalId, AccountVote<BalanceOf<T>>), T::MaxVotesPerAccount>,
	) -> Result<BalanceOf<T>, DispatchError> {
		let largest = Self::largest_vote(votes);
		if largest.is_zero() {
			T::Currency::thaw(&FreezeReason::Vote.into(), who)?;
		} else {
			T::Currency::set_freeze(&FreezeReason::Vote.into(), who, largest)?;
		}
		Ok(largest)
	}

	pub(crate) fn largest_vote(votes: &[(ProposalId, AccountVote<BalanceOf<T>>)]) -> BalanceOf<T> {
		votes.iter().map(|(_, vote)| vote.amount).max().unwrap_or_else(Zero::zero)
	}
}
