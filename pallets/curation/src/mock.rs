//! A test runtime for the benchmarks: curation with balances and governance (the parameters and
//! the styles) around it, and a job escrow that accepts every chosen finalist.

use crate as pallet_curation;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	weights::Weight,
	PalletId,
};
use pallet_studio_governance::{default_parameters, GovernanceAction, config_preludes::{TEST_FAST_TRACK, TEST_SLOW_TRACK}};
use sp_runtime::{BuildStorage, DispatchResult, Perbill, Permill};
use studio_primitives::{CuratedJobs, JobId, StyleId};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Governance: pallet_studio_governance,
		Curation: pallet_curation,
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
	pub const ProposalDeposit: u64 = 10 * UNIT;
	pub const CurationPalletId: PalletId = PalletId(*b"stu/cura");
	pub const MaxPreferenceShare: Permill = Permill::from_percent(50);
}

#[derive_impl(pallet_studio_governance::config_preludes::TestDefaultConfig)]
impl pallet_studio_governance::Config for Test {
	type Currency = Balances;
	type Preferences = Curation;
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type ProposalDeposit = ProposalDeposit;
	type CloseWindow = ConstU64<10>;
}

/// A job escrow that takes whichever finalist a curation chooses.
pub struct AnyFinalist;

impl CuratedJobs for AnyFinalist {
	fn finalist_chosen(_: JobId, _: u32) -> DispatchResult {
		Ok(())
	}
	fn finalist_chosen_weight() -> Weight {
		Weight::zero()
	}
}

impl pallet_curation::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Params = Governance;
	type Styles = Governance;
	type Jobs = AnyFinalist;
	type PalletId = CurationPalletId;
	type MinStake = ConstU64<{ UNIT }>;
	type MaxFinalists = ConstU32<4>;
	type MaxStakers = ConstU32<16>;
	type MaxStyleDimensions = ConstU32<8>;
	type MaxReputation = ConstU32<2_000_000>;
	type MaxPreferenceShare = MaxPreferenceShare;
	type WeightInfo = ();
	type BenchmarkHelper = StylesThroughGovernance;
}

/// Adds styles the way root would.
pub struct StylesThroughGovernance;

impl crate::BenchmarkHelper for StylesThroughGovernance {
	fn add_style(reference: Vec<i32>) -> StyleId {
		let action = GovernanceAction::AddStyle {
			name: b"benchmark style".to_vec().try_into().expect("short name"),
			reference: reference.try_into().expect("at most MaxStyleDimensions"),
			blend: Default::default(),
		};
		Governance::force_enact(RuntimeOrigin::root(), Box::new(action)).expect("a new style is added");
		pallet_studio_governance::NextStyleId::<Test>::get() - 1
	}
}

/// One token, in its smallest units (the governance defaults assume 12 decimals).
pub const UNIT: u64 = 1_000_000_000_000;

/// Governance's default parameters and tracks, no styles (the benchmarks add theirs).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_studio_governance::GenesisConfig::<Test> {
		parameters: default_parameters(),
		fast_track: TEST_FAST_TRACK,
		slow_track: TEST_SLOW_TRACK,
		styles: vec![],
		models: vec![],
		reviewers: vec![],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_curation::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	let mut ext: sp_io::TestExternalities = storage.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}
