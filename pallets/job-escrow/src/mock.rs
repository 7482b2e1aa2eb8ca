//! A test runtime: balances, timestamp, the real governance and provenance pallets, the escrow,
//! and a circuit breaker the tests can halt.

use crate as pallet_job_escrow;
use core::cell::{Cell, RefCell};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks},
	weights::Weight,
};
use pallet_studio_governance::{default_parameters, StudioParameter, config_preludes::{TEST_FAST_TRACK, TEST_SLOW_TRACK}};
use sp_runtime::{BuildStorage, Permill};
use studio_primitives::{
	AgentGate, BasisWeight, CidBytes, GateRefusal, IncidentId, JobId, ModelId, ModelKind, StudioParams,
	Verdict,
};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Balances: pallet_balances,
		Governance: pallet_studio_governance,
		Provenance: pallet_provenance,
		Escrow: pallet_job_escrow,
		Utility: pallet_utility,
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
}

#[derive_impl(pallet_studio_governance::config_preludes::TestDefaultConfig)]
impl pallet_studio_governance::Config for Test {
	type Currency = Balances;
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type ProposalDeposit = ProposalDeposit;
}

impl pallet_utility::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = ();
}

#[derive_impl(pallet_provenance::config_preludes::TestDefaultConfig)]
impl pallet_provenance::Config for Test {
	type Clock = Timestamp;
	type Currency = Balances;
	type ExternalDeposit = ConstU64<{ EXTERNAL_DEPOSIT }>;
}

#[derive_impl(pallet_job_escrow::config_preludes::TestDefaultConfig)]
impl pallet_job_escrow::Config for Test {
	type Currency = Balances;
	type Params = Governance;
	type Models = Governance;
	type Styles = Governance;
	type Gate = TestGate;
	type Assets = Provenance;
	type Treasury = Treasury;
	type PalletId = EscrowPalletId;
	// The periods the tests count blocks by.
	type RetryDelay = ConstU64<{ RETRY_DELAY }>;
	type JobRetention = ConstU64<{ JOB_RETENTION }>;
	type UnbondingDelay = ConstU64<{ UNBONDING_DELAY }>;
	type ReleaseGrace = ConstU64<{ RELEASE_GRACE }>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = GenesisRegistry;
}

thread_local! {
	static STUDIO_HALTED: Cell<bool> = const { Cell::new(false) };
	static HALTED_AGENTS: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
	static SUSPENDED_MODELS: RefCell<Vec<ModelId>> = const { RefCell::new(Vec::new()) };
	static JUDGED: RefCell<Vec<(u64, JobId, Permill)>> = const { RefCell::new(Vec::new()) };
	static PAID_OUT: Cell<u64> = const { Cell::new(0) };
	static MISREPORTS: RefCell<Vec<(u64, JobId, Permill, Option<Permill>)>> = const { RefCell::new(Vec::new()) };
}

/// The incident the test gate opens for a misreport.
pub const MISREPORT_INCIDENT: IncidentId = 8;

/// The incident the test gate quarantines results under.
pub const INCIDENT: IncidentId = 7;

/// A circuit breaker the tests drive: the studio, agents or models can be halted; a result
/// on a suspended model is rejected, and one beyond the studio's hard style limit quarantined.
pub struct TestGate;

impl TestGate {
	/// Forgets every halt, suspension, judgement and payout (a new test's state).
	pub fn reset() {
		STUDIO_HALTED.with(|cell| cell.set(false));
		HALTED_AGENTS.with(|agents| agents.borrow_mut().clear());
		SUSPENDED_MODELS.with(|models| models.borrow_mut().clear());
		JUDGED.with(|judged| judged.borrow_mut().clear());
		PAID_OUT.with(|paid| paid.set(0));
		MISREPORTS.with(|misreports| misreports.borrow_mut().clear());
	}
	/// Halts or resumes the whole studio.
	pub fn halt_studio(halted: bool) {
		STUDIO_HALTED.with(|cell| cell.set(halted));
	}
	/// Halts an agent.
	pub fn halt_agent(agent: u64) {
		HALTED_AGENTS.with(|agents| agents.borrow_mut().push(agent));
	}
	/// Suspends a model.
	pub fn suspend_model(model: ModelId) {
		SUSPENDED_MODELS.with(|models| models.borrow_mut().push(model));
	}
	/// What the escrow reported paying out.
	pub fn paid_out() -> u64 {
		PAID_OUT.with(Cell::get)
	}
	/// The misreports the escrow reported: agent, job, reported and verified deviation.
	pub fn misreports() -> Vec<(u64, JobId, Permill, Option<Permill>)> {
		MISREPORTS.with(|misreports| misreports.borrow().clone())
	}
	/// The results the gate has judged: agent, job, deviation.
	pub fn judged() -> Vec<(u64, JobId, Permill)> {
		JUDGED.with(|judged| judged.borrow().clone())
	}
}

impl AgentGate<u64, u64> for TestGate {
	fn may_take_job(_: ModelId) -> Result<(), GateRefusal> {
		if STUDIO_HALTED.with(Cell::get) {
			return Err(GateRefusal::StudioHalted)
		}
		Ok(())
	}
	fn is_halted(agent: &u64) -> bool {
		HALTED_AGENTS.with(|agents| agents.borrow().contains(agent))
	}
	fn may_claim(agent: &u64, _: ModelId, _: u64) -> Result<(), GateRefusal> {
		if HALTED_AGENTS.with(|agents| agents.borrow().contains(agent)) {
			return Err(GateRefusal::AgentHalted)
		}
		Ok(())
	}
	fn judge_result(agent: &u64, job: JobId, model: ModelId, deviation: Permill) -> Verdict {
		JUDGED.with(|judged| judged.borrow_mut().push((*agent, job, deviation)));
		if SUSPENDED_MODELS.with(|models| models.borrow().contains(&model)) {
			Verdict::Reject
		} else if deviation > Governance::hard_style_limit() {
			Verdict::Quarantine(INCIDENT)
		} else {
			Verdict::Accept
		}
	}
	fn record_payout(_: &u64, amount: u64) {
		PAID_OUT.with(|paid| paid.set(paid.get() + amount));
	}
	fn report_misreport(agent: &u64, job: JobId, _: ModelId, reported: Permill, verified: Option<Permill>) -> IncidentId {
		MISREPORTS.with(|misreports| misreports.borrow_mut().push((*agent, job, reported, verified)));
		Self::halt_agent(*agent);
		MISREPORT_INCIDENT
	}
}

/// The generator and style of the genesis, for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct GenesisRegistry;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for GenesisRegistry {
	fn approved_generator() -> (ModelId, studio_primitives::Sha256) {
		(GENERATOR, GENERATOR_HASH)
	}
	fn active_style() -> studio_primitives::StyleId {
		STYLE
	}
	fn record_asset(owner: u64, cid: CidBytes) {
		Provenance::register_external(RuntimeOrigin::signed(owner), cid, Default::default())
			.expect("a fresh CID registers");
	}
}

/// One token, in its smallest units (the governance defaults assume 12 decimals).
pub const UNIT: u64 = 1_000_000_000_000;
/// Everyone's starting balance.
pub const ENDOWMENT: u64 = 1_000 * UNIT;
/// A client.
pub const CLIENT: u64 = 1;
/// A worker.
pub const WORKER: u64 = 2;
/// A second worker.
pub const OTHER_WORKER: u64 = 3;
/// An account with no role.
pub const STRANGER: u64 = 4;
/// Three more workers, the verifiers of the verification tests.
pub const VERIFIERS: [u64; 3] = [5, 6, 7];
/// The studio treasury.
pub const TREASURY: u64 = 99;
/// Blocks before a failed payout is tried again.
pub const RETRY_DELAY: u64 = 5;
/// Blocks a finished job's record is kept.
pub const JOB_RETENTION: u64 = 5_000;
/// Blocks between unregistering and withdrawing a bond.
pub const UNBONDING_DELAY: u64 = 20;
/// Blocks after a claim within which it may be released without a slash.
pub const RELEASE_GRACE: u64 = 5;
/// What registering an external asset holds of its registrant.
pub const EXTERNAL_DEPOSIT: u64 = UNIT;
/// The approved generator of the genesis.
pub const GENERATOR: ModelId = 0;
/// The sha2-256 of the generator's weights.
pub const GENERATOR_HASH: [u8; 32] = [7; 32];
/// An approved model that is not a generator.
pub const CRITIC: ModelId = 1;
/// The active style of the genesis.
pub const STYLE: u32 = 0;
/// The style-transfer model (model 2).
pub const STYLE_TRANSFER: ModelId = 2;
/// Its weights' hash.
pub const STYLE_TRANSFER_HASH: [u8; 32] = [10; 32];
/// The line-art model (model 3).
pub const LINE_ART: ModelId = 3;
/// Its weights' hash.
pub const LINE_ART_HASH: [u8; 32] = [11; 32];
/// A style with a basis blend: what stylize jobs paint in (style 1).
pub const STYLIZE_STYLE: u32 = 1;
/// The timestamp of every test block, in milliseconds.
pub const NOW_MS: u64 = 1_700_000_000_000;

/// A genesis with the governance defaults (minimum bounty 1 UNIT, minimum bond 10 UNIT, fee
/// 5 %, claim timeout and challenge window 100 blocks, quality threshold 30 %), one style, a
/// generator and a critic.
pub fn new_test_ext() -> sp_io::TestExternalities {
	TestGate::reset();
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [CLIENT, WORKER, OTHER_WORKER, STRANGER, TREASURY, VERIFIERS[0], VERIFIERS[1], VERIFIERS[2]]
			.iter()
			.map(|who| (*who, ENDOWMENT))
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	// The escrow's account, endowed with the existential deposit.
	pallet_job_escrow::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	pallet_studio_governance::GenesisConfig::<Test> {
		// No random audits unless a test asks for them.
		parameters: default_parameters()
			.into_iter()
			.map(|(parameter, value, bounds)| match parameter {
				StudioParameter::AuditProbability => (parameter, 0, bounds),
				_ => (parameter, value, bounds),
			})
			.collect(),
		fast_track: TEST_FAST_TRACK,
		slow_track: TEST_SLOW_TRACK,
		styles: vec![
			(b"painted eyes".to_vec(), vec![500_000, -250_000, 125_000], vec![]),
			(b"ink wash".to_vec(), vec![400_000, 100_000, -50_000], vec![BasisWeight { basis: 7, weight: Permill::from_percent(60) }, BasisWeight { basis: 12, weight: Permill::from_percent(40) }]),
		],
		models: vec![
			(b"omniart-eye-generator".to_vec(), ModelKind::Generator, GENERATOR_HASH, 1),
			(b"efficientnet-lite0".to_vec(), ModelKind::StyleScorer, [8; 32], 1),
			(b"multistyle26".to_vec(), ModelKind::StyleTransfer, STYLE_TRANSFER_HASH, 1),
			(b"hed-bsds500".to_vec(), ModelKind::LineArt, LINE_ART_HASH, 1),
		],
		reviewers: vec![],
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

/// Runs a test story, then checks the invariants of the escrow and of provenance.
pub fn story(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Escrow::do_try_state().expect("the escrow's invariants hold");
		Provenance::do_try_state().expect("provenance's invariants hold");
	});
}

/// Advances to block `n`, giving each block's `on_idle` ample weight.
pub fn run_to_block(n: u64) {
	run_to_block_with_idle_weight(n, Weight::MAX);
}

/// Advances to block `n`, giving each block's `on_idle` `idle` weight.
pub fn run_to_block_with_idle_weight(n: u64, idle: Weight) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Escrow::on_initialize(next);
		Escrow::on_idle(next, idle);
	}
}

/// The raw-codec CIDv1 of `content`, as the worker's content store makes it.
pub fn cid_of(content: &[u8]) -> CidBytes {
	pallet_provenance::raw_cid(sp_io::hashing::sha2_256(content))
}


/// The bounty of the tests' jobs.
pub const BOUNTY: u64 = 100 * UNIT;
/// The bond of the tests' workers.
pub const BOND: u64 = 50 * UNIT;
/// The studio fee of the governance defaults on `BOUNTY`: 5 %.
pub const FEE: u64 = BOUNTY / 20;
/// The claim timeout of the governance defaults.
pub const CLAIM_TIMEOUT: u64 = 100;
/// The challenge window of the governance defaults.
pub const CHALLENGE_WINDOW: u64 = 100;

/// `who`'s signed origin.
pub fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

/// Where `job` stands.
pub fn status(job: JobId) -> crate::JobStatus<u64, u64> {
	crate::Jobs::<Test>::get(job).unwrap().status
}

/// `who`'s free balance.
pub fn free(who: u64) -> u64 {
	<Balances as frame_support::traits::fungible::Inspect<u64>>::balance(&who)
}

/// `who`'s bond, as held.
pub fn bond_held(who: u64) -> u64 {
	<Balances as frame_support::traits::fungible::InspectHold<u64>>::balance_on_hold(
		&crate::HoldReason::WorkerBond.into(),
		&who,
	)
}

/// The chain's existential deposit.
pub fn existential_deposit() -> u64 {
	<<Test as pallet_balances::Config>::ExistentialDeposit as frame_support::traits::Get<u64>>::get()
}

/// What the escrow's account keeps beyond its existential deposit: the live bounties.
pub fn escrowed() -> u64 {
	free(Escrow::escrow_account()) - existential_deposit()
}
