//! Recording assets, moving them between owners and through their statuses.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision},
		UnixTime,
	},
};
use studio_primitives::{AssetLedger, AssetStatus, CidBytes, Generation};

impl<T: Config> Pallet<T> {
	/// Records a person's work, holding the registration deposit from them.
	pub(crate) fn do_register_external(
		cid: CidBytes,
		registrar: T::AccountId,
		parents: ParentsOf<T>,
	) -> DispatchResult {
		// All or nothing, however it is called.
		frame_support::storage::with_storage_layer(|| {
			Self::do_record(cid.clone(), registrar.clone(), parents, None)?;
			let deposit = T::ExternalDeposit::get();
			T::Currency::hold(&HoldReason::ExternalAsset.into(), &registrar, deposit)?;
			ExternalDeposits::<T>::insert(cid, (registrar, deposit));
			Ok(())
		})
	}

	/// Records `cid` for `creator`, descending from `parents`: generated when `generation`
	/// says how, external otherwise.
	///
	/// A generated record takes the place of an external registration of the same CID: a
	/// registration proves nothing (anyone may register any CID, e.g. one read from a worker's
	/// pending result), while the studio's record names the job that paid for the output. So
	/// nobody can keep a studio output from being recorded, or pose as its creator, by
	/// registering its CID first. Anything else already recorded is refused.
	pub(crate) fn do_record(
		cid: CidBytes,
		creator: T::AccountId,
		parents: ParentsOf<T>,
		generation: Option<Generation<T::AccountId>>,
	) -> DispatchResult {
		validate_cid(&cid).map_err(|_| Error::<T>::InvalidCid)?;
		let superseded = match Assets::<T>::get(&cid) {
			Some(existing) if generation.is_some() && existing.status == AssetStatus::External =>
				Some(existing),
			Some(_) => return Err(Error::<T>::AssetExists.into()),
			None => None,
		};
		ensure!(!parents.contains(&cid), Error::<T>::DuplicateParent);
		if superseded.is_some() {
			// The registration may already have descendants: the output must not be one.
			for parent in &parents {
				let ancestors = Self::lineage(parent, u32::MAX);
				ensure!(ancestors.iter().all(|ancestor| ancestor.cid != cid), Error::<T>::LineageCycle);
			}
		}
		for (index, parent) in parents.iter().enumerate() {
			ensure!(!parents[..index].contains(parent), Error::<T>::DuplicateParent);
			ensure!(Assets::<T>::contains_key(parent), Error::<T>::UnknownParent);
		}
		if let Some(external) = superseded {
			for parent in &external.parents {
				Derivatives::<T>::remove(parent, &cid);
			}
			let burned = match ExternalDeposits::<T>::take(&cid) {
				Some((registrar, deposit)) => T::Currency::burn_held(
					&HoldReason::ExternalAsset.into(),
					&registrar,
					deposit,
					Precision::BestEffort,
					Fortitude::Force,
				)?,
				None => Default::default(),
			};
			Self::deposit_event(Event::ExternalSuperseded {
				cid: cid.clone(),
				registrar: external.creator,
				burned,
			});
		}
		for parent in &parents {
			Derivatives::<T>::insert(parent, &cid, ());
		}
		let job = generation.as_ref().map(|generation| generation.job);
		let status = if generation.is_some() { AssetStatus::Delivered } else { AssetStatus::External };
		let record = AssetRecord {
			creator: creator.clone(),
			owner: creator.clone(),
			parents,
			generation,
			recorded_at: frame_system::Pallet::<T>::block_number(),
			recorded_at_ms: T::Clock::now().as_millis() as u64,
			status,
		};
		Assets::<T>::insert(&cid, record);
		Self::deposit_event(Event::AssetRecorded { cid, creator, job });
		Ok(())
	}

	pub(crate) fn do_transfer(cid: CidBytes, from: T::AccountId, to: T::AccountId) -> DispatchResult {
		Assets::<T>::try_mutate(&cid, |record| {
			let record = record.as_mut().ok_or(Error::<T>::UnknownAsset)?;
			ensure!(record.owner == from, Error::<T>::NotOwner);
			record.owner = to.clone();
			Ok::<_, Error<T>>(())
		})?;
		Self::deposit_event(Event::AssetTransferred { cid, from, to });
		Ok(())
	}
}

impl<T: Config> AssetLedger<T::AccountId> for Pallet<T> {
	fn contains(cid: &CidBytes) -> bool {
		Assets::<T>::contains_key(cid)
	}

	fn owner_and_status(cid: &CidBytes) -> Option<(T::AccountId, AssetStatus)> {
		Assets::<T>::get(cid).map(|record| (record.owner, record.status))
	}

	fn record_generated(
		cid: CidBytes,
		client: T::AccountId,
		parents: Vec<CidBytes>,
		generation: Generation<T::AccountId>,
	) -> DispatchResult {
		let parents = ParentsOf::<T>::try_from(parents).map_err(|_| Error::<T>::TooManyParents)?;
		Self::do_record(cid, client, parents, Some(generation))
	}

	fn set_status(cid: &CidBytes, status: AssetStatus) {
		let changed = Assets::<T>::mutate(cid, |record| match record {
			Some(record) if record.status != status => {
				record.status = status;
				true
			},
			_ => false,
		});
		if changed {
			Self::deposit_event(Event::AssetStatusChanged { cid: cid.clone(), status });
		}
	}
}
