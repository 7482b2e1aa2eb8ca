//! Curated jobs: the worker delivers finalists, token holders pick one (in the curation
//! pallet), and the pick is delivered like any result.

use crate::*;
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::fungible::Mutate, traits::tokens::Preservation};
use sp_runtime::{traits::Zero, Saturating};
use studio_primitives::{
	AgentGate, AssetLedger, AssetStatus, CidBytes, CuratedJobs, Curation, FinalistScore, JobId,
	StudioParams, StyleRegistry, Verdict,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit_finalists(
		who: T::AccountId,
		job_id: JobId,
		report: FinalistsReportOf<T>,
	) -> DispatchResult {
		let (mut job, now) = Self::claimed_by(job_id, &who)?;
		let ask = job.spec.curation.ok_or(Error::<T>::NotCurated)?;
		Self::check_model(&job, &report.weights_hash, report.candidates_tried)?;
		ensure!(report.finalists.len() as u32 == ask.finalists, Error::<T>::WrongFinalistCount);
		// A style retired since the job was submitted has no reference to measure against: the
		// finalists are still taken (a worker is never trapped into an expiry by a vote), and
		// the curation teaches the retired style nothing.
		let dimensions = T::Styles::active_style(job.spec.style).map(|reference| reference.len());
		for (index, finalist) in report.finalists.iter().enumerate() {
			ensure!(
				!report.finalists[..index].iter().any(|earlier| earlier.output == finalist.output),
				Error::<T>::DuplicateFinalist
			);
			ensure!(
				dimensions.is_none_or(|dimensions| finalist.style_vector.len() == dimensions),
				Error::<T>::WrongStyleVectorLength
			);
			ensure!(!finalist.settings.is_empty(), Error::<T>::EmptySettings);
		}

		for finalist in report.finalists.iter() {
			Self::record_output(&job, job_id, &who, &finalist.output, &report.weights_hash, report.candidates_tried, (
				finalist.style_deviation,
				finalist.quality,
				&finalist.settings,
			))?;
			T::Assets::set_status(&finalist.output, AssetStatus::Candidate);
		}
		Workers::<T>::mutate_extant(&who, |worker| worker.claims.retain(|claimed| *claimed != job_id));
		let outputs: Vec<CidBytes> = report.finalists.iter().map(|finalist| finalist.output.clone()).collect();
		// Every finalist refused; the job re-opens or is refunded.
		let refuse_all = |job: JobOf<T>, who: T::AccountId, cause: RejectionCause| {
			outputs.iter().for_each(|output| T::Assets::set_status(output, AssetStatus::Rejected));
			Self::deposit_event(Event::ResultRejected { job: job_id, worker: who, output: outputs[0].clone(), cause });
			Self::after_rejection(job_id, job)
		};

		if report.finalists.iter().any(|finalist| finalist.quality < T::Params::quality_threshold()) {
			// As in `submit_result`: a failed claim, and nothing reaches the breaker.
			let slashed = Self::fail_claim(&mut job, &who);
			Self::deposit_event(Event::ClaimFailed { job: job_id, worker: who.clone(), slashed });
			return refuse_all(job, who, RejectionCause::LowQuality)
		}
		// Every finalist is a result the breaker judges; the first that trips it stops the
		// curation, and the job waits in quarantine with that finalist as its output.
		for finalist in report.finalists.iter() {
			match T::Gate::judge_result(&who, job_id, job.spec.model, finalist.style_deviation) {
				Verdict::Accept => continue,
				// The model was suspended meanwhile: not the worker's fault, no slash.
				Verdict::Reject => return refuse_all(job, who, RejectionCause::Gate),
				Verdict::Quarantine(incident) => {
					Self::note_unsettled(&who, job_id)?;
					let output = finalist.output.clone();
					Self::mark_chosen(outputs.iter(), &output);
					Deliveries::<T>::insert(job_id, Self::delivery_of(finalist_delivery(finalist), now));
					let quarantined =
						JobStatus::Quarantined { worker: who.clone(), output: output.clone(), incident };
					Self::move_to(job_id, &mut job, quarantined);
					Jobs::<T>::insert(job_id, job);
					Self::deposit_event(Event::ResultQuarantined { job: job_id, worker: who, output, incident });
					return Ok(())
				},
			}
		}

		Self::note_unsettled(&who, job_id)?;
		let ends_at = now.saturating_add(ask.period);
		let scores = report
			.finalists
			.iter()
			.map(|finalist| FinalistScore {
				style_deviation: finalist.style_deviation,
				style_vector: finalist.style_vector.to_vec(),
			})
			.collect();
		T::Currency::transfer(
			&Self::escrow_account(),
			&T::Curation::reward_account(),
			job.curation_reward,
			Preservation::Preserve,
		)?;
		T::Curation::open(job_id, job.client.clone(), job.spec.style, scores, ends_at, job.curation_reward)?;
		job.curation_reward = Zero::zero();
		let finalists: Vec<FinalistDelivery> = report.finalists.iter().map(finalist_delivery).collect();
		Finalists::<T>::insert(job_id, BoundedVec::truncate_from(finalists));
		Self::move_to(job_id, &mut job, JobStatus::Curating { worker: who.clone(), ends_at });
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::FinalistsDelivered { job: job_id, worker: who, outputs, ends_at });
		Ok(())
	}

	/// The curation of `job` chose finalist `index`: it is delivered like a result (its
	/// challenge window starts and it may be audited); the other finalists stay recorded as
	/// unchosen. A worker retired meanwhile gets nothing: the result is refused.
	pub(crate) fn choose_finalist(job_id: JobId, index: u32) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Curating { worker, .. } = job.status.clone() else {
			return Err(Error::<T>::NotCurating.into())
		};
		let finalists = Finalists::<T>::take(job_id).ok_or(Error::<T>::NotCurating)?;
		let chosen = finalists.get(index as usize).ok_or(Error::<T>::NotCurating)?.clone();
		Self::mark_chosen(finalists.iter().map(|finalist| &finalist.output), &chosen.output);
		Self::deposit_event(Event::FinalistChosen { job: job_id, index, output: chosen.output.clone() });
		if !Workers::<T>::contains_key(&worker) {
			return Self::refuse_result(job_id, job, worker, chosen.output, RejectionCause::WorkerRetired)
		}
		let now = frame_system::Pallet::<T>::block_number();
		let output = chosen.output.clone();
		Deliveries::<T>::insert(job_id, Self::delivery_of(chosen, now));
		Self::schedule_audit(job_id);
		let settles_at = now.saturating_add(T::Params::challenge_window());
		let delivered = JobStatus::Delivered { worker: worker.clone(), output: output.clone(), settles_at };
		Self::move_to(job_id, &mut job, delivered);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::ResultDelivered { job: job_id, worker, output, settles_at });
		Ok(())
	}

	/// Provenance: `chosen` is the job's delivered output, the other `finalists` unchosen
	/// candidates.
	fn mark_chosen<'a>(finalists: impl Iterator<Item = &'a CidBytes>, chosen: &CidBytes) {
		for other in finalists.filter(|other| *other != chosen) {
			T::Assets::set_status(other, AssetStatus::Unchosen);
		}
		T::Assets::set_status(chosen, AssetStatus::Delivered);
	}

	/// The most [`Pallet::choose_finalist`] costs: a delivery and a provenance status per
	/// finalist.
	pub(crate) fn choose_finalist_weight() -> Weight {
		T::WeightInfo::settle()
			.saturating_add(T::DbWeight::get().reads_writes(1, 1).saturating_mul(T::MaxFinalists::get().into()))
	}

	fn delivery_of(
		finalist: FinalistDelivery,
		now: frame_system::pallet_prelude::BlockNumberFor<T>,
	) -> Delivery<frame_system::pallet_prelude::BlockNumberFor<T>> {
		Delivery {
			style_deviation: finalist.style_deviation,
			quality: finalist.quality,
			settings: finalist.settings,
			delivered_at: now,
		}
	}
}

/// What the escrow keeps of a reported finalist.
fn finalist_delivery<S: Get<u32>>(finalist: &FinalistReport<S>) -> FinalistDelivery {
	FinalistDelivery {
		output: finalist.output.clone(),
		style_deviation: finalist.style_deviation,
		quality: finalist.quality,
		settings: finalist.settings.clone(),
	}
}

impl<T: Config> CuratedJobs for Pallet<T> {
	fn finalist_chosen(job: JobId, index: u32) -> DispatchResult {
		Self::choose_finalist(job, index)
	}

	fn finalist_chosen_weight() -> Weight {
		Self::choose_finalist_weight()
	}
}
