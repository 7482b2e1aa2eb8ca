//! Dispatch tools: sudo (dev governance of last resort), multisig accounts and call batching.

use frame_support::{parameter_types, traits::ConstU32};

use crate::{
	Balance, Balances, OriginCaller, Runtime, RuntimeCall, RuntimeEvent, System, MILLI_UNIT,
};

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = crate::weights::pallet_sudo::WeightInfo<Runtime>;
}

parameter_types! {
	/// Deposit for a multisig operation: a base plus a factor per byte of its storage.
	pub const MultisigDepositBase: Balance = 10 * MILLI_UNIT;
	pub const MultisigDepositFactor: Balance = MILLI_UNIT / 10;
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	type MaxSignatories = ConstU32<16>;
	type WeightInfo = crate::weights::pallet_multisig::WeightInfo<Runtime>;
	type BlockNumberProvider = System;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = crate::weights::pallet_utility::WeightInfo<Runtime>;
}
