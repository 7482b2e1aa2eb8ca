//! The pallet's invariants, checked by `try_state` and by the tests after every story.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::{Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - every recorded CID is an accepted CID;
	/// - every parent of an asset is recorded, and linked to the asset in `Derivatives`;
	/// - every link in `Derivatives` is a parent named by a recorded asset;
	/// - exactly the external assets have deposits, and each account's `ExternalAsset` hold is
	///   the sum of its deposits.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut links = 0usize;
		let mut externals = 0usize;
		for (cid, record) in Assets::<T>::iter() {
			ensure!(validate_cid(&cid).is_ok(), "a recorded CID is invalid");
			if record.status == AssetStatus::External {
				ensure!(ExternalDeposits::<T>::contains_key(&cid), "an external asset has no deposit");
				externals += 1;
			}
			for parent in &record.parents {
				ensure!(Assets::<T>::contains_key(parent), "an asset's parent is not recorded");
				ensure!(
					Derivatives::<T>::contains_key(parent, &cid),
					"a parent link is missing from Derivatives"
				);
				links += 1;
			}
		}
		ensure!(
			Derivatives::<T>::iter().count() == links,
			"Derivatives holds links no asset names"
		);
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (_, (registrar, deposit)) in ExternalDeposits::<T>::iter() {
			deposits.entry(registrar).or_default().saturating_accrue(deposit);
		}
		ensure!(
			ExternalDeposits::<T>::iter().count() == externals,
			"a deposit is kept for no external asset"
		);
		for (registrar, deposit) in deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::ExternalAsset.into(), &registrar);
			ensure!(held == deposit, "a registrar's hold differs from its deposits");
		}
		Ok(())
	}
}
