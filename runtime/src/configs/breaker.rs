//! The circuit breaker: per-agent and per-model style drift, the per-agent spend cap, human
//! review.

use frame_support::{parameter_types, traits::ConstU32};
use sp_runtime::Permill;

use crate::{Balance, BlockNumber, JobEscrow, Runtime, RuntimeEvent, StudioGovernance, DAYS};

parameter_types! {
	/// The reviewers have a day to decide an incident before its client is refunded.
	pub const ReviewPeriod: BlockNumber = DAYS;
	/// The per-agent spend cap counts payouts per day.
	pub const EpochLength: BlockNumber = DAYS;
	/// A retired agent loses half its bond to the treasury.
	pub const RetireSlash: Permill = Permill::from_percent(50);
}

impl pallet_circuit_breaker::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type Params = StudioGovernance;
	type Reviewers = StudioGovernance;
	type Jobs = JobEscrow;
	type ReviewPeriod = ReviewPeriod;
	type EpochLength = EpochLength;
	type RetireSlash = RetireSlash;
	/// As large as governance's council.
	type MaxReviewers = ConstU32<16>;
	type MaxDeadlinesPerBlock = ConstU32<16>;
	/// An agent's results move a model's average after its first five.
	type MinAgentHistory = ConstU32<5>;
	/// Three distinct agents must see a model drift before it is suspended.
	type ModelTripAgents = ConstU32<3>;
	type WeightInfo = pallet_circuit_breaker::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = super::jobs::RegistryThroughGovernance;
}
