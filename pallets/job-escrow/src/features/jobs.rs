//! Jobs from the client's side and the worker's claim: submitting, cancelling, claiming.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
};
use sp_runtime::{
	traits::{One, Zero},
	SaturatedConversion, Saturating,
};
use studio_primitives::{
	AgentGate, AssetLedger, AssetStatus, CidBytes, GateRefusal, JobId, ModelRegistry, StudioParams,
	StyleRegistry,
};

impl<T: Config> From<GateRefusal> for Error<T> {
	fn from(refusal: GateRefusal) -> Self {
		match refusal {
			GateRefusal::StudioHalted => Error::<T>::StudioHalted,
			GateRefusal::ModelSuspended => Error::<T>::ModelSuspended,
			GateRefusal::AgentHalted => Error::<T>::AgentHalted,
			GateRefusal::SpendCapReached => Error::<T>::SpendCapReached,
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
		Self::check_spec(&client, &spec)?;
		T::Gate::may_take_job(spec.model).map_err(Error::<T>::from)?;

		// A curated job's reward for its curators comes on top of the bounty.
		let curation_reward =
			if spec.curation.is_some() { T::Params::curation_reward() * bounty } else { Zero::zero() };
		// Into escrow: from here on nothing the client does to its own account (a vote's
		// freeze, a transfer, being reaped) can touch the bounty.
		T::Currency::transfer(
			&client,
			&Self::escrow_account(),
			bounty.saturating_add(curation_reward),
			Preservation::Preserve,
		)?;
		let job_id = NextJobId::<T>::mutate(|next| {
			let id = *next;
			next.saturating_inc();
			id
		});
		let (model, style, deadline) = (spec.model, spec.style, spec.deadline);
		let now = frame_system::Pallet::<T>::block_number();
		let job = JobInfo {
			client: client.clone(),
			bounty,
			curation_reward,
			spec,
			status: JobStatus::Open,
			submitted_at: now,
			barred: None,
			due_override: None,
		};
		DueJobs::<T>::insert(deadline, job_id, ());
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobSubmitted { job: job_id, client, model, style, bounty, deadline });
		Ok(())
	}

	/// Checks a job specification against the registries, the parameters and the limits.
	fn check_spec(client: &T::AccountId, spec: &JobSpecOf<T>) -> DispatchResult {
		let model = T::Models::approved_model(spec.model).ok_or(Error::<T>::ModelNotApproved)?;
		ensure!(model.kind == spec.kind.model_kind(), Error::<T>::WrongModelForJobKind);
		ensure!(T::Styles::active_style(spec.style).is_some(), Error::<T>::UnknownStyle);
		if let JobKind::Stylize { strength, .. } = &spec.kind {
			ensure!(T::Styles::stylize_blend(spec.style).is_some(), Error::<T>::StyleHasNoBlend);
			ensure!(!strength.is_zero(), Error::<T>::ZeroStrength);
		}
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
		// A claim in the next block must get its whole window before the deadline.
		let first_claim_ends = now.saturating_add(One::one()).saturating_add(T::Params::claim_timeout());
		ensure!(spec.deadline >= first_claim_ends, Error::<T>::DeadlineTooSoon);
		ensure!(
			spec.deadline <= now.saturating_add(T::Params::job_max_lifetime()),
			Error::<T>::DeadlineTooFar
		);
		if let Some(ask) = &spec.curation {
			ensure!(spec.kind == JobKind::Generate, Error::<T>::CurationNeedsGenerator);
			ensure!(
				(2..=T::MaxFinalists::get().min(spec.candidates)).contains(&ask.finalists) &&
					!ask.period.is_zero() && ask.period <= T::MaxCurationPeriod::get(),
				Error::<T>::InvalidCuration
			);
		}
		if let Some(content) = spec.kind.content() {
			Self::check_content(client, content)?;
			ensure!((spec.parents.len() as u32) < T::MaxParents::get(), Error::<T>::TooManyParents);
		}
		// The content's record was read by `check_content`; only the parents are looked up.
		for (index, parent) in spec.parents.iter().enumerate() {
			let seen = spec.kind.content() == Some(parent) || spec.parents[..index].contains(parent);
			ensure!(!seen, Error::<T>::DuplicateParentAsset);
			ensure!(T::Assets::contains(parent), Error::<T>::UnknownParentAsset);
		}
		Ok(())
	}

	/// A client restyles only its own material, and only material that stands: an asset it
	/// owns that is a registered original or a settled output (never one still under
	/// challenge, or refused).
	fn check_content(client: &T::AccountId, content: &CidBytes) -> DispatchResult {
		let (owner, status) = T::Assets::owner_and_status(content).ok_or(Error::<T>::UnknownContentAsset)?;
		ensure!(owner == *client, Error::<T>::NotContentOwner);
		ensure!(matches!(status, AssetStatus::External | AssetStatus::Final), Error::<T>::ContentNotFinal);
		Ok(())
	}

	pub(crate) fn do_cancel_job(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.client == who, Error::<T>::NotClient);
		ensure!(job.status == JobStatus::Open, Error::<T>::JobNotOpen);
		Self::return_bounty(&job)?;
		Self::move_to(job_id, &mut job, JobStatus::Cancelled);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobCancelled { job: job_id });
		Ok(())
	}

	pub(crate) fn do_claim_job(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let mut worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		ensure!(worker.unbonds_at.is_none(), Error::<T>::WorkerLeaving);
		let min_bond = T::Params::worker_min_bond();
		ensure!(worker.bond >= min_bond, Error::<T>::BondTooLow);
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.status == JobStatus::Open, Error::<T>::JobNotOpen);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < job.spec.deadline, Error::<T>::DeadlinePassed);
		// The claim gets its whole window, so its expiry is never forced by the deadline.
		let expires_at = now.saturating_add(T::Params::claim_timeout());
		ensure!(expires_at <= job.spec.deadline, Error::<T>::ClaimWindowTooShort);
		ensure!(job.client != who, Error::<T>::SelfDealing);
		ensure!(job.barred.as_ref() != Some(&who), Error::<T>::ClaimedBefore);
		let model = job.spec.model;
		ensure!(worker.capabilities.contains(&model), Error::<T>::ModelNotInCapabilities);
		ensure!(T::Models::approved_model(model).is_some(), Error::<T>::ModelNotApproved);
		T::Gate::may_claim(&who, model, job.bounty).map_err(Error::<T>::from)?;
		ensure!((worker.claims.len() as u32) < Self::claims_allowed(worker.bond, min_bond), Error::<T>::TooManyClaims);
		// Room for this claim's result among the unsettled, after the claims already held.
		ensure!(
			((worker.claims.len() + worker.unsettled.len()) as u32) < T::MaxUnsettledPerWorker::get(),
			Error::<T>::TooManyUnsettled
		);
		worker.claims.try_push(job_id).map_err(|_| Error::<T>::TooManyClaims)?;

		Self::move_to(job_id, &mut job, JobStatus::Claimed { worker: who.clone(), expires_at });
		Jobs::<T>::insert(job_id, job);
		Workers::<T>::insert(&who, worker);
		Self::deposit_event(Event::JobClaimed { job: job_id, worker: who, expires_at });
		Ok(())
	}

	pub(crate) fn do_release_claim(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Claimed { worker, expires_at } = &job.status else {
			return Err(Error::<T>::NotClaimant.into())
		};
		ensure!(*worker == who, Error::<T>::NotClaimant);
		// The claim was made `claim_timeout` before it expires; a timeout raised since only
		// shortens the grace.
		let now = frame_system::Pallet::<T>::block_number();
		let grace_ends = expires_at.saturating_sub(T::Params::claim_timeout()).saturating_add(T::ReleaseGrace::get());
		ensure!(now <= grace_ends, Error::<T>::ReleaseGraceOver);
		Workers::<T>::mutate_extant(&who, |info| info.claims.retain(|claimed| *claimed != job_id));
		job.barred = Some(who.clone());
		Self::deposit_event(Event::ClaimReleased { job: job_id, worker: who });
		Self::reopen_or_refund(job_id, job)
	}

	/// How many claims a bond of `bond` may hold at once: one per `min_bond`, at least one
	/// and at most `MaxClaimsPerWorker`.
	pub(crate) fn claims_allowed(bond: BalanceOf<T>, min_bond: BalanceOf<T>) -> u32 {
		let max = T::MaxClaimsPerWorker::get();
		if min_bond.is_zero() {
			return max
		}
		let per_bond: u128 = (bond / min_bond).saturated_into();
		(per_bond.min(max as u128) as u32).max(1)
	}
}
