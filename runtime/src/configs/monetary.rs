//! Money: balances (with holds and freezes), transaction fees, and the studio treasury that
//! receives them.

use frame_support::{
	parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU8},
	weights::{
		constants::ExtrinsicBaseWeight, ConstantMultiplier, WeightToFeeCoefficient,
		WeightToFeeCoefficients, WeightToFeePolynomial,
	},
	PalletId,
};
use pallet_balances::WeightInfo as _;
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{
	traits::{AccountIdConversion, Bounded, One},
	FixedPointNumber, Perbill, Perquintill,
};

use crate::{
	AccountId, Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason,
	System, EXISTENTIAL_DEPOSIT, MICRO_UNIT, MILLI_UNIT,
};

/// What the weight of a signed `transfer_keep_alive` ([`transfer_weight`]: its measured call
/// weight, the base weight of every extrinsic and its transaction extensions') costs at a fee
/// multiplier of 1: a hundredth of a token. Every other call
/// pays in proportion to its measured weight.
pub const TRANSFER_WEIGHT_FEE: Balance = 10 * MILLI_UNIT;

/// What each byte of an extrinsic costs: a transfer of about 140 bytes pays 0.00014 STU more.
pub const FEE_PER_BYTE: Balance = MICRO_UNIT;

parameter_types! {
	/// The id the studio treasury's account is derived from.
	pub const StudioTreasuryPalletId: PalletId = PalletId(*b"st/trsry");
	/// The studio's own wallet: transaction fees land here, and later the studio fee of every
	/// settled job. No key controls it; only runtime logic moves its funds.
	pub StudioTreasuryAccount: AccountId = StudioTreasuryPalletId::get().into_account_truncating();
	/// Fees rise while blocks are fuller than a quarter (of the normal class), and fall back
	/// when they are emptier, as on Polkadot.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast the multiplier moves: Polkadot's value (a chain of full blocks doubles its fees
	/// in about 12 000 blocks, ten hours of 3-second blocks).
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// Quiet blocks never take fees below the stated prices.
	pub MinimumMultiplier: Multiplier = Multiplier::one();
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
	pub const TransactionByteFee: Balance = FEE_PER_BYTE;
}

/// The transaction extensions of a signed transaction as a wallet sets them (immortal, the
/// first nonce, no metadata hash): what [`transfer_weight`] and the fee tests weigh.
pub fn wallet_extension() -> crate::TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(sp_runtime::generic::Era::Immortal),
		frame_system::CheckNonce::from(0),
		frame_system::CheckWeight::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	)
}

/// All a signed `transfer_keep_alive` weighs: its call, the base weight of every extrinsic, and
/// the transaction extensions it passes (nonce, era and weight checks, the fee charge).
pub fn transfer_weight() -> frame_support::weights::Weight {
	use sp_runtime::traits::TransactionExtension;
	let call = crate::RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: AccountId::from([0; 32]).into(),
		value: EXISTENTIAL_DEPOSIT,
	});
	<Runtime as pallet_balances::Config>::WeightInfo::transfer_keep_alive()
		.saturating_add(ExtrinsicBaseWeight::get())
		.saturating_add(wallet_extension().weight(&call))
}

/// Weight to fee, linear: priced so that a `transfer_keep_alive`'s weight costs
/// [`TRANSFER_WEIGHT_FEE`], from the runtime's own measured weights (regenerating the weights
/// keeps the transfer's price and moves every other call's with its measured cost).
pub struct WeightToFee;

impl WeightToFeePolynomial for WeightToFee {
	type Balance = Balance;
	fn polynomial() -> WeightToFeeCoefficients<Balance> {
		let transfer = transfer_weight().ref_time().max(1) as Balance;
		let coefficient = WeightToFeeCoefficient {
			degree: 1,
			negative: false,
			coeff_integer: TRANSFER_WEIGHT_FEE / transfer,
			coeff_frac: Perbill::from_rational(TRANSFER_WEIGHT_FEE % transfer, transfer),
		};
		[coefficient].into_iter().collect()
	}
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = crate::weights::pallet_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	/// Voting freezes one amount per freeze reason; room for the studio's pallets to add theirs.
	type MaxFreezes = ConstU32<16>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees and tips are paid into the studio treasury.
	type OnChargeTransaction = FungibleAdapter<Balances, ResolveTo<StudioTreasuryAccount, Balances>>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate =
		TargetedFeeAdjustment<Self, TargetBlockFullness, AdjustmentVariable, MinimumMultiplier, MaximumMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}
