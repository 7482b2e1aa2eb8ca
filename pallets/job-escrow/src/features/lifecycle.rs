//! How jobs end: settlement, refunds, expiry, and the `on_idle` walk over due jobs.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{AccountIdConversion, One, Zero},
	Saturating,
};
use studio_primitives::{
	AgentGate, AssetLedger, AssetStatus, Curation, JobId, ModelRegistry, StudioParams,
};

impl<T: Config> Pallet<T> {
	/// The escrow's own account: it keeps the bounties of live jobs (and, from genesis, the
	/// existential deposit).
	pub fn escrow_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Moves `job` to `status`, keeping its entry in [`DueJobs`] under its new due block (a
	/// pending retry ends with the status it was for; a finished job is due for pruning after
	/// `JobRetention`). The caller stores the job.
	pub(crate) fn move_to(
		job_id: JobId,
		job: &mut JobOf<T>,
		status: JobStatus<T::AccountId, BlockNumberFor<T>>,
	) {
		Self::reschedule(job_id, job, |job| {
			job.status = status;
			let finished = !job.is_live();
			job.due_override = finished
				.then(|| frame_system::Pallet::<T>::block_number().saturating_add(T::JobRetention::get()));
		});
	}

	/// Applies `change` to `job`, moving its entry in [`DueJobs`] from its old due block to
	/// its new one.
	fn reschedule(job_id: JobId, job: &mut JobOf<T>, change: impl FnOnce(&mut JobOf<T>)) {
		if let Some(due) = job.due_at() {
			DueJobs::<T>::remove(due, job_id);
		}
		change(job);
		if let Some(due) = job.due_at() {
			DueJobs::<T>::insert(due, job_id, ());
		}
	}

	/// Pays `amount` out of escrow to `to`. The escrow's account keeps its existential deposit,
	/// and holds no freezes or holds, so this fails only when `to` cannot receive `amount` (a
	/// reaped account and an amount below the existential deposit).
	pub(crate) fn pay_from_escrow(to: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		if !amount.is_zero() {
			T::Currency::transfer(&Self::escrow_account(), to, amount, Preservation::Preserve)?;
		}
		Ok(())
	}

	/// Takes `job` off `worker`'s unsettled jobs.
	pub(crate) fn forget_unsettled(worker: &T::AccountId, job: JobId) {
		Workers::<T>::mutate_extant(worker, |info| info.unsettled.retain(|unsettled| *unsettled != job));
	}

	/// Gives the whole bounty back to the client, with a curation reward no curation took.
	pub(crate) fn return_bounty(job: &JobOf<T>) -> DispatchResult {
		Self::pay_from_escrow(&job.client, job.bounty.saturating_add(job.curation_reward))
	}

	/// Refunds a live job's bounty to its client and ends the job.
	pub(crate) fn refund(job_id: JobId, mut job: JobOf<T>) -> DispatchResult {
		Self::return_bounty(&job)?;
		Self::move_to(job_id, &mut job, JobStatus::Refunded);
		let (client, amount) = (job.client.clone(), job.bounty.saturating_add(job.curation_reward));
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobRefunded { job: job_id, client, amount });
		Ok(())
	}

	/// Opens a job again, or refunds it when its deadline has come.
	pub(crate) fn reopen_or_refund(job_id: JobId, mut job: JobOf<T>) -> DispatchResult {
		if frame_system::Pallet::<T>::block_number() >= job.spec.deadline {
			return Self::refund(job_id, job)
		}
		Self::move_to(job_id, &mut job, JobStatus::Open);
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobReopened { job: job_id });
		Ok(())
	}

	/// Refuses `worker`'s result `output` for `cause`: provenance marks it rejected, and the job
	/// re-opens or is refunded, as its client chose.
	pub(crate) fn refuse_result(
		job_id: JobId,
		job: JobOf<T>,
		worker: T::AccountId,
		output: studio_primitives::CidBytes,
		cause: RejectionCause,
	) -> DispatchResult {
		T::Assets::set_status(&output, AssetStatus::Rejected);
		Self::end_delivery(job_id);
		Self::deposit_event(Event::ResultRejected { job: job_id, worker, output, cause });
		Self::after_rejection(job_id, job)
	}

	/// Re-opens or refunds a job whose result was refused, as its client chose.
	pub(crate) fn after_rejection(job_id: JobId, job: JobOf<T>) -> DispatchResult {
		match job.spec.on_rejection {
			OnRejection::Reopen => Self::reopen_or_refund(job_id, job),
			OnRejection::Refund => Self::refund(job_id, job),
		}
	}

	/// Pays a delivered job out: the bounty less the studio fee to the worker; the fee (with
	/// `forfeited`, a lost challenge deposit) to the treasury, or, when verifiers confirmed the
	/// result, shared among `verifiers` (with their share of `forfeited`).
	pub(crate) fn pay_out(
		job_id: JobId,
		mut job: JobOf<T>,
		verifiers: &[T::AccountId],
		forfeited: BalanceOf<T>,
	) -> DispatchResult {
		let JobStatus::Delivered { worker, output, .. } = job.status.clone() else {
			return Err(Error::<T>::NotDelivered.into())
		};
		let fee = T::Params::studio_fee() * job.bounty;
		let payment = job.bounty.saturating_sub(fee);
		Self::pay_from_escrow(&worker, payment)?;
		// A curated job whose curation never ran (its result went through quarantine) gives its
		// reward back; one its client cannot receive (a reaped account, a reward below the
		// existential deposit) goes to the treasury rather than block the payout.
		if Self::pay_from_escrow(&job.client, job.curation_reward).is_err() {
			Self::pay_from_escrow(&T::Treasury::get(), job.curation_reward)?;
		}
		let pool = fee.saturating_add(T::VerifiersShare::get() * forfeited);
		let shared = Self::reward_verifiers(job_id, verifiers, pool)?;
		Self::pay_from_escrow(&T::Treasury::get(), fee.saturating_add(forfeited).saturating_sub(shared))?;
		Self::end_delivery(job_id);
		T::Gate::record_payout(&worker, payment);
		Self::forget_unsettled(&worker, job_id);
		T::Assets::set_status(&output, AssetStatus::Final);
		Self::move_to(job_id, &mut job, JobStatus::Settled { worker: worker.clone(), output });
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::JobSettled { job: job_id, worker, payment, fee });
		Ok(())
	}

	/// Ends an expired claim: slashes the worker, bars it from the job and re-opens (or
	/// refunds) the job.
	fn expire_claim(job_id: JobId, mut job: JobOf<T>, worker: T::AccountId) -> DispatchResult {
		Workers::<T>::mutate_extant(&worker, |info| info.claims.retain(|claimed| *claimed != job_id));
		// A model retired while the job was claimed cannot be delivered: not the worker's fault.
		let slashed = if T::Models::approved_model(job.spec.model).is_some() {
			Self::fail_claim(&mut job, &worker)
		} else {
			Zero::zero()
		};
		Self::deposit_event(Event::ClaimExpired { job: job_id, worker, slashed });
		Self::reopen_or_refund(job_id, job)
	}

	/// A claim of `worker` on `job` failed through the worker's fault: `ExpirySlash` of its
	/// bond goes to the treasury and it may not claim the job again. Returns the slash.
	pub(crate) fn fail_claim(job: &mut JobOf<T>, worker: &T::AccountId) -> BalanceOf<T> {
		job.barred = Some(worker.clone());
		let mut slashed = Zero::zero();
		Workers::<T>::mutate_extant(worker, |info| {
			slashed = Self::slash_bond(worker, info, T::ExpirySlash::get());
		});
		slashed
	}

	pub(crate) fn do_accept_result(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		ensure!(job.client == who, Error::<T>::NotClient);
		Self::ensure_not_verifying(job_id)?;
		Self::pay_out(job_id, job, &[], Zero::zero())
	}

	pub(crate) fn do_settle_due(job_id: JobId) -> DispatchResult {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Delivered { settles_at, .. } = &job.status else {
			return Err(Error::<T>::NotDelivered.into())
		};
		ensure!(frame_system::Pallet::<T>::block_number() >= *settles_at, Error::<T>::ChallengeWindowOpen);
		Self::ensure_not_verifying(job_id)?;
		Self::pay_out(job_id, job, &[], Zero::zero())
	}

	pub(crate) fn do_expire_due(job_id: JobId) -> DispatchResult {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let now = frame_system::Pallet::<T>::block_number();
		match job.status.clone() {
			JobStatus::Claimed { worker, expires_at } if now >= expires_at =>
				Self::expire_claim(job_id, job, worker),
			JobStatus::Open if now >= job.spec.deadline => Self::refund(job_id, job),
			_ => Err(Error::<T>::NotExpired.into()),
		}
	}

	/// Does whatever is due for a job whose due block has come.
	fn process_due_job(job_id: JobId) -> DispatchResult {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		match job.status {
			JobStatus::Delivered { .. } if Verifications::<T>::contains_key(job_id) =>
				Self::conclude(job_id),
			JobStatus::Delivered { .. } => Self::do_settle_due(job_id),
			JobStatus::Curating { .. } => {
				let chosen = T::Curation::close(job_id)?;
				Self::choose_finalist(job_id, chosen)
			},
			_ if !job.is_live() => {
				if let Some(due) = job.due_at() {
					DueJobs::<T>::remove(due, job_id);
				}
				Jobs::<T>::remove(job_id);
				Verdicts::<T>::remove(job_id);
				Self::deposit_event(Event::JobPruned { job: job_id });
				Ok(())
			},
			_ => Self::do_expire_due(job_id),
		}
	}

	/// Walks [`DueJobs`] from [`DueCursor`] up to `now`, settling, expiring and refunding, as
	/// long as `remaining` weight allows. Returns the weight used.
	pub(crate) fn process_due(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
		let db = T::DbWeight::get();
		let per_job = Self::due_job_weight();
		let mut used = db.reads_writes(1, 1);
		if remaining.any_lt(used) {
			return Weight::zero()
		}
		let mut cursor = DueCursor::<T>::get();
		while cursor <= now {
			let step = db.reads(1);
			if remaining.any_lt(used.saturating_add(step).saturating_add(per_job)) {
				break
			}
			used.saturating_accrue(step);
			match DueJobs::<T>::iter_key_prefix(cursor).next() {
				Some(job_id) => {
					used.saturating_accrue(per_job);
					let outcome = frame_support::storage::with_storage_layer(|| {
						Self::process_due_job(job_id)
					});
					if let Err(error) = outcome {
						// Whatever failed was rolled back. The job stays as it was and is tried
						// again later, so the walk moves on and the job never leaves the queue.
						Self::defer(job_id, now, error);
						if DueJobs::<T>::contains_key(cursor, job_id) {
							// The job is gone or due elsewhere (cannot happen while the
							// invariants hold): drop the stale entry so the walk moves on.
							frame_support::defensive!("a due job could not be deferred");
							DueJobs::<T>::remove(cursor, job_id);
						}
					}
				},
				None => cursor.saturating_inc(),
			}
		}
		DueCursor::<T>::put(cursor);
		used
	}

	/// The most one due job costs `on_idle`: settling, expiring, a verdict (whose incident
	/// releases the worker's claims), or closing a curation and delivering its choice.
	pub(crate) fn due_job_weight() -> Weight {
		T::WeightInfo::process_due_job()
			.max(
				T::WeightInfo::conclude(T::MaxVerifiers::get())
					.saturating_add(T::WeightInfo::release_claims(T::MaxClaimsPerWorker::get())),
			)
			.max(T::Curation::close_weight().saturating_add(Self::choose_finalist_weight()))
	}

	/// Tries a job's failed due step again `RetryDelay` blocks after `now`.
	fn defer(job_id: JobId, now: BlockNumberFor<T>, error: DispatchError) {
		let Some(mut job) = Jobs::<T>::get(job_id) else { return };
		let retry_at = now.saturating_add(T::RetryDelay::get().max(One::one()));
		Self::reschedule(job_id, &mut job, |job| job.due_override = Some(retry_at));
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::DueStepDeferred { job: job_id, retry_at, error });
	}
}
