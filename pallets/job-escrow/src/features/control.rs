//! What the circuit breaker may do to jobs and workers: release a halted agent's claims, end a
//! quarantine, retire an agent.

use crate::*;
use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::{Permill, Saturating};
use studio_primitives::{AssetLedger, AssetStatus, JobId, JobsControl, QuarantineOutcome, StudioParams};

impl<T: Config> JobsControl<T::AccountId> for Pallet<T> {
	fn release_claims(agent: &T::AccountId) -> u32 {
		let claims = Workers::<T>::mutate_extant(agent, |worker| core::mem::take(&mut worker.claims));
		for job_id in &claims {
			if let Some(job) = Jobs::<T>::get(job_id) {
				// Re-opening only writes storage and events; a failure would mean a broken
				// invariant, which `try_state` reports.
				let _ = Self::reopen_or_refund(*job_id, job);
			}
		}
		claims.len() as u32
	}

	fn resolve_quarantine(job_id: JobId, outcome: QuarantineOutcome) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Quarantined { worker, output, .. } = job.status.clone() else {
			return Err(Error::<T>::NotQuarantined.into())
		};
		if outcome == QuarantineOutcome::Deliver {
			let settles_at =
				frame_system::Pallet::<T>::block_number().saturating_add(T::Params::challenge_window());
			let delivered = JobStatus::Delivered { worker: worker.clone(), output: output.clone(), settles_at };
			Self::move_to(job_id, &mut job, delivered);
			// Released by reviewers, it may still be audited like any delivery.
			Self::schedule_audit(job_id);
			Jobs::<T>::insert(job_id, job);
			Self::deposit_event(Event::ResultDelivered { job: job_id, worker, output, settles_at });
			return Ok(())
		}
		Self::forget_unsettled(&worker, job_id);
		Self::end_delivery(job_id);
		match outcome {
			QuarantineOutcome::Reject => Self::refuse_result(job_id, job, worker, output, RejectionCause::Gate),
			_ => {
				T::Assets::set_status(&output, AssetStatus::Rejected);
				Self::refund(job_id, job)
			},
		}
	}

	fn retire_agent_weight() -> Weight {
		// Its claims released, each unsettled result refused (a job re-opened or refunded, like
		// a released claim), the bond slashed and released.
		T::WeightInfo::release_claims(T::MaxClaimsPerWorker::get().saturating_add(T::MaxUnsettledPerWorker::get()))
			.saturating_add(T::WeightInfo::withdraw_bond())
	}

	fn retire_agent(agent: &T::AccountId, slash: Permill) -> DispatchResult {
		Self::release_claims(agent);
		let mut worker = Workers::<T>::get(agent).ok_or(Error::<T>::NotRegistered)?;
		// Reviewers found it misbehaving: nothing it delivered and that has not settled is paid.
		// Quarantined results wait for their own incidents.
		// The worker's record goes below, unsettled list and all.
		for job_id in &worker.unsettled {
			let Some(job) = Jobs::<T>::get(job_id) else { continue };
			let JobStatus::Delivered { output, .. } = job.status.clone() else { continue };
			// Re-opening or refunding only writes storage and events; a failure would be a
			// broken invariant, which `try_state` reports.
			let _ = Self::refuse_result(*job_id, job, agent.clone(), output, RejectionCause::WorkerRetired);
		}
		let slashed = Self::slash_bond(agent, &mut worker, slash);
		let released = worker.bond;
		T::Currency::release(&HoldReason::WorkerBond.into(), agent, released, Precision::Exact)?;
		Self::forget_worker(agent, &worker);
		Self::deposit_event(Event::WorkerRetired { worker: agent.clone(), slashed, released });
		Ok(())
	}
}
