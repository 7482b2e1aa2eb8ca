//! The validator set as governance changes it, and as the session pallet takes it.

use crate::{mock::*, *};
use frame_support::{traits::{Get, Hooks}, weights::Weight};
use pallet_session::SessionManager;
use studio_primitives::{ValidatorSet as _, ValidatorSetRefusal::*};

fn active() -> Vec<u64> {
	pallet_session::Validators::<Test>::get()
}

#[test]
fn an_added_validator_validates_one_session_after_the_change_and_a_removed_one_stops() {
	story(|| {
		assert_eq!(active(), vec![1, 2]);
		assert_eq!(ValidatorSet::add(3), Ok(()));
		System::assert_last_event(Event::ValidatorAdded { validator: 3 }.into());
		// The session pallet queues the new set at the next change; it validates the one after.
		Session::rotate_session();
		System::assert_has_event(Event::ValidatorSetPlanned { session: 2, validators: 3 }.into());
		assert_eq!(active(), vec![1, 2]);
		Session::rotate_session();
		assert_eq!(active(), vec![1, 2, 3]);

		assert_eq!(ValidatorSet::remove(&1), Ok(()));
		System::assert_last_event(Event::ValidatorRemoved { validator: 1 }.into());
		Session::rotate_session();
		Session::rotate_session();
		assert_eq!(active(), vec![2, 3]);
	});
}

#[test]
fn a_session_without_a_change_keeps_the_set() {
	story(|| {
		assert_eq!(ValidatorSet::new_session(2), None);
		assert_eq!(ValidatorSet::add(3), Ok(()));
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2, 3]));
		assert_eq!(ValidatorSet::new_session(3), None, "handed over once");
	});
}

#[test]
fn changes_that_would_break_the_set_are_refused_and_change_nothing() {
	story(|| {
		// An account that could not author, one already in, one not in.
		assert_eq!(ValidatorSet::check_add(&4), Err(NoSessionKeys));
		assert_eq!(ValidatorSet::add(4), Err(NoSessionKeys));
		assert_eq!(ValidatorSet::add(1), Err(AlreadyValidator));
		assert_eq!(ValidatorSet::remove(&4), Err(NotValidator));
		// Never below MinValidators (2), never above MaxValidators (3).
		assert_eq!(ValidatorSet::check_remove(&1), Err(TooFewValidators));
		assert_eq!(ValidatorSet::add(3), Ok(()));
		assert_eq!(ValidatorSet::check_add(&3), Err(AlreadyValidator));
		pallet_session::NextKeys::<Test>::insert(4, MockSessionKeys { dummy: 4.into() });
		assert_eq!(ValidatorSet::add(4), Err(TooManyValidators));
		assert_eq!(PlannedValidators::<Test>::get().into_inner(), vec![1, 2, 3]);
		// A removal and an addition in one session are one change.
		assert_eq!(ValidatorSet::remove(&3), Ok(()));
		assert_eq!(ValidatorSet::remove(&2), Err(TooFewValidators));
		assert_eq!(ValidatorSet::new_session(2), Some(vec![1, 2]));
	});
}

#[test]
fn this_pallet_ends_sessions_at_their_blocks_and_charges_the_rotation_not_the_whole_block() {
	story(|| {
		assert_eq!(ValidatorSet::add(3), Ok(()));
		// The session pallet's own hook never rotates: it would book the whole block.
		assert_eq!(<Session as Hooks<u64>>::on_initialize(5), Weight::zero());
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 0);
		// Between session ends nothing happens, and nothing is charged.
		for block in [1, 4, 6, 9] {
			assert_eq!(<ValidatorSet as Hooks<u64>>::on_initialize(block), Weight::zero());
		}
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 0);
		// At block 5 the session ends: the new plan is queued, the rotation charged for the
		// three validators it handled, far less than a block.
		let weight = <ValidatorSet as Hooks<u64>>::on_initialize(5);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 1);
		System::assert_has_event(Event::ValidatorSetPlanned { session: 2, validators: 3 }.into());
		assert_eq!(weight, <() as crate::WeightInfo>::rotate_session(3));
		let limits: frame_system::limits::BlockWeights = <Test as frame_system::Config>::BlockWeights::get();
		assert!(weight.all_lt(limits.max_block));
		<ValidatorSet as Hooks<u64>>::on_initialize(10);
		assert_eq!(active(), vec![1, 2, 3]);
	});
}
