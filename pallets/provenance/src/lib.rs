//! # Provenance
//!
//! The studio's memory. Every output a worker delivers gets an [`AssetRecord`] keyed by its
//! content identifier: who it was made for and by, the job, the model and the exact weights,
//! the prompt's hash, the seed and a hash of every inference setting, the style deviation the
//! worker measured, the block and time, and its parents (the prompt lineage). People register
//! their own work with [`Pallet::register_external`] so it can serve as a lineage root, and
//! owners hand assets on with [`Pallet::transfer_asset`].
//!
//! The job escrow records outputs through
//! [`AssetLedger`](studio_primitives::AssetLedger), which this pallet implements. Clients and
//! tools read records through the [`ProvenanceApi`] runtime API: an asset, its ancestors and
//! its derivatives.
//!
//! ## CIDs
//! Assets are keyed by CIDv1 in binary form with a sha2-256 multihash and the raw or dag-pb
//! codec; anything else is refused with [`Error::InvalidCid`]. A CID is recorded once, but for
//! one exception: a studio output takes the place of an external registration of its CID
//! (registering a CID proves nothing, so it must not block the output nor name its creator).
//! An asset's parents must already be recorded, and an output that takes a registration's
//! place may not descend from it ([`Error::LineageCycle`]), so the lineage graph has no cycles.
//!
//! ## Deposits
//! Registering an external asset holds `ExternalDeposit` from the registrar for as long as the
//! registration stands ([`HoldReason::ExternalAsset`]): records cost their registrar. When a
//! studio output takes the registration's place the deposit is burned: squatting a CID costs
//! the squatter.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod features;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use features::{raw_cid, validate_cid, CidProblem};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

/// The asset record of a runtime.
pub type AssetRecordOf<T> = AssetRecord<
	<T as frame_system::Config>::AccountId,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxParents,
>;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as frame_support::traits::fungible::Inspect<
	<T as frame_system::Config>::AccountId,
>>::Balance;

/// The parents of an asset in a runtime.
pub type ParentsOf<T> = frame_support::BoundedVec<CidBytes, <T as Config>::MaxParents>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			UnixTime,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::StaticLookup;
	use studio_primitives::JobId;

	/// The layout of the pallet's storage. Version 1: the layout after the security review
	/// (`docs/security.md`); chains started before it restart from genesis (there is no
	/// production chain to migrate yet).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Defaults for test runtimes: `#[derive_impl(config_preludes::TestDefaultConfig)]` states
	/// only what a mock wires (the clock, the currency, the deposit) or sets apart.
	pub mod config_preludes {
		use super::*;
		use frame_support::{derive_impl, traits::ConstU32};

		/// The bounds the studio pallets' test runtimes share.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			#[inject_runtime_type]
			type RuntimeEvent = ();
			#[inject_runtime_type]
			type RuntimeHoldReason = ();
			type MaxParents = ConstU32<3>;
			type MaxLineage = ConstU32<8>;
			type MaxDerivatives = ConstU32<8>;
			type WeightInfo = ();
		}
	}

	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[pallet::no_default_bounds]
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The wall clock that dates records.
		#[pallet::no_default]
		type Clock: UnixTime;

		/// The token registration deposits are held in.
		#[pallet::no_default]
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		#[pallet::no_default_bounds]
		type RuntimeHoldReason: From<HoldReason>;

		/// Held from the registrar of an external asset while the registration stands.
		#[pallet::constant]
		#[pallet::no_default]
		type ExternalDeposit: Get<BalanceOf<Self>>;

		/// The most parents an asset may name.
		#[pallet::constant]
		type MaxParents: Get<u32>;

		/// The most ancestors one lineage query returns.
		#[pallet::constant]
		type MaxLineage: Get<u32>;

		/// The most derivatives one query returns.
		#[pallet::constant]
		type MaxDerivatives: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// Every recorded asset, by CID.
	///
	/// Invariant: an asset's parents are all recorded, and each is linked to it in
	/// [`Derivatives`].
	#[pallet::storage]
	pub type Assets<T: Config> = StorageMap<_, Blake2_128Concat, CidBytes, AssetRecordOf<T>>;

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of a standing external registration.
		ExternalAsset,
	}

	/// The deposit of each standing external registration: who registered it, and how much is
	/// held from them.
	///
	/// Invariant: exactly the external assets; each account's [`HoldReason::ExternalAsset`]
	/// hold is the sum of its deposits here.
	#[pallet::storage]
	pub type ExternalDeposits<T: Config> =
		StorageMap<_, Blake2_128Concat, CidBytes, (T::AccountId, BalanceOf<T>)>;

	/// The lineage graph read downwards: `(parent, child)` for every parent an asset names.
	///
	/// Invariant: exactly the parent links of [`Assets`].
	#[pallet::storage]
	pub type Derivatives<T> =
		StorageDoubleMap<_, Blake2_128Concat, CidBytes, Blake2_128Concat, CidBytes, ()>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An asset was recorded: a job's output (`job` is its id) or an external asset.
		AssetRecorded { cid: CidBytes, creator: T::AccountId, job: Option<JobId> },
		/// An asset changed hands.
		AssetTransferred { cid: CidBytes, from: T::AccountId, to: T::AccountId },
		/// A generated asset's status changed (its job settled, or its result was refused).
		AssetStatusChanged { cid: CidBytes, status: AssetStatus },
		/// A studio output took the place of `registrar`'s external registration of the same
		/// CID (registering a CID proves nothing; the studio's record names the job); the
		/// registration's deposit, `burned`, was burned.
		ExternalSuperseded { cid: CidBytes, registrar: T::AccountId, burned: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Not a CIDv1 with a sha2-256 multihash and the raw or dag-pb codec.
		InvalidCid,
		/// An asset with this CID is already recorded.
		AssetExists,
		/// No asset has this CID.
		UnknownAsset,
		/// A parent is not a recorded asset.
		UnknownParent,
		/// A parent is named twice.
		DuplicateParent,
		/// More parents than `MaxParents`.
		TooManyParents,
		/// Only the asset's owner may do this.
		NotOwner,
		/// The output would descend from the registration it takes the place of.
		LineageCycle,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Records a human-made asset, owned by the caller, so that jobs and other assets can
		/// name it as a parent. Holds `ExternalDeposit` from the caller while it stands.
		///
		/// # Errors
		/// - [`Error::InvalidCid`]: `cid` is not an accepted CID.
		/// - [`Error::AssetExists`]: `cid` is already recorded.
		/// - [`Error::UnknownParent`], [`Error::DuplicateParent`]: a parent is not recorded, or
		///   named twice.
		/// - A balances error when the deposit cannot be held.
		///
		/// A studio output with the same CID later takes this record's place, burning the deposit
		/// ([`Event::ExternalSuperseded`]): registering a CID does not make it the caller's.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_external(parents.len() as u32))]
		pub fn register_external(
			origin: OriginFor<T>,
			cid: CidBytes,
			parents: ParentsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_external(cid, who, parents)
		}

		/// Hands an asset the caller owns to `to`.
		///
		/// # Errors
		/// - [`Error::UnknownAsset`]: no asset has this CID.
		/// - [`Error::NotOwner`]: the caller does not own it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::transfer_asset())]
		pub fn transfer_asset(
			origin: OriginFor<T>,
			cid: CidBytes,
			to: <T::Lookup as StaticLookup>::Source,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let to = T::Lookup::lookup(to)?;
			Self::do_transfer(cid, who, to)
		}
	}
}

sp_api::decl_runtime_apis! {
	/// Reads the studio's provenance records. `Record` is the runtime's [`AssetRecord`].
	pub trait ProvenanceApi<Record> where Record: codec::Codec {
		/// The record of the asset with this CID, if any.
		fn asset(cid: CidBytes) -> Option<Record>;
		/// The asset's ancestors up to `max_depth` generations, nearest first, each once; at
		/// most the runtime's `MaxLineage` of them.
		fn lineage(cid: CidBytes, max_depth: u32) -> alloc::vec::Vec<Ancestor>;
		/// Assets that name this one as a parent; at most the runtime's `MaxDerivatives`.
		fn derivatives(cid: CidBytes) -> alloc::vec::Vec<CidBytes>;
	}
}
