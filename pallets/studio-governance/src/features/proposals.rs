//! Proposals: opening, classifying into tracks, closing, and enacting passed actions.

use crate::*;
use studio_primitives::ValidatorSet;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, MutateHold},
		tokens::{Fortitude, Precision},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Zero, Perbill, Saturating};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_propose(who: T::AccountId, action: ActionOf<T>) -> DispatchResult {
		Self::validate_action(&action)?;
		let track = Self::track_of(&action);
		let active = ActiveProposals::<T>::get();
		let max = T::MaxActiveProposals::get();
		// The last quarter of the slots is the fast track's: nobody can fill every slot with
		// slow proposals and keep the studio from tightening.
		let slots = if track == Track::Slow { max.saturating_sub(max / 4) } else { max };
		ensure!(active < slots, Error::<T>::TooManyProposals);
		ensure!(
			ProposalsBy::<T>::get(&who) < T::MaxProposalsPerAccount::get(),
			Error::<T>::TooManyProposalsByAccount
		);

		let deposit = T::ProposalDeposit::get();
		T::Currency::hold(&HoldReason::ProposalDeposit.into(), &who, deposit)?;
		ProposalsBy::<T>::mutate(&who, |count| count.saturating_inc());

		let track_info = Self::track_info(track);
		let voting_ends =
			frame_system::Pallet::<T>::block_number().saturating_add(track_info.voting_period);
		let proposal = Self::take_next_id::<NextProposalId<T>>();
		ActiveProposals::<T>::put(active + 1);
		Proposals::<T>::insert(
			proposal,
			Proposal {
				proposer: who.clone(),
				deposit,
				action,
				track,
				voting_ends,
				tally: Tally::default(),
			},
		);
		Self::deposit_event(Event::Proposed { proposal, proposer: who, track, voting_ends });
		Ok(())
	}

	pub(crate) fn do_close(proposal_id: ProposalId) -> DispatchResult {
		let proposal = Proposals::<T>::get(proposal_id).ok_or(Error::<T>::UnknownProposal)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now > proposal.voting_ends, Error::<T>::VotingOpen);

		let Proposal { proposer, deposit, action, track, tally, voting_ends } = proposal;
		let track_info = Self::track_info(track);
		let Tally { ayes, nays } = tally;

		Proposals::<T>::remove(proposal_id);
		ActiveProposals::<T>::mutate(|active| *active = active.saturating_sub(1));
		ProposalsBy::<T>::mutate_exists(&proposer, |count| {
			*count = count.map(|count| count.saturating_sub(1)).filter(|count| *count > 0)
		});

		let expired = now > voting_ends.saturating_add(T::CloseWindow::get());
		let passed = !expired && Self::passes(&track_info, ayes, nays);
		let burned = if passed { Zero::zero() } else { T::FailedDepositBurn::get() * deposit };
		if !burned.is_zero() {
			T::Currency::burn_held(
				&HoldReason::ProposalDeposit.into(),
				&proposer,
				burned,
				Precision::BestEffort,
				Fortitude::Force,
			)?;
		}
		T::Currency::release(
			&HoldReason::ProposalDeposit.into(),
			&proposer,
			deposit.saturating_sub(burned),
			Precision::BestEffort,
		)?;
		if expired {
			Self::deposit_event(Event::Expired { proposal: proposal_id, burned });
			return Ok(());
		}
		if !passed {
			Self::deposit_event(Event::Rejected { proposal: proposal_id, ayes, nays, burned });
			return Ok(());
		}
		let enact_at = now.saturating_add(track_info.enactment_delay);
		Self::deposit_event(Event::Approved { proposal: proposal_id, ayes, nays, enact_at });
		if track_info.enactment_delay.is_zero() {
			Self::enact(proposal_id, track, action);
		} else {
			// A full queue fails the whole call: the transaction is reverted, the proposal stays.
			Self::schedule_enactment(proposal_id, enact_at, track, action)?;
		}
		Ok(())
	}

	/// Whether a tally passes a track: enough turnout and enough approval.
	pub(crate) fn passes(
		track: &TrackInfo<BlockNumberFor<T>>,
		ayes: BalanceOf<T>,
		nays: BalanceOf<T>,
	) -> bool {
		let turnout = ayes.saturating_add(nays);
		if turnout.is_zero() {
			return false;
		}
		let issuance = T::Currency::total_issuance();
		let turnout_met = turnout >= track.min_turnout.mul_ceil(issuance);
		let approval = Perbill::from_rational(ayes, turnout);
		turnout_met && approval >= track.min_approval
	}

	/// The fast track for actions that make the studio safer by a small step (retiring a style
	/// or model; tightening a parameter by at most half its largest step), the slow one for all
	/// others, council changes included.
	pub(crate) fn track_of(action: &ActionOf<T>) -> Track {
		let tightening = match action {
			// A tightening step of at most half the largest step: one fast vote cannot take a
			// parameter to an extreme (a spend cap of one token, a deviation limit that trips
			// every agent).
			GovernanceAction::SetParameter { parameter, value } =>
				match (Self::parameter(*parameter), ParameterBoundsOf::<T>::get(parameter)) {
					(Ok(current), Some(bounds)) => bounds.fast_track(*parameter, current, *value),
					_ => false,
				},
			// Removing an offline or misbehaving validator is a safety action too; adding one is
			// not.
			GovernanceAction::RetireStyle { .. } |
			GovernanceAction::RetireModel { .. } |
			GovernanceAction::RemoveValidator { .. } => true,
			// Any change of the council is slow: one added reviewer can halt anything alone; so
			// is a new runtime, which can change anything.
			GovernanceAction::AddStyle { .. } |
			GovernanceAction::ApproveModel { .. } |
			GovernanceAction::SetReviewers { .. } |
			GovernanceAction::AddValidator { .. } |
			GovernanceAction::AuthorizeUpgrade { .. } |
			// The community's taste, learned over many curations, is not undone in a hurry.
			GovernanceAction::ResetPreference { .. } => false,
		};
		if tightening {
			Track::Fast
		} else {
			Track::Slow
		}
	}

	pub(crate) fn track_info(track: Track) -> TrackInfo<BlockNumberFor<T>> {
		Tracks::<T>::get(track).expect("both tracks are set at genesis; qed")
	}

	/// Checks an action against the current state (parameter bounds, registry entries).
	pub(crate) fn validate_action(action: &ActionOf<T>) -> DispatchResult {
		match action {
			GovernanceAction::SetParameter { parameter, value } =>
				Self::check_parameter_change(*parameter, *value),
			GovernanceAction::AddStyle { name, reference, blend } =>
				Self::check_new_style(name, reference, blend),
			GovernanceAction::RetireStyle { style } => Self::check_style_retirable(*style),
			GovernanceAction::ApproveModel { name, weights_hash, .. } =>
				Self::check_new_model(name, weights_hash),
			GovernanceAction::RetireModel { model } => Self::check_model_retirable(*model),
			GovernanceAction::SetReviewers { reviewers } => Self::check_reviewers(reviewers),
			GovernanceAction::AddValidator { validator } =>
				T::Validators::check_add(validator).map_err(Self::validator_error),
			GovernanceAction::RemoveValidator { validator } =>
				T::Validators::check_remove(validator).map_err(Self::validator_error),
			GovernanceAction::AuthorizeUpgrade { code_hash } => Self::check_upgrade(code_hash),
			GovernanceAction::ResetPreference { style } =>
				Styles::<T>::contains_key(style).then_some(()).ok_or(Error::<T>::UnknownStyle.into()),
		}
	}

	/// Applies a validated action.
	pub(crate) fn apply_action(action: ActionOf<T>) -> DispatchResult {
		match action {
			GovernanceAction::SetParameter { parameter, value } =>
				Self::set_parameter(parameter, value),
			GovernanceAction::AddStyle { name, reference, blend } => {
				Self::add_style(name, reference, blend);
				Ok(())
			},
			GovernanceAction::RetireStyle { style } => Self::retire_style(style),
			GovernanceAction::ApproveModel { name, kind, weights_hash, version } => {
				Self::approve_model(name, kind, weights_hash, version);
				Ok(())
			},
			GovernanceAction::RetireModel { model } => Self::retire_model(model),
			GovernanceAction::SetReviewers { reviewers } => {
				Self::set_reviewers(reviewers);
				Ok(())
			},
			GovernanceAction::AddValidator { validator } =>
				T::Validators::add(validator).map_err(Self::validator_error),
			GovernanceAction::RemoveValidator { validator } =>
				T::Validators::remove(&validator).map_err(Self::validator_error),
			GovernanceAction::AuthorizeUpgrade { code_hash } => {
				Self::authorize_upgrade(code_hash);
				Ok(())
			},
			GovernanceAction::ResetPreference { style } => {
				<T::Preferences as studio_primitives::StylePreferences>::reset_preference(style);
				Ok(())
			},
		}
	}

	/// Enacts a passed action if it is still valid (and, if it passed on the fast track,
	/// still tightening); reports the outcome either way.
	pub(crate) fn enact(proposal: ProposalId, track: Track, action: ActionOf<T>) {
		let outcome = (|| {
			Self::validate_action(&action)?;
			if track == Track::Fast {
				ensure!(Self::track_of(&action) == Track::Fast, Error::<T>::NoLongerTightening);
			}
			Self::apply_action(action)
		})();
		match outcome {
			Ok(()) => Self::deposit_event(Event::Enacted { proposal: Some(proposal) }),
			Err(error) => Self::deposit_event(Event::EnactmentFailed { proposal, error }),
		}
	}

	/// Queues an enactment for block `at`, or the first of the next few blocks with room.
	fn schedule_enactment(
		proposal: ProposalId,
		at: BlockNumberFor<T>,
		track: Track,
		action: ActionOf<T>,
	) -> DispatchResult {
		let mut block = at;
		for _ in 0..ENACTMENT_SEARCH_BLOCKS {
			if EnactmentQueue::<T>::try_mutate(block, |queue| queue.try_push(proposal)).is_ok() {
				PendingEnactments::<T>::insert(proposal, (track, action));
				return Ok(());
			}
			block = block.saturating_add(1u32.into());
		}
		Err(Error::<T>::EnactmentQueueFull.into())
	}

	/// Returns the id stored in `Counter` (proposals, styles, models) and advances it.
	pub(crate) fn take_next_id<Counter: frame_support::storage::StorageValue<u32, Query = u32>>() -> u32 {
		Counter::mutate(|next| {
			let id = *next;
			*next = next.saturating_add(1);
			id
		})
	}

	/// Enacts what is due in block `now`; bounded by `MaxEnactmentsPerBlock`.
	pub(crate) fn enact_due(now: BlockNumberFor<T>) -> Weight {
		let due = EnactmentQueue::<T>::take(now);
		let count = due.len() as u32;
		for proposal in due {
			if let Some((track, action)) = PendingEnactments::<T>::take(proposal) {
				Self::enact(proposal, track, action);
			}
		}
		T::WeightInfo::on_initialize(count)
	}
}

/// How many blocks after the due one an enactment may move when that block's queue is full.
const ENACTMENT_SEARCH_BLOCKS: u32 = 8;
