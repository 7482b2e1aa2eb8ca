//! Studio governance: token holders vote on the studio's parameters, styles, models and
//! reviewers.

use frame_support::{parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

use crate::{
	AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, RuntimeFreezeReason,
	RuntimeHoldReason, HOURS, UNIT,
};

parameter_types! {
	/// Held from a proposer until the proposal closes.
	pub const ProposalDeposit: Balance = 10 * UNIT;
	/// Half the deposit of a failed or expired proposal is burned.
	pub const FailedDepositBurn: Perbill = Perbill::from_percent(50);
	/// A passed proposal must be closed within six hours of its vote's end to be enacted.
	pub const CloseWindow: BlockNumber = 6 * HOURS;
}

impl pallet_studio_governance::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Validators = crate::ValidatorSet;
	type Preferences = crate::Curation;
	/// Root, which only the dev and local presets hold (through sudo).
	type AdminOrigin = EnsureRoot<AccountId>;
	type ProposalDeposit = ProposalDeposit;
	type FailedDepositBurn = FailedDepositBurn;
	type MaxActiveProposals = ConstU32<64>;
	type MaxProposalsPerAccount = ConstU32<4>;
	type CloseWindow = CloseWindow;
	type MaxVotesPerAccount = ConstU32<32>;
	type MaxEnactmentsPerBlock = ConstU32<8>;
	type MaxNameLength = ConstU32<64>;
	/// The worker's style vectors have 68 components: 64 of texture, 4 of palette (see the
	/// worker's style module).
	type MaxStyleDimensions = super::jobs::MaxStyleDimensions;
	type MaxReviewers = ConstU32<16>;
	type WeightInfo = pallet_studio_governance::weights::SubstrateWeight<Runtime>;
}
