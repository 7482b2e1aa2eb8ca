//! # Curation
//!
//! Token holders are the studio's taste. A curated job (its spec asks for `finalists` and a
//! curation period) is delivered as K finalists instead of one; while the period runs, any
//! account stakes on one of them ([`Pallet::stake`], a hold under
//! [`HoldReason::CurationStake`], changeable or withdrawable until the end). A stake weighs
//! its amount times the curator's reputation multiplier, from 1× to `1 + MaxReputation`×.
//!
//! When the period is over, anyone closes the curation ([`Pallet::close_curation`]; the job
//! escrow's `on_idle` does it too): the finalist with the largest weighted stake becomes the
//! job's output (ties go to the lower style deviation, then to the worker's order); nobody
//! staked, the worker's own best (its first finalist, the lowest deviation) wins. The
//! curation reward, which the client paid on top of the bounty, goes to the winning stakers in
//! proportion to their weighted stakes (the rounding remainder, or the whole reward when
//! nobody staked on the winner, back to the client); every stake is released.
//!
//! ## Reputation
//! Per account, in parts per million of added weight, at most `MaxReputation`. A winning pick
//! moves it `ReputationGain` of the way to the maximum; a losing one takes away
//! `ReputationLoss` of it; unused, it halves every `ReputationHalfLife` blocks. Balance never
//! buys it: a whale's stake weighs the whale's reputation, not more.
//!
//! ## The studio learns
//! Each style keeps a preference direction in style-vector space ([`Preferences`]). A closed
//! curation with stakes moves it by `PreferenceRate × margin` times the winner's vector less the
//! mean of the losers' (margin: the winner's lead over the runner-up, as a share of all
//! weighted stakes), its length capped at `MaxPreferenceShare` of the style reference's.
//! Workers add the direction to their fitness (weighted by `PreferenceWeight`); governance can
//! reset it. Everything is integer arithmetic: every node computes the same direction.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod features;
#[cfg(all(test, feature = "runtime-benchmarks"))]
mod mock;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// What the benchmarks need that the pallet cannot make itself.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Adds an active style whose reference vector is `reference`; returns its id.
	fn add_style(reference: alloc::vec::Vec<i32>) -> studio_primitives::StyleId;
}

/// A running curation of a runtime.
pub type CurationOf<T> = CurationInfo<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxFinalists,
	<T as Config>::MaxStakers,
	<T as Config>::MaxStyleDimensions,
>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Permill;
	use studio_primitives::{CuratedJobs, JobId, StudioParams, StyleId, StyleRegistry};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The token stakes and rewards are paid in.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		type RuntimeHoldReason: From<HoldReason>;

		/// The studio's parameters (reputation and preference rates).
		type Params: StudioParams<BalanceOf<Self>, BlockNumberFor<Self>>;

		/// The styles, whose references bound the preference directions.
		type Styles: StyleRegistry;

		/// The job escrow, told which finalist a curation chose.
		type Jobs: CuratedJobs;

		/// Derives the account that keeps the rewards of running curations.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The smallest stake: staker slots are not for dust.
		#[pallet::constant]
		type MinStake: Get<BalanceOf<Self>>;

		/// The most finalists a curated job may ask for.
		#[pallet::constant]
		type MaxFinalists: Get<u32>;

		/// The most curators that may stake on one curation; once full, a new stake must be
		/// larger than the smallest, which it displaces (released at once).
		#[pallet::constant]
		type MaxStakers: Get<u32>;

		/// The length of the styles' vectors.
		#[pallet::constant]
		type MaxStyleDimensions: Get<u32>;

		/// The highest reputation, in parts per million of added weight (`2_000_000`: a stake
		/// weighs at most 3× its amount).
		#[pallet::constant]
		type MaxReputation: Get<u32>;

		/// The longest a preference direction may be, as a share of its style reference's
		/// length.
		#[pallet::constant]
		type MaxPreferenceShare: Get<Permill>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need (an active style).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A curator's stake on a finalist.
		CurationStake,
	}

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		_config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// The reward account keeps the existential deposit for good, so paying the last
			// reward out of it never reaps it.
			let account = Pallet::<T>::reward_account();
			let minimum = T::Currency::minimum_balance();
			if T::Currency::balance(&account) < minimum {
				let _ = T::Currency::set_balance(&account, minimum);
			}
		}
	}

	/// The running curations, by job.
	///
	/// Invariant: the reward account holds at least the existential deposit plus every
	/// curation's reward; each stake is held from its curator under
	/// [`HoldReason::CurationStake`]; each finalist's weight is the sum of its stakes' weights.
	#[pallet::storage]
	pub type Curations<T: Config> = StorageMap<_, Twox64Concat, JobId, CurationOf<T>>;

	/// Each curator's reputation and record.
	#[pallet::storage]
	pub type Curators<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, CuratorRecord<BlockNumberFor<T>>, ValueQuery>;

	/// Each style's preference direction, learned from its closed curations (components in
	/// units of `studio_primitives::STYLE_VECTOR_SCALE`); none for a style never curated or
	/// reset.
	#[pallet::storage]
	pub type Preferences<T: Config> =
		StorageMap<_, Twox64Concat, StyleId, BoundedVec<i32, T::MaxStyleDimensions>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A curated job's finalists await stakes until `ends_at`; `reward` goes to the
		/// winning stakers.
		CurationOpened { job: JobId, finalists: u32, ends_at: BlockNumberFor<T>, reward: BalanceOf<T> },
		/// `curator` staked `amount` (weighing `weight`) on finalist `finalist` of `job`,
		/// replacing its earlier stake on the job, if any.
		Staked { job: JobId, curator: T::AccountId, finalist: u32, amount: BalanceOf<T>, weight: u128 },
		/// `curator` took its stake on `job` back.
		StakeWithdrawn { job: JobId, curator: T::AccountId, amount: BalanceOf<T> },
		/// The curation was full and a larger stake took the place of `curator`'s, which was
		/// released.
		StakeDisplaced { job: JobId, curator: T::AccountId, amount: BalanceOf<T> },
		/// A curation closed: finalist `winner` (weighing `winning_weight` of `total_weight`)
		/// is the job's output; `rewarded` of the reward went to its stakers, `returned` back
		/// to the client.
		CurationClosed {
			job: JobId,
			winner: u32,
			winning_weight: u128,
			total_weight: u128,
			rewarded: BalanceOf<T>,
			returned: BalanceOf<T>,
		},
		/// A winning staker got `amount` of the reward.
		CuratorRewarded { job: JobId, curator: T::AccountId, amount: BalanceOf<T> },
		/// A curator's reputation is now `reputation` (parts per million of added weight).
		ReputationChanged { curator: T::AccountId, reputation: u32 },
		/// A style's preference direction moved; its length is now `length` (in units of
		/// `STYLE_VECTOR_SCALE`).
		PreferenceMoved { style: StyleId, length: u64 },
		/// Governance reset a style's preference direction.
		PreferenceReset { style: StyleId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No curation runs for this job.
		UnknownCuration,
		/// The curation period is over: no more stakes; it can be closed.
		CurationOver,
		/// The curation period is not over yet.
		CurationRunning,
		/// The job has no finalist with this index.
		UnknownFinalist,
		/// The stake is below `MinStake`.
		StakeTooLow,
		/// The caller has no stake on this job.
		NoStake,
		/// `MaxStakers` curators staked already, none with less than this stake.
		TooManyStakers,
		/// A curation needs between 2 and `MaxFinalists` finalists, each with a style vector
		/// of at most `MaxStyleDimensions` components.
		InvalidFinalists,
		/// The job's curation is already open.
		AlreadyCurating,
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
		/// Stakes `amount` on finalist `finalist` of `job`'s running curation, held until the
		/// curation closes. A second stake of the caller on the same job replaces its first
		/// (another finalist, another amount; the hold follows). Its weight is `amount` times
		/// the caller's reputation multiplier now. When `MaxStakers` curators staked already,
		/// the stake must be larger than the smallest, which it displaces.
		///
		/// # Errors
		/// - [`Error::UnknownCuration`], [`Error::CurationOver`], [`Error::UnknownFinalist`].
		/// - [`Error::StakeTooLow`]: below `MinStake`.
		/// - [`Error::TooManyStakers`]: full, and no smaller stake to displace.
		/// - A balances error when `amount` cannot be held.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::stake(T::MaxStakers::get()))]
		pub fn stake(origin: OriginFor<T>, job: JobId, finalist: u32, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_stake(who, job, finalist, amount)
		}

		/// Takes the caller's stake on `job` back while the curation runs.
		///
		/// # Errors
		/// - [`Error::UnknownCuration`], [`Error::CurationOver`], [`Error::NoStake`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::withdraw_stake(T::MaxStakers::get()))]
		pub fn withdraw_stake(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_stake(who, job)
		}

		/// Closes `job`'s curation once its period is over; anyone may call it (the job
		/// escrow's `on_idle` does too). The heaviest finalist becomes the job's output, the
		/// reward goes to its stakers, every stake is released, reputations and the style's
		/// preference move.
		///
		/// Charged for `MaxStakers` stakes up front; the stakes the curation did not have are
		/// refunded.
		///
		/// # Errors
		/// - [`Error::UnknownCuration`], [`Error::CurationRunning`].
		#[pallet::call_index(2)]
		#[pallet::weight(
			T::WeightInfo::close(T::MaxStakers::get()).saturating_add(T::Jobs::finalist_chosen_weight())
		)]
		pub fn close_curation(origin: OriginFor<T>, job: JobId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let (winner, stakes) = Self::do_close(job)?;
			T::Jobs::finalist_chosen(job, winner)?;
			Ok(Some(T::WeightInfo::close(stakes).saturating_add(T::Jobs::finalist_chosen_weight())).into())
		}
	}

}
