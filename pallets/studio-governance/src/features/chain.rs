//! The chain itself by vote. Runtime upgrades: a passed `AuthorizeUpgrade` authorizes a code
//! hash in `frame_system` (with its version checks on); anyone then applies the code with
//! `System::apply_authorized_upgrade`. No key can upgrade the runtime on its own. Validators:
//! `AddValidator` and `RemoveValidator` change the set through [`Config::Validators`].

use crate::*;
use frame_support::pallet_prelude::*;
use sp_core::H256;
use studio_primitives::ValidatorSetRefusal;

impl<T: Config> Pallet<T> {
	/// The pallet's error for a refused validator-set change.
	pub(crate) fn validator_error(refusal: ValidatorSetRefusal) -> DispatchError {
		match refusal {
			ValidatorSetRefusal::AlreadyValidator => Error::<T>::AlreadyValidator,
			ValidatorSetRefusal::NotValidator => Error::<T>::NotValidator,
			ValidatorSetRefusal::NoSessionKeys => Error::<T>::NoSessionKeys,
			ValidatorSetRefusal::TooManyValidators => Error::<T>::TooManyValidators,
			ValidatorSetRefusal::TooFewValidators => Error::<T>::TooFewValidators,
		}
		.into()
	}

	/// A code hash of all zeroes is a proposal made without a runtime: nothing hashes to it.
	pub(crate) fn check_upgrade(code_hash: &H256) -> DispatchResult {
		ensure!(!code_hash.is_zero(), Error::<T>::NoCodeHash);
		Ok(())
	}

	/// Authorizes the runtime whose code hashes to `code_hash`, replacing any earlier
	/// authorization not yet applied; the runtime must keep the spec name and raise the spec
	/// version when it is applied (`frame_system` checks both then).
	pub(crate) fn authorize_upgrade(code_hash: H256) {
		frame_system::Pallet::<T>::do_authorize_upgrade(code_hash, true);
	}
}
