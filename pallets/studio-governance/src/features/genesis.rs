//! Building the genesis state, with every check a genesis must pass.

use crate::*;
use alloc::{format, string::String};
use frame_support::pallet_prelude::*;

impl<T: Config> Pallet<T> {
	pub(crate) fn build_genesis(config: &GenesisConfig<T>) -> Result<(), String> {
		for parameter in StudioParameter::ALL {
			let mut entries = config.parameters.iter().filter(|(p, ..)| *p == parameter);
			let (_, value, bounds) = entries
				.next()
				.ok_or_else(|| format!("genesis sets no value for {parameter:?}"))?;
			if entries.next().is_some() {
				return Err(format!("genesis sets {parameter:?} twice"));
			}
			if bounds.min > bounds.max || *value < bounds.min || *value > bounds.max {
				return Err(format!("{parameter:?} = {value} is outside its bounds {bounds:?}"));
			}
			if parameter.unit() == ParameterUnit::Permill && bounds.max > PERMILL_ONE {
				return Err(format!("{parameter:?} is a Permill: its bounds end at {PERMILL_ONE}"));
			}
			ParameterValues::<T>::insert(parameter, value);
			ParameterBoundsOf::<T>::insert(parameter, bounds);
		}

		let (fast, slow) = (&config.fast_track, &config.slow_track);
		if fast.min_approval < SIMPLE_MAJORITY {
			return Err("the fast track needs at least a simple majority".into());
		}
		if slow.min_approval < TWO_THIRDS {
			return Err("the slow track needs at least a two-thirds supermajority".into());
		}
		if slow.min_turnout < fast.min_turnout || slow.voting_period < fast.voting_period {
			return Err("the slow track must not be faster or need less turnout than the fast one".into());
		}
		if !fast.enactment_delay.is_zero() {
			return Err("the fast track enacts without delay".into());
		}
		Tracks::<T>::insert(Track::Fast, fast);
		Tracks::<T>::insert(Track::Slow, slow);

		for (name, reference, blend) in &config.styles {
			let name = BoundedVec::try_from(name.clone()).map_err(|_| "style name too long")?;
			let reference =
				BoundedVec::try_from(reference.clone()).map_err(|_| "style vector too long")?;
			let blend = BoundedVec::try_from(blend.clone()).map_err(|_| "style blend too long")?;
			Self::check_new_style(&name, &reference, &blend).map_err(|e| format!("style: {e:?}"))?;
			Self::add_style(name, reference, blend);
		}
		for (name, kind, weights_hash, version) in &config.models {
			let name = BoundedVec::try_from(name.clone()).map_err(|_| "model name too long")?;
			Self::check_new_model(&name, weights_hash).map_err(|e| format!("model: {e:?}"))?;
			Self::approve_model(name, *kind, *weights_hash, *version);
		}
		let reviewers =
			BoundedVec::try_from(config.reviewers.clone()).map_err(|_| "too many reviewers")?;
		if !reviewers.is_empty() {
			Self::check_reviewers(&reviewers).map_err(|e| format!("reviewers: {e:?}"))?;
		}
		Reviewers::<T>::put(reviewers);
		Ok(())
	}
}
