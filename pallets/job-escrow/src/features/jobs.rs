//! Jobs from the client's side and the worker's claim: submitting, cancelling, claiming.

use crate::*;
use frame_support::{ensure, pallet_prelude::*, traits::fungible::MutateHold};
use sp_runtime::Saturating;
use studio_primitives::{
	AgentGate, AssetLedger, GateRefusal, JobId, ModelKind, ModelRegistry, StudioParams,
	StyleRegistry,
};

impl<T: Config> From<GateRefusal> for Error<T> {
	fn from(refusal: GateRefusal) -> Self {
		match refusal {
			GateRefusal::StudioHalted => Error::<T>::StudioHalted,
			GateRefusal::ModelSuspended => Error::<T>::ModelSuspended,
			GateRefusal::AgentHalted => Error::<T>::AgentHalted,
		}
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn do_submit_job(
		client: T::AccountId,
		spec: JobSpecOf<T>,
		bounty: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(bounty >= T::Params::min_bounty(), Error::<T>::BountyTooLow);
		Self::check_spec(&spec)?;
		T::Gate::may_take_job(spec.model).map_err(Error::<T>::from)?;

		T::Currency::hold(&HoldReason::JobBounty.into(), &client, bounty)?;
		let job_id = NextJobId::<T>::mutate(|next| {
			let id = *next;
			next.saturating_inc();
			id
		});
		let (model, style, deadline) = (spec.model, spec.style, spec.deadline);
		let now = frame_system::Pallet::<T>::block_number();
		let job = JobInfo { client: client.clone(), bounty, spec, status: JobStatus::Open, submitted_at: now };
		DueJobs::<T>::insert(deadline, job_id, ());
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobSubmitted { job: job_id, client, model, style, bounty, deadline });
		Ok(())
	}

	/// Checks a job specification against the registries, the parameters and the limits.
	fn check_spec(spec: &JobSpecOf<T>) -> DispatchResult {
		let model = T::Models::approved_model(spec.model).ok_or(Error::<T>::ModelNotApproved)?;
		ensure!(model.kind == ModelKind::Generator, Error::<T>::NotAGenerator);
		ensure!(T::Styles::active_style(spec.style).is_some(), Error::<T>::UnknownStyle);
		if let Prompt::Text(text) = &spec.prompt {
			ensure!(!text.is_empty(), Error::<T>::EmptyPrompt);
		}
		ensure!(
			(1..=T::MaxCandidates::get()).contains(&spec.candidates),
			Error::<T>::InvalidCandidates
		);
		let side = 1..=T::MaxImageSide::get();
		ensure!(
			side.contains(&spec.output.width) && side.contains(&spec.output.height),
			Error::<T>::InvalidOutputSize
		);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(spec.deadline > now, Error::<T>::DeadlineInPast);
		ensure!(
			spec.deadline <= now.saturating_add(T::Params::job_max_lifetime()),
			Error::<T>::DeadlineTooFar
		);
		for (index, parent) in spec.parents.iter().enumerate() {
			ensure!(!spec.parents[..index].contains(parent), Error::<T>::DuplicateParentAsset);
			ensure!(T::Assets::contains(parent), Error::<T>::UnknownParentAsset);
		}
		Ok(())
	}

	pub(crate) fn do_cancel_job(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.client == who, Error::<T>::NotClient);
		ensure!(job.status == JobStatus::Open, Error::<T>::JobNotOpen);
		Self::release_bounty(&job)?;
		Self::move_to(job_id, &mut job, JobStatus::Cancelled);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobCancelled { job: job_id });
		Ok(())
	}

	pub(crate) fn do_claim_job(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		ensure!(worker.unbonds_at.is_none(), Error::<T>::WorkerLeaving);
		ensure!(worker.bond >= T::Params::worker_min_bond(), Error::<T>::BondTooLow);
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.status == JobStatus::Open, Error::<T>::JobNotOpen);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < job.spec.deadline, Error::<T>::DeadlinePassed);
		let model = job.spec.model;
		ensure!(worker.capabilities.contains(&model), Error::<T>::ModelNotInCapabilities);
		ensure!(T::Models::approved_model(model).is_some(), Error::<T>::ModelNotApproved);
		T::Gate::may_claim(&who, model).map_err(Error::<T>::from)?;
		worker.claims.try_push(job_id).map_err(|_| Error::<T>::TooManyClaims)?;

		let expires_at = now.saturating_add(T::Params::claim_timeout()).min(job.spec.deadline);
		Self::move_to(job_id, &mut job, JobStatus::Claimed { worker: who.clone(), expires_at });
		Jobs::<T>::insert(job_id, job);
		Workers::<T>::insert(&who, worker);
		Self::deposit_event(Event::JobClaimed { job: job_id, worker: who, expires_at });
		Ok(())
	}

}
