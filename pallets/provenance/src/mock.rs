//! A test runtime: system, timestamp, balances and provenance.

use crate as pallet_provenance;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use sp_runtime::BuildStorage;
use studio_primitives::CidBytes;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Provenance: pallet_provenance,
	}
);

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

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

#[derive_impl(pallet_provenance::config_preludes::TestDefaultConfig)]
impl pallet_provenance::Config for Test {
	type Clock = Timestamp;
	type Currency = Balances;
	type ExternalDeposit = ConstU64<{ DEPOSIT }>;
	type MaxLineage = ConstU32<5>;
	type MaxDerivatives = ConstU32<4>;
}

/// The timestamp of every test block, in milliseconds.
pub const NOW_MS: u64 = 1_700_000_000_000;

/// The deposit of an external registration.
pub const DEPOSIT: u64 = 10;
/// Everyone's starting balance.
pub const ENDOWMENT: u64 = 1_000;

/// A genesis with nothing recorded, at block 1; accounts 1 to 4 endowed.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: (1..=4).map(|who| (who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext: sp_io::TestExternalities = storage.into();
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(NOW_MS);
	});
	ext
}

/// Runs a test story, then checks the pallet's invariants.
pub fn story(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Provenance::do_try_state().expect("the pallet's invariants hold");
	});
}

/// The raw-codec CIDv1 of `content`, as the worker's content store makes it.
pub fn cid_of(content: &[u8]) -> CidBytes {
	crate::raw_cid(sp_io::hashing::sha2_256(content))
}
