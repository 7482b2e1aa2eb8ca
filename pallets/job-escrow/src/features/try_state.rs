//! The pallet's invariants, checked by `try_state` and by the tests after every story.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::{traits::Zero, Saturating, TryRuntimeError};
use studio_primitives::AssetLedger;

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - each client's `JobBounty` hold equals the bounties of its live jobs, so settled,
	///   cancelled and refunded jobs hold nothing;
	/// - each worker's `WorkerBond` hold equals its recorded bond;
	/// - every live job but a quarantined one has exactly one entry in `DueJobs`, under its due
	///   block, no older than the cursor, and `DueJobs` has no other entries;
	/// - a claimed job is in its worker's claims, and each worker's `unsettled` counts its
	///   delivered and quarantined jobs;
	/// - every delivered or settled job's output is recorded in provenance.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut bounties: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut unsettled: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut timed = 0usize;
		let cursor = DueCursor::<T>::get();
		for (job_id, job) in Jobs::<T>::iter() {
			let held = bounties.entry(job.client.clone()).or_insert_with(Zero::zero);
			if job.is_live() {
				held.saturating_accrue(job.bounty);
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
					*unsettled.entry(worker.clone()).or_default() += 1;
					ensure!(T::Assets::contains(output), "a delivered output is not in provenance");
				},
				JobStatus::Settled { output, .. } =>
					ensure!(T::Assets::contains(output), "a settled output is not in provenance"),
				_ => {},
			}
		}
		ensure!(DueJobs::<T>::iter().count() == timed, "DueJobs holds entries of no live job");
		for (client, held) in &bounties {
			let on_hold = T::Currency::balance_on_hold(&HoldReason::JobBounty.into(), client);
			ensure!(on_hold == *held, "a client's bounty hold differs from its live jobs");
		}

		for (who, worker) in Workers::<T>::iter() {
			let on_hold = T::Currency::balance_on_hold(&HoldReason::WorkerBond.into(), &who);
			ensure!(on_hold == worker.bond, "a worker's bond hold differs from its record");
			ensure!(
				worker.unsettled == unsettled.get(&who).copied().unwrap_or_default(),
				"a worker's unsettled count differs from its delivered jobs"
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
