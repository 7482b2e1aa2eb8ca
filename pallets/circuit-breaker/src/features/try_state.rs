//! The pallet's invariants, checked by `try_state` and by the tests after every story.

use crate::*;
use frame_support::ensure;
use sp_runtime::TryRuntimeError;
use studio_primitives::IncidentId;

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - every halted scope has an open, expired or retired incident for that scope;
	/// - every open or expired incident's scope is halted;
	/// - no average above its limit belongs to a running agent, nor to a running model that
	///   no agent has yet seen over it;
	/// - every open incident is listed once in `ReviewDeadlines`, not behind its cursor, and
	///   nothing else is.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let check_halt = |scope: Scope<T::AccountId>, incident: IncidentId| {
			let record = Incidents::<T>::get(incident).ok_or("a halt names an unknown incident")?;
			ensure!(record.scope == scope, "a halt names an incident of another scope");
			ensure!(
				record.status.is_undecided() || record.status == IncidentStatus::Retired,
				"a halt names a resumed or cleared incident"
			);
			Ok::<_, TryRuntimeError>(())
		};
		for (agent, incident) in HaltedAgents::<T>::iter() {
			check_halt(Scope::Agent(agent), incident)?;
		}
		for (model, incident) in SuspendedModels::<T>::iter() {
			check_halt(Scope::Model(model), incident)?;
		}
		if let Some(incident) = StudioHalt::<T>::get() {
			check_halt(Scope::Studio, incident)?;
		}

		let mut open = 0usize;
		let cursor = ReviewCursor::<T>::get();
		for (id, incident) in Incidents::<T>::iter() {
			if incident.status.is_undecided() {
				ensure!(Self::is_halted(&incident.scope), "an undecided incident's scope runs");
			}
			if incident.status == IncidentStatus::Open {
				ensure!(
					ReviewDeadlines::<T>::contains_key(incident.review_by, id),
					"an open incident has no deadline"
				);
				ensure!(incident.review_by >= cursor, "an open incident's deadline is behind the cursor");
				open += 1;
			}
		}
		ensure!(ReviewDeadlines::<T>::iter().count() == open, "ReviewDeadlines lists incidents that are not open");

		for (agent, stats) in AgentDeviation::<T>::iter() {
			ensure!(
				!stats.is_over() || HaltedAgents::<T>::contains_key(&agent),
				"a running agent's average is above its limit"
			);
		}
		for (model, stats) in ModelDeviation::<T>::iter() {
			ensure!(
				!stats.is_over() ||
					SuspendedModels::<T>::contains_key(model) ||
					!ModelDriftWitnesses::<T>::get(model).is_empty(),
				"a running model's average is above its limit with no agent having seen it"
			);
		}
		Ok(())
	}
}
