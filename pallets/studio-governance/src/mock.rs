//! A test runtime: system, balances and studio governance with tracks a few blocks long.

use crate as pallet_studio_governance;
use crate::{
	config_preludes::{TEST_FAST_TRACK, TEST_SLOW_TRACK},
	default_parameters, GenesisConfig,
};
use frame_support::{derive_impl, parameter_types, traits::{ConstU32, ConstU64, Hooks}};
use sp_runtime::BuildStorage;
use sp_runtime::Permill;
use studio_primitives::{BasisWeight, ModelKind};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Governance: pallet_studio_governance,
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
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = ConstU32<4>;
}

parameter_types! {
	pub const ProposalDeposit: u64 = 10;
}

#[derive_impl(pallet_studio_governance::config_preludes::TestDefaultConfig)]
impl pallet_studio_governance::Config for Test {
	type Currency = Balances;
	type Validators = MockValidators;
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type ProposalDeposit = ProposalDeposit;
	type CloseWindow = ConstU64<{ CLOSE_WINDOW }>;
}

/// Voters 1 to 5 hold 1 000 tokens each: the total issuance is 5 000.
pub const VOTERS: [u64; 5] = [1, 2, 3, 4, 5];
/// Everyone's starting balance.
pub const ENDOWMENT: u64 = 1_000;
/// The fast track's voting period.
pub const FAST_PERIOD: u64 = TEST_FAST_TRACK.voting_period;
/// The slow track's voting period.
pub const SLOW_PERIOD: u64 = TEST_SLOW_TRACK.voting_period;
/// The slow track's enactment delay.
pub const SLOW_DELAY: u64 = TEST_SLOW_TRACK.enactment_delay;
/// The sha2-256 of the genesis generator's weights.
pub const GENERATOR_HASH: [u8; 32] = [7; 32];

/// A genesis with fast and slow tracks a few blocks long, one style, one model and three
/// reviewers (1, 2, 3) with the default quorum of 2.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: VOTERS.iter().map(|v| (*v, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	GenesisConfig::<Test> {
		parameters: default_parameters(),
		fast_track: TEST_FAST_TRACK,
		slow_track: TEST_SLOW_TRACK,
		styles: vec![
			(b"painted eyes".to_vec(), vec![500_000, -250_000, 125_000], vec![]),
			(b"ink wash".to_vec(), vec![400_000, 100_000, -50_000], vec![BasisWeight { basis: 7, weight: Permill::from_percent(60) }, BasisWeight { basis: 12, weight: Permill::from_percent(40) }]),
		],
		models: vec![(b"omniart-eye-generator".to_vec(), ModelKind::Generator, GENERATOR_HASH, 1)],
		reviewers: vec![1, 2, 3],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext: sp_io::TestExternalities = storage.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs a test story, then checks the pallet's invariants.
pub fn story(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Governance::do_try_state().expect("the pallet's invariants hold");
	});
}

/// Advances to block `n`, running the pallet's `on_initialize` in each block.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Governance::on_initialize(next);
	}
}

/// Blocks after a vote's end within which a passed proposal must be closed.
pub const CLOSE_WINDOW: u64 = 50;

std::thread_local! {
	/// The mock validator set: validators 1 and 2; accounts 3 and 4 hold session keys.
	static VALIDATORS: std::cell::RefCell<(Vec<u64>, Vec<u64>)> = std::cell::RefCell::new((vec![1, 2], vec![1, 2, 3, 4]));
}

/// A validator set of at most 3 and at least 2 validators, changed at once.
pub struct MockValidators;

impl MockValidators {
	/// The validators now.
	pub fn validators() -> Vec<u64> {
		VALIDATORS.with(|set| set.borrow().0.clone())
	}

	/// `who` takes its session keys off chain (`Session::purge_keys`).
	pub fn purge_keys(who: u64) {
		VALIDATORS.with(|set| set.borrow_mut().1.retain(|keyed| *keyed != who));
	}
}

impl studio_primitives::ValidatorSet<u64> for MockValidators {
	fn check_add(who: &u64) -> Result<(), studio_primitives::ValidatorSetRefusal> {
		use studio_primitives::ValidatorSetRefusal::*;
		VALIDATORS.with(|set| {
			let (validators, keyed) = &*set.borrow();
			match () {
				_ if validators.contains(who) => Err(AlreadyValidator),
				_ if validators.len() >= 3 => Err(TooManyValidators),
				_ if !keyed.contains(who) => Err(NoSessionKeys),
				_ => Ok(()),
			}
		})
	}
	fn add(who: u64) -> Result<(), studio_primitives::ValidatorSetRefusal> {
		Self::check_add(&who)?;
		VALIDATORS.with(|set| set.borrow_mut().0.push(who));
		Ok(())
	}
	fn check_remove(who: &u64) -> Result<(), studio_primitives::ValidatorSetRefusal> {
		use studio_primitives::ValidatorSetRefusal::*;
		VALIDATORS.with(|set| {
			let validators = &set.borrow().0;
			match () {
				_ if !validators.contains(who) => Err(NotValidator),
				_ if validators.len() <= 2 => Err(TooFewValidators),
				_ => Ok(()),
			}
		})
	}
	fn remove(who: &u64) -> Result<(), studio_primitives::ValidatorSetRefusal> {
		Self::check_remove(who)?;
		VALIDATORS.with(|set| set.borrow_mut().0.retain(|v| v != who));
		Ok(())
	}
}
