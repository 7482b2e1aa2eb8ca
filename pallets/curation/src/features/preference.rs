//! Each style's preference direction, learned from its closed curations in integer arithmetic.

use crate::*;
use alloc::vec::Vec;
use frame_support::{traits::Get, BoundedVec};
use sp_runtime::Permill;
use studio_primitives::{StudioParams, StyleId, StyleRegistry, StylePreferences};

/// The length of an integer vector, rounded down.
pub(crate) fn length<C: Copy + Into<i64>>(vector: &[C]) -> u64 {
	let squares: u128 = vector.iter().map(|component| ((*component).into() as i128).pow(2) as u128).sum();
	squares.isqrt() as u64
}

impl<T: Config> Pallet<T> {
	/// Moves `style`'s preference `step` of the way along the winner's vector less the mean of
	/// the losers', and caps its length at `MaxPreferenceShare` of the style reference's.
	/// Returns the new length; `None` when nothing moved (a retired style, vectors of another
	/// length than the reference, no losers).
	pub(crate) fn learn(
		style: StyleId,
		finalists: &[Finalist<T::MaxStyleDimensions>],
		winner: usize,
		step: Permill,
	) -> Option<u64> {
		let reference = T::Styles::active_style(style)?;
		let dimensions = reference.len();
		let losers = finalists.len().checked_sub(1).filter(|losers| *losers > 0)? as i64;
		if finalists.iter().any(|finalist| finalist.style_vector.len() != dimensions) {
			return None
		}
		let mut preference: Vec<i64> = match Preferences::<T>::get(style) {
			Some(current) if current.len() == dimensions => current.iter().map(|c| *c as i64).collect(),
			_ => alloc::vec![0; dimensions],
		};
		let parts = step.deconstruct() as i64;
		for (dimension, component) in preference.iter_mut().enumerate() {
			let losers_sum: i64 = finalists
				.iter()
				.enumerate()
				.filter(|(index, _)| *index != winner)
				.map(|(_, finalist)| finalist.style_vector[dimension] as i64)
				.sum();
			let difference = finalists[winner].style_vector[dimension] as i64 * losers - losers_sum;
			*component += difference * parts / (losers * 1_000_000);
		}
		let cap = T::MaxPreferenceShare::get() * length(&reference);
		let current = length(&preference);
		if current > cap {
			for component in preference.iter_mut() {
				*component = (*component as i128 * cap as i128 / current as i128) as i64;
			}
		}
		let stored: Vec<i32> =
			preference.iter().map(|c| (*c).clamp(i32::MIN as i64, i32::MAX as i64) as i32).collect();
		let stored = BoundedVec::truncate_from(stored);
		let moved_length = length(&stored);
		Preferences::<T>::insert(style, stored);
		Some(moved_length)
	}

	/// How far a closed curation moves its style: `PreferenceRate` times the winner's lead over
	/// the runner-up as a share of all weighted stakes.
	pub(crate) fn preference_step(winning: u128, runner_up: u128, total: u128) -> Permill {
		let margin = Permill::from_rational(winning.saturating_sub(runner_up), total.max(1));
		T::Params::preference_rate() * margin
	}
}

impl<T: Config> StylePreferences for Pallet<T> {
	fn reset_preference(style: StyleId) {
		Preferences::<T>::remove(style);
		Self::deposit_event(Event::PreferenceReset { style });
	}
}
