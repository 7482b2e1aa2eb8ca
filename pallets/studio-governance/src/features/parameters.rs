//! Parameter values, their bounds, and the typed view other pallets read.

use crate::*;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{Permill, SaturatedConversion};
use studio_primitives::StudioParams;

impl<T: Config> Pallet<T> {
	/// The current raw value of a parameter.
	pub fn parameter(parameter: StudioParameter) -> Result<u128, Error<T>> {
		ParameterValues::<T>::get(parameter).ok_or(Error::<T>::UnknownParameter)
	}

	/// Checks that `parameter` may change to `value` now: within its bounds, by at most its
	/// step, and (for the review quorum) no larger than the reviewer council.
	pub(crate) fn check_parameter_change(
		parameter: StudioParameter,
		value: u128,
	) -> DispatchResult {
		let current = Self::parameter(parameter)?;
		let bounds = ParameterBoundsOf::<T>::get(parameter).ok_or(Error::<T>::UnknownParameter)?;
		bounds.check(current, value).map_err(|violation| match violation {
			BoundsViolation::OutOfBounds => Error::<T>::OutOfBounds,
			BoundsViolation::StepTooLarge => Error::<T>::StepTooLarge,
		})?;
		if parameter == StudioParameter::ReviewQuorum {
			let reviewers = Reviewers::<T>::decode_len().unwrap_or(0) as u128;
			ensure!(reviewers == 0 || value <= reviewers, Error::<T>::QuorumAboveReviewers);
		}
		Ok(())
	}

	/// Sets a parameter (already checked) and reports the change.
	pub(crate) fn set_parameter(parameter: StudioParameter, value: u128) -> DispatchResult {
		let old = Self::parameter(parameter)?;
		ParameterValues::<T>::insert(parameter, value);
		Self::deposit_event(Event::ParameterChanged { parameter, old, new: value });
		Ok(())
	}

	fn permill(parameter: StudioParameter) -> Permill {
		Permill::from_parts(Self::parameter(parameter).unwrap_or_default().saturated_into())
	}

	fn balance(parameter: StudioParameter) -> BalanceOf<T> {
		Self::parameter(parameter).unwrap_or_default().saturated_into()
	}

	fn blocks(parameter: StudioParameter) -> BlockNumberFor<T> {
		Self::parameter(parameter).unwrap_or_default().saturated_into()
	}

	fn count(parameter: StudioParameter) -> u32 {
		Self::parameter(parameter).unwrap_or_default().saturated_into()
	}
}

impl<T: Config> StudioParams<BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn max_style_deviation() -> Permill {
		Self::permill(StudioParameter::MaxStyleDeviation)
	}
	fn hard_style_limit() -> Permill {
		Self::permill(StudioParameter::HardStyleLimit)
	}
	fn style_ema_weight() -> Permill {
		Self::permill(StudioParameter::StyleEmaWeight)
	}
	fn min_bounty() -> BalanceOf<T> {
		Self::balance(StudioParameter::MinBounty)
	}
	fn worker_min_bond() -> BalanceOf<T> {
		Self::balance(StudioParameter::WorkerMinBond)
	}
	fn studio_fee() -> Permill {
		Self::permill(StudioParameter::StudioFee)
	}
	fn claim_timeout() -> BlockNumberFor<T> {
		Self::blocks(StudioParameter::ClaimTimeout)
	}
	fn challenge_window() -> BlockNumberFor<T> {
		Self::blocks(StudioParameter::ChallengeWindow)
	}
	fn job_max_lifetime() -> BlockNumberFor<T> {
		Self::blocks(StudioParameter::JobMaxLifetime)
	}
	fn epoch_spend_cap() -> BalanceOf<T> {
		Self::balance(StudioParameter::EpochSpendCap)
	}
	fn quality_threshold() -> Permill {
		Self::permill(StudioParameter::QualityThreshold)
	}
	fn review_quorum() -> u32 {
		Self::count(StudioParameter::ReviewQuorum)
	}
	fn audit_probability() -> Permill {
		Self::permill(StudioParameter::AuditProbability)
	}
	fn challenge_deposit() -> BalanceOf<T> {
		Self::balance(StudioParameter::ChallengeDeposit)
	}
	fn verifier_count() -> u32 {
		Self::count(StudioParameter::VerifierCount)
	}
	fn score_tolerance() -> Permill {
		Self::permill(StudioParameter::ScoreTolerance)
	}
	fn reproduction_floor() -> u32 {
		Self::count(StudioParameter::ReproductionFloor)
	}
	fn curation_reward() -> Permill {
		Self::permill(StudioParameter::CurationReward)
	}
	fn reputation_gain() -> Permill {
		Self::permill(StudioParameter::ReputationGain)
	}
	fn reputation_loss() -> Permill {
		Self::permill(StudioParameter::ReputationLoss)
	}
	fn reputation_half_life() -> BlockNumberFor<T> {
		Self::blocks(StudioParameter::ReputationHalfLife)
	}
	fn preference_rate() -> Permill {
		Self::permill(StudioParameter::PreferenceRate)
	}
	fn preference_weight() -> Permill {
		Self::permill(StudioParameter::PreferenceWeight)
	}
}
