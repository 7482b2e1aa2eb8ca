//! # Validator set
//!
//! Who authors and finalizes Studio Chain's blocks, decided by token holders: governance adds a
//! validator on the slow track and removes one on the fast track
//! (`pallet_studio_governance::GovernanceAction::{AddValidator, RemoveValidator}`, through
//! [`studio_primitives::ValidatorSet`]); this pallet keeps the planned set and hands it to
//! `pallet_session` as its [`pallet_session::SessionManager`] at the next session change, from
//! which Aura and GRANDPA take their authorities (a change is active one session after it is
//! planned, as `pallet_session` queues keys a session ahead).
//!
//! A validator must have registered its session keys (`Session::set_keys`, with the proof of
//! ownership `author_rotateKeysWithOwner` gives) before it can be added, so that a vote cannot
//! add an account that could not author. The set stays within [`Config::MinValidators`] and
//! [`Config::MaxValidators`]. The pallet has no calls of its own.
//!
//! It also ends sessions, in its `on_initialize`, when [`Config::SessionEnds`] says so: the
//! session pallet's own hook books the whole block for a rotation (polkadot-sdk#184), so that a
//! chain with short sessions would lose a block's room for transactions every session. Here a
//! rotation is charged what its benchmark measured for the validators it handles, and the
//! session pallet's `ShouldEndSession` is [`RotatedByValidatorSet`], which never ends one.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use pallet::*;
pub use weights::WeightInfo;

/// The session pallet's `ShouldEndSession` in a runtime where this pallet ends sessions: never
/// from the session pallet's hook (this pallet's `on_initialize` rotates, at the blocks
/// [`Config::SessionEnds`] names, with a measured weight).
pub struct RotatedByValidatorSet;

impl<BlockNumber> pallet_session::ShouldEndSession<BlockNumber> for RotatedByValidatorSet {
	fn should_end_session(_: BlockNumber) -> bool {
		false
	}
}

#[frame_support::pallet]
pub mod pallet {
	use crate::WeightInfo;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use pallet_session::ShouldEndSession;
	use studio_primitives::{ValidatorSet, ValidatorSetRefusal};

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config + pallet_session::Config<ValidatorId = <Self as frame_system::Config>::AccountId>
	{
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The fewest validators the set may have: a removal that would go below is refused.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// The most validators the set may have (and Aura's and GRANDPA's authority bound).
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// Which blocks end a session (e.g. `pallet_session::PeriodicSessions`): this pallet
		/// rotates the session at their start.
		type SessionEnds: ShouldEndSession<BlockNumberFor<Self>>;

		/// The measured weight of a session rotation.
		type WeightInfo: WeightInfo;
	}

	/// The validators from the next session change on, in the order they were added.
	#[pallet::storage]
	pub type PlannedValidators<T: Config> = StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether the planned set differs from the one handed to the session pallet last.
	#[pallet::storage]
	pub type PlanChanged<T> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The first validators, each with its session keys in `pallet_session`'s genesis. A
		/// chain lists at least `MinValidators`; none leaves the first set to the session
		/// pallet's genesis keys and plans nothing (test runtimes).
		pub validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let validators: BoundedVec<_, T::MaxValidators> =
				self.validators.clone().try_into().expect("at most MaxValidators genesis validators");
			assert!(
				validators.is_empty() || validators.len() as u32 >= T::MinValidators::get(),
				"at least MinValidators genesis validators"
			);
			PlannedValidators::<T>::put(validators);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `validator` joins the set at the next session change.
		ValidatorAdded { validator: T::AccountId },
		/// `validator` leaves the set at the next session change.
		ValidatorRemoved { validator: T::AccountId },
		/// The planned set went to the session pallet for session `session`: it validates from
		/// the session after.
		ValidatorSetPlanned { session: u32, validators: u32 },
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Ends the session at the blocks [`Config::SessionEnds`] names, charging the rotation
		/// for the validators it handled: those leaving and those queued (their keys are read,
		/// and Aura and GRANDPA take them).
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			if !T::SessionEnds::should_end_session(now) {
				return Weight::zero()
			}
			let ending = pallet_session::Validators::<T>::decode_len().unwrap_or_default();
			pallet_session::Pallet::<T>::rotate_session();
			let queued = pallet_session::QueuedKeys::<T>::decode_len().unwrap_or_default();
			<T as Config>::WeightInfo::rotate_session(ending.max(queued) as u32)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// The set holds no account twice and has at least `MinValidators`.
		#[cfg(any(test, feature = "try-runtime"))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let planned = PlannedValidators::<T>::get();
			let mut sorted: Vec<_> = planned.iter().collect();
			sorted.sort();
			sorted.dedup();
			ensure!(sorted.len() == planned.len(), "a validator is planned twice");
			ensure!(planned.len() as u32 >= T::MinValidators::get(), "fewer than MinValidators planned");
			Ok(())
		}
	}

	impl<T: Config> ValidatorSet<T::AccountId> for Pallet<T> {
		fn check_add(who: &T::AccountId) -> Result<(), ValidatorSetRefusal> {
			let planned = PlannedValidators::<T>::get();
			if planned.contains(who) {
				return Err(ValidatorSetRefusal::AlreadyValidator)
			}
			if planned.is_full() {
				return Err(ValidatorSetRefusal::TooManyValidators)
			}
			if !pallet_session::NextKeys::<T>::contains_key(who) {
				return Err(ValidatorSetRefusal::NoSessionKeys)
			}
			Ok(())
		}

		fn add(who: T::AccountId) -> Result<(), ValidatorSetRefusal> {
			Self::check_add(&who)?;
			PlannedValidators::<T>::mutate(|planned| planned.try_push(who.clone()))
				.map_err(|_| ValidatorSetRefusal::TooManyValidators)?;
			PlanChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { validator: who });
			Ok(())
		}

		fn check_remove(who: &T::AccountId) -> Result<(), ValidatorSetRefusal> {
			let planned = PlannedValidators::<T>::get();
			if !planned.contains(who) {
				return Err(ValidatorSetRefusal::NotValidator)
			}
			if (planned.len() as u32) <= T::MinValidators::get() {
				return Err(ValidatorSetRefusal::TooFewValidators)
			}
			Ok(())
		}

		fn remove(who: &T::AccountId) -> Result<(), ValidatorSetRefusal> {
			Self::check_remove(who)?;
			PlannedValidators::<T>::mutate(|planned| planned.retain(|validator| validator != who));
			PlanChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { validator: who.clone() });
			Ok(())
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		/// The planned set when it changed (the session pallet keeps the last one otherwise).
		fn new_session(session: u32) -> Option<Vec<T::AccountId>> {
			if !PlanChanged::<T>::take() {
				return None
			}
			let validators = PlannedValidators::<T>::get().into_inner();
			Self::deposit_event(Event::ValidatorSetPlanned { session, validators: validators.len() as u32 });
			Some(validators)
		}

		/// The genesis validators, for the first two sessions.
		fn new_session_genesis(_: u32) -> Option<Vec<T::AccountId>> {
			let planned = PlannedValidators::<T>::get();
			(!planned.is_empty()).then(|| planned.into_inner())
		}

		fn end_session(_: u32) {}

		fn start_session(_: u32) {}
	}
}
