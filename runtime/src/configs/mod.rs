//! Configuration of the runtime's pallets, one file per group:
//! - this file: the chain itself (system, time, block production and finality, sessions and
//!   the validator set token holders vote on);
//! - [`monetary`]: balances, transaction fees and the studio treasury;
//! - [`dispatch`]: sudo, multisig and utility;
//! - [`governance`]: the studio's token-holder governance.

mod dispatch;
mod breaker;
mod governance;
mod jobs;
mod monetary;

pub use monetary::{wallet_extension, StudioTreasuryAccount, StudioTreasuryPalletId, FEE_PER_BYTE, TRANSFER_WEIGHT_FEE};

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, SessionKeys, ValidatorSet,
	BLOCK_HASH_COUNT, SLOT_DURATION, UNIT, VERSION,
};

/// Share of a block's weight and length that normal (non-operational) calls may use.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = BLOCK_HASH_COUNT;
	pub const Version: RuntimeVersion = VERSION;

	/// One second of compute per 3-second block leaves room for import and networking.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: BlockLength =
		BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	/// The generic Substrate address prefix.
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores its state in ParityDb.
	type DbWeight = ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	type SystemWeightInfo = crate::weights::frame_system::WeightInfo<Runtime>;
}

/// The most validators (and Aura and GRANDPA authorities).
pub type MaxValidators = ConstU32<32>;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = MaxValidators;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxValidators;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

parameter_types! {
	/// A session lasts 10 blocks (30 s): a validator added or removed by vote validates, or
	/// stops, within two sessions of the enactment (the session pallet queues a set one
	/// session ahead).
	pub const SessionPeriod: BlockNumber = 10;
	pub const SessionOffset: BlockNumber = 0;
	/// Held from an account while it has session keys registered.
	pub const SessionKeyDeposit: Balance = UNIT;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	/// The validator set ends sessions, charging a rotation its measured weight (the session
	/// pallet's own hook books a whole block for one).
	type ShouldEndSession = pallet_validator_set::RotatedByValidatorSet;
	type NextSessionRotation = Sessions;
	type SessionManager = ValidatorSet;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_validator_set::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// One validator can run the chain; governance keeps at least that.
	type MinValidators = ConstU32<1>;
	type MaxValidators = MaxValidators;
	type SessionEnds = Sessions;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
}

/// A session ends every `SessionPeriod` blocks.
pub type Sessions = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = crate::weights::pallet_timestamp::WeightInfo<Runtime>;
}
