//! Human review: votes, resuming and retiring, review deadlines and the epoch's end.

use crate::*;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{Permill, Saturating};
use studio_primitives::{IncidentId, JobsControl, QuarantineOutcome, ReviewerSet, StudioParams};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_review(
		reviewer: T::AccountId,
		incident_id: IncidentId,
		decision: Decision,
	) -> DispatchResult {
		let mut incident = Incidents::<T>::get(incident_id).ok_or(Error::<T>::UnknownIncident)?;
		ensure!(incident.status.is_undecided(), Error::<T>::AlreadyDecided);
		if decision == Decision::Retire {
			ensure!(incident.scope != Scope::Studio, Error::<T>::CannotRetireStudio);
		}
		// A reviewer votes once, and only the current council's votes count: a removed
		// reviewer's vote neither decides nor takes a place in the list.
		incident
			.votes
			.retain(|(voter, _)| *voter != reviewer && T::Reviewers::is_reviewer(voter));
		incident
			.votes
			.try_push((reviewer.clone(), decision))
			.map_err(|_| Error::<T>::TooManyVotes)?;
		Self::deposit_event(Event::Reviewed { incident: incident_id, reviewer, decision });

		let agreeing = incident.votes.iter().filter(|(_, vote)| *vote == decision).count() as u32;
		if agreeing < T::Params::review_quorum() {
			Incidents::<T>::insert(incident_id, incident);
			return Ok(())
		}
		if incident.status == IncidentStatus::Open {
			ReviewDeadlines::<T>::remove(incident.review_by, incident_id);
		}
		match decision {
			Decision::Resume => Self::resume(incident_id, &mut incident)?,
			Decision::Retire => Self::retire(incident_id, &mut incident)?,
		}
		Incidents::<T>::insert(incident_id, incident);
		Ok(())
	}

	/// Lets the scope run again with its average at half the limit, and delivers the
	/// quarantined result.
	fn resume(incident_id: IncidentId, incident: &mut IncidentOf<T>) -> DispatchResult {
		if Self::halting_incident(&incident.scope) == Some(incident_id) {
			Self::set_halt(&incident.scope, None);
		}
		let limit = T::Params::max_style_deviation();
		let reset = |stats: &mut DeviationStats| {
			stats.ema = Permill::from_parts(limit.deconstruct() / 2);
			stats.limit = limit;
		};
		match &incident.scope {
			Scope::Agent(agent) => AgentDeviation::<T>::mutate(agent, reset),
			Scope::Model(model) => {
				ModelDeviation::<T>::mutate(model, reset);
				ModelDriftWitnesses::<T>::remove(model);
			},
			Scope::Studio => {},
		}
		if let Some(job) = incident.job {
			// A job refunded when the review expired is no longer quarantined.
			if incident.status == IncidentStatus::Open {
				T::Jobs::resolve_quarantine(job, QuarantineOutcome::Deliver)?;
			}
		}
		incident.status = IncidentStatus::Resumed;
		Self::deposit_event(Event::Resumed { incident: incident_id });
		Ok(())
	}

	/// Retires the scope: an agent is slashed and deregistered (and stays halted), a model
	/// stays suspended; the quarantined result is refused.
	fn retire(incident_id: IncidentId, incident: &mut IncidentOf<T>) -> DispatchResult {
		if let (Some(job), IncidentStatus::Open) = (incident.job, incident.status) {
			T::Jobs::resolve_quarantine(job, QuarantineOutcome::Reject)?;
		}
		if let Scope::Agent(agent) = &incident.scope {
			// An agent halted before it ever registered has no bond to slash.
			let _ = T::Jobs::retire_agent(agent, T::RetireSlash::get());
		}
		incident.status = IncidentStatus::Retired;
		Self::deposit_event(Event::Retired { incident: incident_id });
		Ok(())
	}

	/// Expires the incidents whose review deadline has come, at most `MaxDeadlinesPerBlock`
	/// of them and over at most as many empty blocks (the rest wait for the next block): their
	/// quarantined results are refunded; their scopes stay halted.
	pub(crate) fn expire_reviews(now: BlockNumberFor<T>) -> Weight {
		let max = T::MaxDeadlinesPerBlock::get();
		let (mut expired, mut stepped) = (0u32, 0u32);
		let mut cursor = ReviewCursor::<T>::get();
		while cursor <= now && expired < max && stepped < max {
			let Some(incident_id) = ReviewDeadlines::<T>::iter_key_prefix(cursor).next() else {
				cursor.saturating_inc();
				stepped += 1;
				continue
			};
			ReviewDeadlines::<T>::remove(cursor, incident_id);
			expired += 1;
			Incidents::<T>::mutate_extant(incident_id, |incident| {
				if incident.status != IncidentStatus::Open {
					return
				}
				if let Some(job) = incident.job {
					// The job is quarantined while the incident is open; a failure would be a
					// broken invariant, which `try_state` reports.
					let _ = T::Jobs::resolve_quarantine(job, QuarantineOutcome::Refund);
				}
				incident.status = IncidentStatus::Expired;
				Self::deposit_event(Event::ReviewExpired { incident: incident_id });
			});
		}
		ReviewCursor::<T>::put(cursor);
		T::WeightInfo::expire_reviews(expired)
			.saturating_add(T::DbWeight::get().reads_writes(stepped as u64 + 2, 1))
	}
}
