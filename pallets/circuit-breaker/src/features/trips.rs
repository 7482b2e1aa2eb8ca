//! Tripping: opening an incident and halting its scope.

use crate::*;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::UniqueSaturatedInto, Saturating};
use studio_primitives::{IncidentId, JobId, JobsControl};

impl<T: Config> Pallet<T> {
	/// Whether `scope` is halted.
	pub fn is_halted(scope: &Scope<T::AccountId>) -> bool {
		Self::halting_incident(scope).is_some()
	}

	/// The incident that halts `scope`, if it is halted.
	pub fn halting_incident(scope: &Scope<T::AccountId>) -> Option<IncidentId> {
		match scope {
			Scope::Agent(agent) => HaltedAgents::<T>::get(agent),
			Scope::Model(model) => SuspendedModels::<T>::get(model),
			Scope::Studio => StudioHalt::<T>::get(),
		}
	}

	/// Halts `scope` (or lifts the halt, with `None`).
	pub(crate) fn set_halt(scope: &Scope<T::AccountId>, incident: Option<IncidentId>) {
		match scope {
			Scope::Agent(agent) => HaltedAgents::<T>::set(agent, incident),
			Scope::Model(model) => SuspendedModels::<T>::set(model, incident),
			Scope::Studio => StudioHalt::<T>::set(incident),
		}
	}

	/// Opens an incident for `scope` and halts it; an agent's claims are released. Returns the
	/// incident.
	pub(crate) fn trip(
		scope: Scope<T::AccountId>,
		cause: TripCause<T::AccountId>,
		job: Option<JobId>,
	) -> IncidentId {
		let incident = NextIncidentId::<T>::mutate(|next| {
			let id = *next;
			next.saturating_inc();
			id
		});
		let now = frame_system::Pallet::<T>::block_number();
		let review_by = now.saturating_add(T::ReviewPeriod::get());
		ReviewDeadlines::<T>::insert(review_by, incident, ());
		Self::set_halt(&scope, Some(incident));
		if let Scope::Agent(agent) = &scope {
			T::Jobs::release_claims(agent);
		}
		Incidents::<T>::insert(
			incident,
			Incident {
				scope: scope.clone(),
				cause: cause.clone(),
				job,
				opened_at: now,
				review_by,
				votes: BoundedVec::new(),
				status: IncidentStatus::Open,
			},
		);
		Self::deposit_event(Event::Tripped { incident, scope, cause, job, review_by });
		incident
	}


	/// The spending epoch `block` falls in.
	pub(crate) fn epoch_of(block: BlockNumberFor<T>) -> u32 {
		(block / T::EpochLength::get().max(1u32.into())).unique_saturated_into()
	}
}
