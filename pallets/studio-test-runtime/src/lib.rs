//! # Studio test runtime
//!
//! Every studio pallet wired together as the real runtime wires them (balances holds and
//! freezes, governance, provenance, the escrow with the real circuit breaker as its gate,
//! utility batches), with small limits so that edge cases come quickly, and the invariants all
//! of them must keep after every call: [`check_invariants`]. The fuzzer in `tests/fuzz.rs`
//! sends random sequences of every studio call through it.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
	weights::Weight,
	PalletId,
};
use pallet_studio_governance::{default_parameters, config_preludes::{TEST_FAST_TRACK, TEST_SLOW_TRACK}};
use sp_runtime::{BuildStorage, Permill};
use studio_primitives::{CidBytes, ModelId, ModelKind};

type Block = frame_system::mocking::MockBlock<Runtime>;

frame_support::construct_runtime!(
	pub enum Runtime {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Utility: pallet_utility,
		Governance: pallet_studio_governance,
		Provenance: pallet_provenance,
		Escrow: pallet_job_escrow,
		Breaker: pallet_circuit_breaker,
		Curation: pallet_curation,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Runtime {}

parameter_types! {
	pub const ExistentialDeposit: u64 = UNIT / 1_000;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Runtime {
	type AccountStore = System;
	type ExistentialDeposit = ExistentialDeposit;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = ConstU32<4>;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = ();
}

parameter_types! {
	pub const ProposalDeposit: u64 = 10 * UNIT;
	pub const Treasury: u64 = TREASURY;
	pub const EscrowPalletId: PalletId = PalletId(*b"stu/escr");
	pub const UnbondingDelay: u64 = 30;
	pub const ExpirySlash: Permill = Permill::from_percent(5);
	pub const RetireSlash: Permill = Permill::from_percent(50);
	pub const ReviewPeriod: u64 = 20;
	pub const EpochLength: u64 = 200;
}

#[derive_impl(pallet_studio_governance::config_preludes::TestDefaultConfig)]
impl pallet_studio_governance::Config for Runtime {
	type Currency = Balances;
	type Preferences = Curation;
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type ProposalDeposit = ProposalDeposit;
	type CloseWindow = ConstU64<20>;
	type MaxNameLength = ConstU32<16>;
	type MaxStyleDimensions = ConstU32<4>;
	type MaxReviewers = ConstU32<4>;
}

#[derive_impl(pallet_provenance::config_preludes::TestDefaultConfig)]
impl pallet_provenance::Config for Runtime {
	type Clock = Timestamp;
	type Currency = Balances;
	type ExternalDeposit = ConstU64<{ UNIT }>;
	type MaxParents = ConstU32<2>;
}

#[derive_impl(pallet_job_escrow::config_preludes::TestDefaultConfig)]
impl pallet_job_escrow::Config for Runtime {
	type Currency = Balances;
	type Params = Governance;
	type Models = Governance;
	type Styles = Governance;
	type Gate = Breaker;
	type Assets = Provenance;
	type Curation = Curation;
	type Treasury = Treasury;
	type PalletId = EscrowPalletId;
	type RetryDelay = ConstU64<3>;
	type JobRetention = ConstU64<40>;
	type MaxUnsettledPerWorker = ConstU32<6>;
	type UnbondingDelay = UnbondingDelay;
	type ExpirySlash = ExpirySlash;
	type MaxPromptLength = ConstU32<16>;
	type MaxParents = ConstU32<2>;
	type MaxCapabilities = ConstU32<2>;
	type MaxClaimsPerWorker = ConstU32<3>;
	type MaxCandidates = ConstU32<8>;
	type MaxImageSide = ConstU32<256>;
	type MaxStyleDimensions = ConstU32<4>;
}

impl pallet_circuit_breaker::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = u64;
	type Params = Governance;
	type Reviewers = Governance;
	type Jobs = Escrow;
	type ReviewPeriod = ReviewPeriod;
	type EpochLength = EpochLength;
	type RetireSlash = RetireSlash;
	type MaxReviewers = ConstU32<4>;
	type MaxDeadlinesPerBlock = ConstU32<2>;
	type MinAgentHistory = ConstU32<2>;
	type ModelTripAgents = ConstU32<2>;
	type WeightInfo = ();
}

parameter_types! {
	/// Not `stu/…` as on the runtime: `u64` accounts keep only the first 8 bytes of
	/// `modl` + the id, so two ids must differ in their first four bytes to give two accounts.
	pub const CurationPalletId: PalletId = PalletId(*b"cur/stud");
	pub const MinStake: u64 = UNIT;
	pub const MaxPreferenceShare: Permill = Permill::from_percent(50);
}

impl pallet_curation::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Params = Governance;
	type Styles = Governance;
	type Jobs = Escrow;
	type PalletId = CurationPalletId;
	type MinStake = MinStake;
	type MaxFinalists = ConstU32<4>;
	type MaxStakers = ConstU32<3>;
	type MaxStyleDimensions = ConstU32<4>;
	type MaxReputation = ConstU32<2_000_000>;
	type MaxPreferenceShare = MaxPreferenceShare;
	type WeightInfo = ();
}

/// One token, in its smallest units (the governance defaults assume 12 decimals).
pub const UNIT: u64 = 1_000_000_000_000;
/// Everyone's starting balance.
pub const ENDOWMENT: u64 = 10_000 * UNIT;
/// Clients (and voters).
pub const CLIENTS: [u64; 2] = [1, 2];
/// Workers (and voters).
pub const WORKERS: [u64; 3] = [11, 12, 13];
/// The reviewer council; two of them decide.
pub const REVIEWERS: [u64; 3] = [21, 22, 23];
/// The studio treasury.
pub const TREASURY: u64 = 99;
/// Every account that holds funds at genesis.
pub const ACCOUNTS: [u64; 9] = [1, 2, 11, 12, 13, 21, 22, 23, TREASURY];
/// The approved generator of the genesis.
pub const GENERATOR: ModelId = 0;
/// The sha2-256 of the generator's weights.
pub const GENERATOR_HASH: [u8; 32] = [7; 32];
/// A second approved model, not a generator.
pub const CRITIC: ModelId = 1;
/// The line-art model of the genesis (its restyle jobs work on a recorded asset).
pub const LINE_ART: ModelId = 2;
/// The sha2-256 of the line-art model's weights.
pub const LINE_ART_HASH: [u8; 32] = [12; 32];
/// The claim timeout and challenge window of this runtime's genesis, in blocks.
pub const CLAIM_TIMEOUT: u64 = 10;

/// The genesis: everyone endowed, the governance defaults with a short claim timeout and
/// challenge window, tracks a few blocks long, two styles, a generator and a critic, and the
/// reviewer council.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Runtime>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Runtime> {
		balances: ACCOUNTS.iter().map(|who| (*who, ENDOWMENT)).collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_job_escrow::GenesisConfig::<Runtime>::default().assimilate_storage(&mut storage).unwrap();
	pallet_curation::GenesisConfig::<Runtime>::default().assimilate_storage(&mut storage).unwrap();
	let parameters = default_parameters()
		.into_iter()
		.map(|(parameter, value, bounds)| {
			use pallet_studio_governance::{ParameterBounds, StudioParameter::*};
			match parameter {
				ClaimTimeout | ChallengeWindow =>
					(parameter, CLAIM_TIMEOUT as u128, ParameterBounds { min: 5, max: 100, max_step: 20 }),
				_ => (parameter, value, bounds),
			}
		})
		.collect();
	pallet_studio_governance::GenesisConfig::<Runtime> {
		parameters,
		fast_track: TEST_FAST_TRACK,
		slow_track: TEST_SLOW_TRACK,
		styles: vec![
			(b"painted eyes".to_vec(), vec![500_000, -250_000, 125_000], vec![]),
			(b"etching".to_vec(), vec![100_000, 200_000, -300_000], vec![]),
		],
		models: vec![
			(b"eye-generator".to_vec(), ModelKind::Generator, GENERATOR_HASH, 1),
			(b"critic".to_vec(), ModelKind::StyleScorer, [8; 32], 1),
			(b"line-art".to_vec(), ModelKind::LineArt, LINE_ART_HASH, 1),
		],
		reviewers: REVIEWERS.to_vec(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext: sp_io::TestExternalities = storage.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Moves to the next block and runs the hooks the way `frame-executive` does: every pallet's
/// `on_initialize`, then the escrow's `on_idle` with `idle` weight.
pub fn next_block(idle: Weight) {
	let next = System::block_number() + 1;
	System::set_block_number(next);
	Governance::on_initialize(next);
	Breaker::on_initialize(next);
	Escrow::on_initialize(next);
	Escrow::on_idle(next, idle);
}

/// Every pallet's `try_state`: holds and freezes equal what the records say (bonds, deposits,
/// votes), the escrow's account covers every live bounty, every live job is queued, every
/// incident and halt agree.
pub fn check_invariants() -> Result<(), sp_runtime::TryRuntimeError> {
	Governance::do_try_state()?;
	Provenance::do_try_state()?;
	Escrow::do_try_state()?;
	Breaker::do_try_state()?;
	Curation::do_try_state()?;
	Ok(())
}

/// The raw-codec CIDv1 of `content`, as the worker's content store makes it.
pub fn cid_of(content: &[u8]) -> CidBytes {
	pallet_provenance::raw_cid(sp_io::hashing::sha2_256(content))
}
