//! Results: the claiming worker reports, provenance records, the circuit breaker judges.

use crate::*;
use frame_support::{ensure, pallet_prelude::*};
use sp_runtime::{Permill, Saturating};
use studio_primitives::{
	AgentGate, AssetLedger, CidBytes, Generation, JobId, ModelRegistry, Sha256, StudioParams, Verdict,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit_result(
		who: T::AccountId,
		job_id: JobId,
		report: ResultReport,
	) -> Result<Weight, DispatchError> {
		let (mut job, now) = Self::claimed_by(job_id, &who)?;
		ensure!(job.spec.curation.is_none(), Error::<T>::CurationNeedsFinalists);
		let parents = job.spec.lineage().len() as u32;
		let recorded = T::WeightInfo::submit_result(parents);
		Self::check_model(&job, &report.weights_hash, report.candidates_tried)?;
		ensure!(!report.settings.is_empty(), Error::<T>::EmptySettings);

		Self::record_output(&job, job_id, &who, &report.output, &report.weights_hash, report.candidates_tried, (
			report.style_deviation,
			report.quality,
			&report.settings,
		))?;
		// The claim ends here, before the breaker judges: a trip releases the agent's other
		// claims, and this job is no longer one of them.
		Workers::<T>::mutate_extant(&who, |worker| worker.claims.retain(|claimed| *claimed != job_id));
		let output = report.output;
		let delivery = Delivery {
			style_deviation: report.style_deviation,
			quality: report.quality,
			settings: report.settings,
			delivered_at: now,
		};
		if report.quality < T::Params::quality_threshold() {
			// A result its own worker scores below the bar is a failed claim, not a free way
			// out of one: slashed like an expiry, barred from the job, and never shown to the
			// breaker (a refused result must not dilute the agent's or the model's average).
			let slashed = Self::fail_claim(&mut job, &who);
			Self::deposit_event(Event::ClaimFailed { job: job_id, worker: who.clone(), slashed });
			Self::refuse_result(job_id, job, who, output, RejectionCause::LowQuality)?;
			return Ok(Self::submit_result_weight(parents))
		}
		let used = match T::Gate::judge_result(&who, job_id, job.spec.model, report.style_deviation) {
			Verdict::Quarantine(incident) => {
				Self::note_unsettled(&who, job_id)?;
				Deliveries::<T>::insert(job_id, delivery);
				let quarantined =
					JobStatus::Quarantined { worker: who.clone(), output: output.clone(), incident };
				Self::move_to(job_id, &mut job, quarantined);
				Jobs::<T>::insert(job_id, job);
				Self::deposit_event(Event::ResultQuarantined { job: job_id, worker: who, output, incident });
				recorded.saturating_add(T::WeightInfo::release_claims(T::MaxClaimsPerWorker::get()))
			},
			Verdict::Accept => {
				Self::note_unsettled(&who, job_id)?;
				Deliveries::<T>::insert(job_id, delivery);
				let audit_drawn = Self::schedule_audit(job_id);
				let settles_at = now.saturating_add(T::Params::challenge_window());
				let delivered =
					JobStatus::Delivered { worker: who.clone(), output: output.clone(), settles_at };
				Self::move_to(job_id, &mut job, delivered);
				Jobs::<T>::insert(job_id, job);
				Self::deposit_event(Event::ResultDelivered { job: job_id, worker: who, output, settles_at });
				// The next block's draw of verifiers is paid by the delivery that asks for it.
				if audit_drawn {
					recorded.saturating_add(T::WeightInfo::draw_verifiers(T::MaxWorkersPerModel::get()))
				} else {
					recorded
				}
			},
			// The model was suspended meanwhile: not the worker's fault, no slash.
			Verdict::Reject => {
				Self::refuse_result(job_id, job, who, output, RejectionCause::Gate)?;
				Self::submit_result_weight(parents)
			},
		};
		Ok(used)
	}

	/// The most `submit_result` can cost for a job whose lineage has `parents` assets:
	/// recording the output, and at worst a breaker trip that releases the worker's other
	/// claims and a draw of verifiers. A delivery pays for what its path used (see
	/// [`Pallet::do_submit_result`]); a refused result pays this.
	pub(crate) fn submit_result_weight(parents: u32) -> Weight {
		T::WeightInfo::submit_result(parents)
			.saturating_add(T::WeightInfo::release_claims(T::MaxClaimsPerWorker::get()))
			.saturating_add(T::WeightInfo::draw_verifiers(T::MaxWorkersPerModel::get()))
	}

	/// `job_id`, which `who` holds claimed and whose claim has not expired, and the block now.
	pub(crate) fn claimed_by(
		job_id: JobId,
		who: &T::AccountId,
	) -> Result<(JobOf<T>, frame_system::pallet_prelude::BlockNumberFor<T>), DispatchError> {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Claimed { worker, expires_at } = &job.status else {
			return Err(Error::<T>::NotClaimant.into())
		};
		ensure!(worker == who, Error::<T>::NotClaimant);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < *expires_at, Error::<T>::ClaimExpired);
		Ok((job, now))
	}

	/// Records `output`, made by `worker` for `job`, in provenance with how it was made:
	/// `scores` are its style deviation, quality and settings.
	pub(crate) fn record_output(
		job: &JobOf<T>,
		job_id: JobId,
		worker: &T::AccountId,
		output: &CidBytes,
		weights_hash: &Sha256,
		candidates_tried: u32,
		scores: (Permill, Permill, &GenerationSettings),
	) -> DispatchResult {
		let (style_deviation, quality, settings) = scores;
		T::Assets::record_generated(
			output.clone(),
			job.client.clone(),
			job.spec.lineage(),
			Generation {
				worker: worker.clone(),
				job: job_id,
				model: job.spec.model,
				weights_hash: *weights_hash,
				prompt_hash: job.spec.prompt.hash(),
				seed: job.spec.seed,
				settings_hash: sp_io::hashing::sha2_256(settings),
				candidates_tried,
				style_deviation,
				quality,
			},
		)
	}

	/// Checks a delivery's weights hash and candidate count against the job's model and spec.
	pub(crate) fn check_model(job: &JobOf<T>, weights_hash: &Sha256, candidates_tried: u32) -> DispatchResult {
		let model = T::Models::approved_model(job.spec.model).ok_or(Error::<T>::ModelNotApproved)?;
		ensure!(model.weights_hash == *weights_hash, Error::<T>::ModelHashMismatch);
		ensure!(candidates_tried >= job.spec.candidates, Error::<T>::TooFewCandidates);
		Ok(())
	}

	/// Adds `job` to `worker`'s unsettled jobs (a claim is refused while they are full, so
	/// there is room for every claimed job's result).
	pub(crate) fn note_unsettled(worker: &T::AccountId, job: JobId) -> DispatchResult {
		Workers::<T>::try_mutate_exists(worker, |info| {
			let info = info.as_mut().ok_or(Error::<T>::NotRegistered)?;
			info.unsettled.try_push(job).map_err(|_| Error::<T>::TooManyUnsettled)?;
			Ok(())
		})
	}
}
