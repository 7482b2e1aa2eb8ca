//! # Studio Chain runtime
//!
//! The FRAME runtime of Studio Chain: an app-chain that runs an autonomous AI design studio.
//! This crate composes the pallets (`configs/` configures them, one file per group), declares
//! the runtime APIs (`apis.rs`) and the genesis presets (`genesis_config_presets.rs`).
//!
//! The wasm build of this crate is the on-chain runtime; the native build exports
//! [`WASM_BINARY`] for the node and lets tests drive the runtime directly.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime!` and `impl_runtime_apis!` expand to very deep types.
#![recursion_limit = "256"]

#[cfg(all(feature = "std", not(feature = "runtime-benchmarks")))]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
// The benchmarking wasm has its own name (see `build.rs`).
#[cfg(all(feature = "std", feature = "runtime-benchmarks"))]
include!(concat!(env!("OUT_DIR"), "/studio_runtime_benchmarks"));

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod weights;
pub mod dev_restyle_styles;
pub mod dev_styles;
pub mod genesis_config_presets;
#[cfg(test)]
mod fee_tests;
#[cfg(test)]
mod tests;
#[cfg(all(test, feature = "try-runtime"))]
mod upgrade_rehearsal;

extern crate alloc;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use configs::{StudioTreasuryAccount, StudioTreasuryPalletId};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node uses without knowing the runtime's concrete extrinsic format, so it keeps
/// syncing across runtime upgrades that change that format.
pub mod opaque {
	use super::*;
	use sp_runtime::traits::Hash as HashT;

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: its Aura (block production) and GRANDPA (finality) keys.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. Bump `spec_version` on every change of runtime logic.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("studio-runtime"),
	impl_name: alloc::borrow::Cow::Borrowed("studio-runtime"),
	authoring_version: 1,
	spec_version: 106,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Block time. Short blocks keep the studio responsive: a job is claimed, delivered and
/// settled within a few blocks.
pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
/// The Aura slot: one block per slot. Cannot change once the chain has started.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute, hour and day, for parameters expressed in time.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Number of recent block hashes kept in state (for mortal transactions).
pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// One STU, the studio's token, has 12 decimals.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a STU.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// A millionth of a STU.
pub const MICRO_UNIT: Balance = 1_000_000;
/// The token's ticker, shown by wallets through the chain spec's properties.
pub const TOKEN_SYMBOL: &str = "STU";
/// Decimals of the token.
pub const TOKEN_DECIMALS: u8 = 12;

/// The minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;
/// An account: the public key of the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// A balance in the smallest unit of STU.
pub type Balance = u128;
/// A transaction counter of an account.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// A block number.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The checks every signed transaction passes, in order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on the next runtime upgrade, beside those of the pallets.
#[allow(unused_parens)]
type Migrations = ();

/// Executive: dispatches calls to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type Multisig = pallet_multisig;

	#[runtime::pallet_index(8)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(10)]
	pub type StudioGovernance = pallet_studio_governance;

	#[runtime::pallet_index(11)]
	pub type JobEscrow = pallet_job_escrow;

	#[runtime::pallet_index(12)]
	pub type Provenance = pallet_provenance;

	#[runtime::pallet_index(13)]
	pub type CircuitBreaker = pallet_circuit_breaker;

	#[runtime::pallet_index(14)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(15)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(16)]
	pub type Curation = pallet_curation;
}
