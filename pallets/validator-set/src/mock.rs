//! A test runtime: balances, the session pallet (`UintAuthorityId` keys) and the validator set,
//! which ends sessions every 5 blocks, with validators 1 and 2 at genesis and 3 holding keys.

use crate as pallet_validator_set;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use pallet_session::PeriodicSessions;
use sp_runtime::{impl_opaque_keys, testing::UintAuthorityId, BuildStorage};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Session: pallet_session,
		ValidatorSet: pallet_validator_set,
	}
);

impl_opaque_keys! {
	pub struct MockSessionKeys {
		pub dummy: UintAuthorityId,
	}
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = u64;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = crate::RotatedByValidatorSet;
	type NextSessionRotation = Sessions;
	type SessionManager = ValidatorSet;
	type SessionHandler = pallet_session::TestSessionHandler;
	type Keys = MockSessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<0>;
}

impl pallet_validator_set::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type MinValidators = ConstU32<2>;
	type MaxValidators = ConstU32<3>;
	type SessionEnds = Sessions;
	type WeightInfo = ();
}

/// A session every 5 blocks.
pub type Sessions = PeriodicSessions<ConstU64<5>, ConstU64<0>>;

fn keys(id: u64) -> MockSessionKeys {
	MockSessionKeys { dummy: UintAuthorityId(id) }
}

/// Validators 1 and 2 at genesis; 3 has registered keys, 4 none.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> { balances: (1..=4).map(|who| (who, 100)).collect(), ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_validator_set::GenesisConfig::<Test> { validators: vec![1, 2] }.assimilate_storage(&mut storage).unwrap();
	pallet_session::GenesisConfig::<Test> {
		keys: [1, 2].into_iter().map(|who| (who, who, keys(who))).collect(),
		non_authority_keys: vec![(3, 3, keys(3))],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext: sp_io::TestExternalities = storage.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs a story, then checks the pallet's invariants.
pub fn story(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		ValidatorSet::do_try_state().expect("the pallet's invariants hold");
	});
}
