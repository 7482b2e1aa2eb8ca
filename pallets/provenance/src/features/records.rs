//! Recording assets, moving them between owners and through their statuses.

use crate::*;
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::DispatchResult, traits::UnixTime};
use studio_primitives::{AssetLedger, AssetStatus, CidBytes, Generation};

impl<T: Config> Pallet<T> {
	/// Records `cid` for `creator`, descending from `parents`: generated when `generation`
	/// says how, external otherwise.
	pub(crate) fn do_record(
		cid: CidBytes,
		creator: T::AccountId,
		parents: ParentsOf<T>,
		generation: Option<Generation<T::AccountId>>,
	) -> DispatchResult {
		validate_cid(&cid).map_err(|_| Error::<T>::InvalidCid)?;
		ensure!(!Assets::<T>::contains_key(&cid), Error::<T>::AssetExists);
		for (index, parent) in parents.iter().enumerate() {
			ensure!(!parents[..index].contains(parent), Error::<T>::DuplicateParent);
			ensure!(Assets::<T>::contains_key(parent), Error::<T>::UnknownParent);
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
