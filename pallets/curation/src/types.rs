//! The records of curation: running curations, their finalists and stakes, and curators.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::Permill;
use studio_primitives::StyleId;

/// Reputation is kept in parts per million of stake weight added to 1×: a reputation of
/// `500_000` makes a stake weigh 1.5× its amount.
pub const REPUTATION_UNIT: u128 = 1_000_000;

/// A finalist while its curation runs.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxStyleDimensions))]
pub struct Finalist<MaxStyleDimensions: Get<u32>> {
	/// The style deviation its worker measured: breaks ties, and picks the winner of a
	/// curation nobody staked on.
	pub style_deviation: Permill,
	/// Its style vector (components in units of `studio_primitives::STYLE_VECTOR_SCALE`), from
	/// which the style's preference direction learns.
	pub style_vector: BoundedVec<i32, MaxStyleDimensions>,
	/// The weighted stakes on it so far.
	pub weight: u128,
}

/// One curator's stake on one finalist.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct Stake<AccountId, Balance> {
	/// Who staked; the amount is held from it.
	pub curator: AccountId,
	/// The finalist it picked (its index in the job's finalists).
	pub finalist: u32,
	/// The amount held.
	pub amount: Balance,
	/// The amount times the curator's reputation multiplier when it staked.
	pub weight: u128,
}

/// A running curation.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(MaxFinalists, MaxStakers, MaxStyleDimensions))]
pub struct CurationInfo<AccountId, Balance, BlockNumber, MaxFinalists, MaxStakers, MaxStyleDimensions>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxFinalists: Get<u32>,
	MaxStakers: Get<u32>,
	MaxStyleDimensions: Get<u32>,
{
	/// The job's client: paid the reward, and gets it back when nobody staked on the winner.
	pub client: AccountId,
	/// The job's style, whose preference the curation moves.
	pub style: StyleId,
	/// Stakes are taken before this block; from it on anyone may close the curation.
	pub ends_at: BlockNumber,
	/// Shared by the winning stakers, in the curation's reward account until then.
	pub reward: Balance,
	/// The finalists, in the worker's order (its best first).
	pub finalists: BoundedVec<Finalist<MaxStyleDimensions>, MaxFinalists>,
	/// Every stake, one per curator.
	pub stakes: BoundedVec<Stake<AccountId, Balance>, MaxStakers>,
}

/// What the chain knows of a curator's taste. It is earned by picking winners and is not
/// transferable: no balance buys it.
#[derive(Clone, Default, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct CuratorRecord<BlockNumber> {
	/// Reputation in parts per million of added stake weight (see [`REPUTATION_UNIT`]), at
	/// `updated_at`; it decays from there while unused.
	pub reputation: u32,
	/// Picks that won.
	pub wins: u32,
	/// Picks that lost.
	pub losses: u32,
	/// The block `reputation` was last brought up to date in.
	pub updated_at: BlockNumber,
}
