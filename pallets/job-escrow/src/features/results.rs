//! Results: the claiming worker reports, provenance records, the circuit breaker judges.

use crate::*;
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::Saturating;
use studio_primitives::{
	AgentGate, AssetLedger, AssetStatus, Generation, JobId, ModelRegistry, StudioParams, Verdict,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit_result(
		who: T::AccountId,
		job_id: JobId,
		report: ResultReport,
	) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Claimed { worker, expires_at } = &job.status else {
			return Err(Error::<T>::NotClaimant.into())
		};
		ensure!(*worker == who, Error::<T>::NotClaimant);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < *expires_at, Error::<T>::ClaimExpired);
		let model = T::Models::approved_model(job.spec.model).ok_or(Error::<T>::ModelNotApproved)?;
		ensure!(model.weights_hash == report.weights_hash, Error::<T>::ModelHashMismatch);
		ensure!(report.candidates_tried >= job.spec.candidates, Error::<T>::TooFewCandidates);

		T::Assets::record_generated(
			report.output.clone(),
			job.client.clone(),
			job.spec.parents.to_vec(),
			Generation {
				worker: who.clone(),
				job: job_id,
				model: job.spec.model,
				weights_hash: report.weights_hash,
				prompt_hash: job.spec.prompt.hash(),
				seed: job.spec.seed,
				settings_hash: report.settings_hash,
				candidates_tried: report.candidates_tried,
				style_deviation: report.style_deviation,
				quality: report.quality,
			},
		)?;
		let verdict = T::Gate::judge_result(
			&who,
			job_id,
			job.spec.model,
			report.style_deviation,
			report.quality,
		);
		let rejection = match verdict {
			Verdict::Reject => Some(RejectionCause::Gate),
			Verdict::Accept if report.quality < T::Params::quality_threshold() =>
				Some(RejectionCause::LowQuality),
			Verdict::Accept => None,
		};

		Workers::<T>::mutate_extant(&who, |worker| {
			worker.claims.retain(|claimed| *claimed != job_id);
			if rejection.is_none() {
				worker.unsettled.saturating_inc();
			}
		});
		let output = report.output;
		match rejection {
			None => {
				let settles_at = now.saturating_add(T::Params::challenge_window());
				let delivered =
					JobStatus::Delivered { worker: who.clone(), output: output.clone(), settles_at };
				Self::move_to(job_id, &mut job, delivered);
				Jobs::<T>::insert(job_id, job);
				Self::deposit_event(Event::ResultDelivered { job: job_id, worker: who, output, settles_at });
			},
			Some(cause) => {
				T::Assets::set_status(&output, AssetStatus::Rejected);
				Self::deposit_event(Event::ResultRejected { job: job_id, worker: who, output, cause });
				match job.spec.on_rejection {
					OnRejection::Reopen => Self::reopen_or_refund(job_id, job)?,
					OnRejection::Refund => Self::refund(job_id, job)?,
				}
			},
		}
		Ok(())
	}
}
