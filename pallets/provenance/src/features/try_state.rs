//! The pallet's invariants, checked by `try_state` and by the tests after every story.

use crate::*;
use frame_support::ensure;
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - every recorded CID is an accepted CID;
	/// - every parent of an asset is recorded, and linked to the asset in `Derivatives`;
	/// - every link in `Derivatives` is a parent named by a recorded asset.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let mut links = 0usize;
		for (cid, record) in Assets::<T>::iter() {
			ensure!(validate_cid(&cid).is_ok(), "a recorded CID is invalid");
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
		Ok(())
	}
}
