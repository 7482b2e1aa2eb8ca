//! A test runtime: the breaker with the real escrow, governance and provenance around it.

use crate as pallet_circuit_breaker;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
	weights::Weight,
};
use pallet_studio_governance::{default_parameters, config_preludes::{TEST_FAST_TRACK, TEST_SLOW_TRACK}};
use sp_runtime::{BuildStorage, Permill};
use studio_primitives::{BasisWeight, CidBytes, ModelId, ModelKind};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Governance: pallet_studio_governance,
		Provenance: pallet_provenance,
		Escrow: pallet_job_escrow,
		Breaker: pallet_circuit_breaker,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

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
	pub const Treasury: u64 = TREASURY;
	pub const EscrowPalletId: frame_support::PalletId = frame_support::PalletId(*b"stu/escr");
	pub const RetireSlash: Permill = Permill::from_percent(50);
	pub const ReviewPeriod: u64 = REVIEW_PERIOD;
	pub const EpochLength: u64 = EPOCH;
}

#[derive_impl(pallet_studio_governance::config_preludes::TestDefaultConfig)]
impl pallet_studio_governance::Config for Test {
	type Currency = Balances;
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type ProposalDeposit = ProposalDeposit;
}

#[derive_impl(pallet_provenance::config_preludes::TestDefaultConfig)]
impl pallet_provenance::Config for Test {
	type Clock = Timestamp;
	type Currency = Balances;
	type ExternalDeposit = ConstU64<{ UNIT }>;
}

#[derive_impl(pallet_job_escrow::config_preludes::TestDefaultConfig)]
impl pallet_job_escrow::Config for Test {
	type Currency = Balances;
	type Params = Governance;
	type Models = Governance;
	type Styles = Governance;
	type Gate = Breaker;
	type Assets = Provenance;
	type Treasury = Treasury;
	type PalletId = EscrowPalletId;
	type MaxUnsettledPerWorker = ConstU32<128>;
	type MaxClaimsPerWorker = ConstU32<4>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkSetup;
}

impl pallet_circuit_breaker::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Balance = u64;
	type Params = Governance;
	type Reviewers = Governance;
	type Jobs = Escrow;
	type ReviewPeriod = ReviewPeriod;
	type EpochLength = EpochLength;
	type RetireSlash = RetireSlash;
	type MaxReviewers = ConstU32<5>;
	type MaxDeadlinesPerBlock = ConstU32<2>;
	type MinAgentHistory = ConstU32<{ MIN_AGENT_HISTORY }>;
	type ModelTripAgents = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkSetup;
}

/// What the benchmarks need: the council set the way root would, the genesis registries.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkSetup;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for BenchmarkSetup {
	fn set_reviewers(reviewers: Vec<u64>) {
		let action = pallet_studio_governance::GovernanceAction::SetReviewers {
			reviewers: reviewers.try_into().expect("at most MaxReviewers"),
		};
		Governance::force_enact(RuntimeOrigin::root(), Box::new(action)).expect("a valid council");
	}
	fn occupy(agent: &u64) {
		pallet_job_escrow::occupied_worker::<Test>(agent);
	}
}

/// The escrow's benchmarks are not run from this mock; its configuration needs the helper.
#[cfg(feature = "runtime-benchmarks")]
impl pallet_job_escrow::BenchmarkHelper<u64> for BenchmarkSetup {
	fn approved_generator() -> (ModelId, studio_primitives::Sha256) {
		(GENERATOR, GENERATOR_HASH)
	}
	fn active_style() -> studio_primitives::StyleId {
		STYLE
	}
	fn record_asset(_: u64, _: CidBytes) {}
}

/// One token, in its smallest units (the governance defaults assume 12 decimals).
pub const UNIT: u64 = 1_000_000_000_000;
/// Everyone's starting balance but the client's.
pub const ENDOWMENT: u64 = 1_000 * UNIT;
/// The client's starting balance: enough for a hundred jobs.
pub const CLIENT_ENDOWMENT: u64 = 20_000 * UNIT;
/// The reviewer council; two of them decide.
pub const REVIEWERS: [u64; 3] = [1, 2, 3];
/// A client.
pub const CLIENT: u64 = 10;
/// A worker.
pub const WORKER: u64 = 11;
/// A second worker.
pub const OTHER_WORKER: u64 = 12;
/// The studio treasury.
pub const TREASURY: u64 = 99;
/// Results an agent needs before it moves a model's average.
pub const MIN_AGENT_HISTORY: u32 = 2;
/// Blocks the reviewers have to decide.
pub const REVIEW_PERIOD: u64 = 20;
/// Blocks per spending epoch.
pub const EPOCH: u64 = 500;
/// The approved generator of the genesis.
pub const GENERATOR: ModelId = 0;
/// The sha2-256 of the generator's weights.
pub const GENERATOR_HASH: [u8; 32] = [7; 32];
/// The active style of the genesis.
pub const STYLE: u32 = 0;

/// A genesis with the governance defaults (deviation limit 25 %, hard limit 50 %, average
/// weight 20 %, quorum 2, fee 5 %, challenge window 100), one style, one generator, reviewers
/// 1, 2 and 3.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [1, 2, 3, WORKER, OTHER_WORKER, TREASURY]
			.iter()
			.map(|who| (*who, ENDOWMENT))
			.chain([(CLIENT, CLIENT_ENDOWMENT)])
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	// The escrow's account, endowed with the existential deposit.
	pallet_job_escrow::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	pallet_studio_governance::GenesisConfig::<Test> {
		// No random audits: the clients here accept at once.
		parameters: default_parameters()
			.into_iter()
			.map(|(parameter, value, bounds)| match parameter {
				pallet_studio_governance::StudioParameter::AuditProbability => (parameter, 0, bounds),
				_ => (parameter, value, bounds),
			})
			.collect(),
		fast_track: TEST_FAST_TRACK,
		slow_track: TEST_SLOW_TRACK,
		styles: vec![
			(b"painted eyes".to_vec(), vec![500_000, -250_000, 125_000], vec![]),
			(b"ink wash".to_vec(), vec![400_000, 100_000, -50_000], vec![BasisWeight { basis: 7, weight: Permill::from_percent(60) }, BasisWeight { basis: 12, weight: Permill::from_percent(40) }]),
		],
		models: vec![(b"omniart-eye-generator".to_vec(), ModelKind::Generator, GENERATOR_HASH, 1)],
		reviewers: REVIEWERS.to_vec(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext: sp_io::TestExternalities = storage.into();
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs a test story, then checks the invariants of the breaker and the escrow.
pub fn story(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Breaker::do_try_state().expect("the breaker's invariants hold");
		Escrow::do_try_state().expect("the escrow's invariants hold");
	});
}

/// Advances to block `n`, running the breaker's `on_initialize` and the escrow's `on_idle`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Breaker::on_initialize(next);
		Escrow::on_idle(next, Weight::MAX);
	}
}

/// The raw-codec CIDv1 of `content`.
pub fn cid_of(content: &[u8]) -> CidBytes {
	pallet_provenance::raw_cid(sp_io::hashing::sha2_256(content))
}


/// The bounty of the tests' jobs.
pub const BOUNTY: u64 = 100 * UNIT;
/// The bond of the tests' workers.
pub const BOND: u64 = 50 * UNIT;

/// `who`'s signed origin.
pub fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// `worker` registers for the generator with `BOND`.
pub fn register(worker: u64) {
	frame_support::assert_ok!(Escrow::register_worker(
		origin(worker),
		BOND,
		vec![GENERATOR].try_into().unwrap()
	));
}

/// Where `job` stands.
pub fn status(job: studio_primitives::JobId) -> pallet_job_escrow::JobStatus<u64, u64> {
	pallet_job_escrow::Jobs::<Test>::get(job).unwrap().status
}
