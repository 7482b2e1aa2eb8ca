//! The escrow's questions: may a job be taken or claimed, what is a result's verdict; and the
//! payouts it reports.

use crate::*;
use frame_support::pallet_prelude::*;
use sp_runtime::{Permill, Saturating};
use studio_primitives::{AgentGate, GateRefusal, JobId, ModelId, StudioParams, Verdict};

impl<T: Config> AgentGate<T::AccountId, T::Balance> for Pallet<T> {
	fn may_take_job(model: ModelId) -> Result<(), GateRefusal> {
		ensure!(StudioHalt::<T>::get().is_none(), GateRefusal::StudioHalted);
		ensure!(!SuspendedModels::<T>::contains_key(model), GateRefusal::ModelSuspended);
		Ok(())
	}

	fn may_claim(agent: &T::AccountId, model: ModelId) -> Result<(), GateRefusal> {
		ensure!(!HaltedAgents::<T>::contains_key(agent), GateRefusal::AgentHalted);
		ensure!(!SuspendedModels::<T>::contains_key(model), GateRefusal::ModelSuspended);
		Ok(())
	}

	fn judge_result(agent: &T::AccountId, job: JobId, model: ModelId, deviation: Permill) -> Verdict {
		if SuspendedModels::<T>::contains_key(model) {
			return Verdict::Reject
		}
		let limit = T::Params::max_style_deviation();
		let hard_limit = T::Params::hard_style_limit();
		let weight = T::Params::style_ema_weight();
		let agent_stats = AgentDeviation::<T>::mutate(agent, |stats| {
			*stats = stats.with_result(deviation, weight, limit);
			*stats
		});
		let agent_cause = if deviation > hard_limit {
			Some(TripCause::HardLimit { deviation, limit: hard_limit })
		} else if agent_stats.is_over() {
			Some(TripCause::AgentDrift { ema: agent_stats.ema, limit })
		} else {
			None
		};
		if let Some(cause) = agent_cause {
			// The drift is this agent's: it does not count against the model, so one bad
			// agent cannot suspend a model for everyone.
			let incident = Self::trip(Scope::Agent(agent.clone()), cause, Some(job));
			return Verdict::Quarantine(incident)
		}
		let model_stats = ModelDeviation::<T>::mutate(model, |stats| {
			*stats = stats.with_result(deviation, weight, limit);
			*stats
		});
		if model_stats.is_over() {
			let cause = TripCause::ModelDrift { ema: model_stats.ema, limit };
			let incident = Self::trip(Scope::Model(model), cause, Some(job));
			return Verdict::Quarantine(incident)
		}
		Verdict::Accept
	}

	fn record_payout(amount: T::Balance) {
		let epoch = Self::epoch_of(frame_system::Pallet::<T>::block_number());
		let spent = EpochSpend::<T>::mutate(|(current, spent)| {
			if *current != epoch {
				*current = epoch;
				*spent = Default::default();
			}
			spent.saturating_accrue(amount);
			*spent
		});
		let cap = T::Params::epoch_spend_cap();
		if spent > cap && StudioHalt::<T>::get().is_none() {
			Self::trip(Scope::Studio, TripCause::SpendCap { spent, cap }, None);
		}
	}
}
