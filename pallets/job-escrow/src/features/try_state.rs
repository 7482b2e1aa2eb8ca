//! The pallet's invariants, checked by `try_state` and by the tests after every story.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::{Saturating, TryRuntimeError};
use studio_primitives::{AssetLedger, JobId};

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - the escrow's account holds at least the existential deposit plus the bounties (and
	///   curation rewards not yet handed to curation) of the live jobs (more only when someone
	///   sent it funds);
	/// - each worker's `WorkerBond` hold equals its recorded bond;
	/// - every live job but a quarantined one has exactly one entry in `DueJobs`, under its due
	///   block (or its retry block), no older than the cursor, and `DueJobs` has no other
	///   entries;
	/// - a claimed job is in its worker's claims, and each worker's `unsettled` lists its
	///   curating, delivered and quarantined jobs; exactly the curating jobs have finalists;
	/// - every delivered or settled job's output is recorded in provenance;
	/// - exactly the delivered and quarantined jobs have a delivery record, only delivered ones
	///   a verification, and challenge deposits are in the escrow's account;
	/// - each model's worker list is exactly the registered workers that run it.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut escrowed = T::Currency::minimum_balance();
		let mut unsettled: BTreeMap<T::AccountId, alloc::vec::Vec<JobId>> = BTreeMap::new();
		let mut timed = 0usize;
		let cursor = DueCursor::<T>::get();
		for (job_id, job) in Jobs::<T>::iter() {
			if job.is_live() {
				escrowed.saturating_accrue(job.bounty.saturating_add(job.curation_reward));
			}
			let curating = matches!(job.status, JobStatus::Curating { .. });
			ensure!(Finalists::<T>::contains_key(job_id) == curating, "finalists differ from their job");
			let delivered = matches!(job.status, JobStatus::Delivered { .. } | JobStatus::Quarantined { .. });
			ensure!(Deliveries::<T>::contains_key(job_id) == delivered, "a delivery record differs from its job");
			if let Some(verification) = Verifications::<T>::get(job_id) {
				ensure!(matches!(job.status, JobStatus::Delivered { .. }), "a verification of no delivered job");
				if let Some((_, deposit)) = verification.challenger {
					escrowed.saturating_accrue(deposit);
				}
			}
			if let Some(due) = job.due_at() {
				ensure!(DueJobs::<T>::contains_key(due, job_id), "a live job is missing from DueJobs");
				ensure!(due >= cursor, "a live job is due before the cursor");
				timed += 1;
			}
			match &job.status {
				JobStatus::Claimed { worker, .. } => {
					let info = Workers::<T>::get(worker).ok_or("a job is claimed by no worker")?;
					ensure!(info.claims.contains(&job_id), "a claimed job is not in its worker's claims");
				},
				JobStatus::Delivered { worker, output, .. } |
				JobStatus::Quarantined { worker, output, .. } => {
					unsettled.entry(worker.clone()).or_default().push(job_id);
					ensure!(T::Assets::contains(output), "a delivered output is not in provenance");
				},
				JobStatus::Curating { worker, .. } => {
					unsettled.entry(worker.clone()).or_default().push(job_id);
					ensure!(job.curation_reward == Default::default(), "a curating job still holds its reward");
				},
				JobStatus::Settled { output, .. } =>
					ensure!(T::Assets::contains(output), "a settled output is not in provenance"),
				_ => {},
			}
		}
		ensure!(DueJobs::<T>::iter().count() == timed, "DueJobs holds entries of no live job");
		ensure!(
			Deliveries::<T>::iter_keys().all(|job| Jobs::<T>::contains_key(job)) &&
				Verifications::<T>::iter_keys().all(|job| Jobs::<T>::contains_key(job)) &&
				Verdicts::<T>::iter_keys().all(|job| Jobs::<T>::contains_key(job)) &&
				Finalists::<T>::iter_keys().all(|job| Jobs::<T>::contains_key(job)),
			"a delivery or verification of no job"
		);
		for (model, listed) in ModelWorkers::<T>::iter() {
			for (index, who) in listed.iter().enumerate() {
				ensure!(!listed[..index].contains(who), "a worker is listed twice for a model");
				let worker = Workers::<T>::get(who).ok_or("a model lists no worker")?;
				ensure!(worker.capabilities.contains(&model), "a model lists a worker that does not run it");
			}
		}
		ensure!(
			T::Currency::balance(&Self::escrow_account()) >= escrowed,
			"the escrow's account holds less than the live jobs' bounties"
		);

		ensure!(
			ContentAddresses::<T>::iter_keys().all(|who| Workers::<T>::contains_key(who)),
			"a content address belongs to no worker"
		);
		for (who, worker) in Workers::<T>::iter() {
			ensure!(
				worker.capabilities.iter().all(|model| ModelWorkers::<T>::get(model).contains(&who)),
				"a worker is missing from a model's workers"
			);
			let on_hold = T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), &who);
			ensure!(on_hold == worker.bond, "a worker's bond hold differs from its record");
			ensure!(
				{
					let mut listed = worker.unsettled.to_vec();
					listed.sort();
					let mut delivered = unsettled.get(&who).cloned().unwrap_or_default();
					delivered.sort();
					listed == delivered
				},
				"a worker's unsettled jobs differ from its delivered jobs"
			);
			for job_id in &worker.claims {
				let job = Jobs::<T>::get(job_id).ok_or("a worker claims an unknown job")?;
				ensure!(
					matches!(&job.status, JobStatus::Claimed { worker, .. } if *worker == who),
					"a worker's claim is not claimed by it"
				);
			}
		}
		Ok(())
	}
}
