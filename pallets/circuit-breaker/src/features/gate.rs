//! The escrow's questions: may a job be taken or claimed, what is a result's verdict; and the
//! payouts it reports.

use crate::*;
use frame_support::pallet_prelude::*;
use sp_runtime::{Permill, Saturating};
use studio_primitives::{AgentGate, GateRefusal, IncidentId, JobId, ModelId, StudioParams, Verdict};

impl<T: Config> AgentGate<T::AccountId, T::Balance> for Pallet<T> {
	fn may_take_job(model: ModelId) -> Result<(), GateRefusal> {
		ensure!(StudioHalt::<T>::get().is_none(), GateRefusal::StudioHalted);
		ensure!(!SuspendedModels::<T>::contains_key(model), GateRefusal::ModelSuspended);
		Ok(())
	}

	fn is_halted(agent: &T::AccountId) -> bool {
		HaltedAgents::<T>::contains_key(agent)
	}

	fn may_claim(agent: &T::AccountId, model: ModelId, bounty: T::Balance) -> Result<(), GateRefusal> {
		ensure!(!HaltedAgents::<T>::contains_key(agent), GateRefusal::AgentHalted);
		ensure!(!SuspendedModels::<T>::contains_key(model), GateRefusal::ModelSuspended);
		let paid = Self::paid_this_epoch(agent);
		ensure!(paid.saturating_add(bounty) <= T::Params::epoch_spend_cap(), GateRefusal::SpendCapReached);
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
		// Only agents with a history move the model's average (the results before this one).
		if agent_stats.results <= T::MinAgentHistory::get() {
			return Verdict::Accept
		}
		let model_stats = ModelDeviation::<T>::mutate(model, |stats| {
			*stats = stats.with_result(deviation, weight, limit);
			*stats
		});
		if !model_stats.is_over() {
			ModelDriftWitnesses::<T>::remove(model);
			return Verdict::Accept
		}
		// Over the limit: suspended once enough distinct agents have seen it so.
		let witnesses = ModelDriftWitnesses::<T>::mutate(model, |witnesses| {
			if !witnesses.contains(agent) {
				// Full means the quorum is already there.
				let _ = witnesses.try_push(agent.clone());
			}
			witnesses.len() as u32
		});
		if witnesses < T::ModelTripAgents::get().max(1) {
			return Verdict::Accept
		}
		ModelDriftWitnesses::<T>::remove(model);
		let cause = TripCause::ModelDrift { ema: model_stats.ema, limit, agents: witnesses };
		Verdict::Quarantine(Self::trip(Scope::Model(model), cause, Some(job)))
	}

	fn report_misreport(
		agent: &T::AccountId,
		job: JobId,
		_model: ModelId,
		reported: Permill,
		verified: Option<Permill>,
	) -> IncidentId {
		// The agent's average counts what it really delivered, not what it said.
		if let Some(verified) = verified {
			let (weight, limit) = (T::Params::style_ema_weight(), T::Params::max_style_deviation());
			AgentDeviation::<T>::mutate(agent, |stats| *stats = stats.with_result(verified, weight, limit));
		}
		Self::trip(Scope::Agent(agent.clone()), TripCause::Misreport { job, reported, verified }, None)
	}

	fn record_payout(agent: &T::AccountId, amount: T::Balance) {
		let epoch = Self::epoch_of(frame_system::Pallet::<T>::block_number());
		AgentSpend::<T>::mutate(agent, |(current, paid)| {
			if *current != epoch {
				*current = epoch;
				*paid = Default::default();
			}
			paid.saturating_accrue(amount);
		});
	}
}

impl<T: Config> Pallet<T> {
	/// What `agent` has been paid in the current epoch.
	pub fn paid_this_epoch(agent: &T::AccountId) -> T::Balance {
		let epoch = Self::epoch_of(frame_system::Pallet::<T>::block_number());
		match AgentSpend::<T>::get(agent) {
			(recorded, paid) if recorded == epoch => paid,
			_ => Default::default(),
		}
	}
}
