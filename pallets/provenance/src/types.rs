//! The records of provenance.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
pub use studio_primitives::{AssetStatus, CidBytes, Generation};

/// Everything the studio knows about one asset, keyed by its CID.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(MaxParents))]
pub struct AssetRecord<AccountId, BlockNumber, MaxParents>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxParents: Get<u32>,
{
	/// Who the asset was made for (a job's client) or by (an external asset's registrar).
	pub creator: AccountId,
	/// Who owns it now.
	pub owner: AccountId,
	/// The assets it derives from: its lineage, one generation up.
	pub parents: BoundedVec<CidBytes, MaxParents>,
	/// How it was generated; `None` for a human-made asset.
	pub generation: Option<Generation<AccountId>>,
	/// The block it was recorded in.
	pub recorded_at: BlockNumber,
	/// The block's timestamp, in milliseconds since the Unix epoch.
	pub recorded_at_ms: u64,
	/// Where it stands.
	pub status: AssetStatus,
}

/// An ancestor found by a lineage query.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Ancestor {
	/// The ancestor's CID.
	pub cid: CidBytes,
	/// How many generations up: 1 for a parent, 2 for a grandparent …
	pub depth: u32,
}
