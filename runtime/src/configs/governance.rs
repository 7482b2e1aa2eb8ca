//! Studio governance: token holders vote on the studio's parameters, styles, models and
//! reviewers.

use frame_support::{parameter_types, traits::ConstU32};

use crate::{Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, UNIT};

parameter_types! {
	/// Held from a proposer until the proposal closes.
	pub const ProposalDeposit: Balance = 10 * UNIT;
}

impl pallet_studio_governance::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type ProposalDeposit = ProposalDeposit;
	type MaxActiveProposals = ConstU32<64>;
	type MaxVotesPerAccount = ConstU32<32>;
	type MaxEnactmentsPerBlock = ConstU32<8>;
	type MaxNameLength = ConstU32<64>;
	/// The worker's style vectors have 64 components (see the worker's style module).
	type MaxStyleDimensions = ConstU32<256>;
	type MaxReviewers = ConstU32<16>;
	type WeightInfo = pallet_studio_governance::weights::SubstrateWeight<Runtime>;
}
