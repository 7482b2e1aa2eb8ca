//! # Studio governance
//!
//! Token holders govern the studio: its creative and risk parameters, the styles it works in,
//! the models it may run, and the human reviewers its circuit breaker answers to. Every other
//! studio pallet reads these through the traits of `studio-primitives`
//! ([`StudioParams`](studio_primitives::StudioParams),
//! [`StyleRegistry`](studio_primitives::StyleRegistry),
//! [`ModelRegistry`](studio_primitives::ModelRegistry),
//! [`ReviewerSet`](studio_primitives::ReviewerSet)), which this pallet implements.
//!
//! ## Parameters
//! Each [`StudioParameter`] has hard bounds and a largest change per enactment, fixed at genesis
//! ([`ParameterBounds`]). A value outside its bounds or a step larger than allowed is refused
//! when proposed, and checked again when enacted; root's [`Pallet::force_enact`] obeys the
//! same checks.
//!
//! ## Voting on asymmetric tracks
//! [`Pallet::propose`] holds a deposit and opens a vote on a [`GovernanceAction`]. Actions that
//! make the studio safer (lower deviation limits or spend cap, higher quality threshold or
//! quorum, retiring a model or style, adding reviewers) run on the **fast** track: short
//! period, simple majority, no enactment delay. Everything else runs on the **slow** track:
//! longer period, a supermajority of at least two thirds, a higher turnout and an enactment
//! delay. [`Pallet::vote`] freezes the voted tokens (a fungible freeze: the same tokens may
//! vote on several proposals; the freeze is the largest vote); [`Pallet::unlock`] lifts what
//! no open proposal needs. [`Pallet::close`] decides a proposal after its period, returns the
//! deposit and enacts a passed action at once or, after a delay, in `on_initialize`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod features;
#[cfg(test)]
mod attacks;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// The governance action type of a runtime.
pub type ActionOf<T> = GovernanceAction<
	<T as frame_system::Config>::AccountId,
	<T as Config>::MaxNameLength,
	<T as Config>::MaxStyleDimensions,
	<T as Config>::MaxReviewers,
>;

/// A proposal of a runtime.
pub type ProposalOf<T> = Proposal<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	ActionOf<T>,
>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateFreeze, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use studio_primitives::{ModelId, ModelKind, Sha256, StyleId};

	/// The layout of the pallet's storage. Version 1: the layout after the security review
	/// (`docs/security.md`); chains started before it restart from genesis (there is no
	/// production chain to migrate yet).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Defaults for test runtimes: `#[derive_impl(config_preludes::TestDefaultConfig)]` states
	/// only what a mock wires (the currency, origins, the validator set) or sets apart.
	pub mod config_preludes {
		use super::*;
		use frame_support::{
			derive_impl,
			traits::{ConstU32, ConstU64},
		};

		/// The bounds and periods the studio pallets' test runtimes share.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			#[inject_runtime_type]
			type RuntimeEvent = ();
			#[inject_runtime_type]
			type RuntimeHoldReason = ();
			#[inject_runtime_type]
			type RuntimeFreezeReason = ();
			type Validators = ();
			type Preferences = ();
			type FailedDepositBurn = FailedDepositBurn;
			type MaxActiveProposals = ConstU32<4>;
			type MaxProposalsPerAccount = ConstU32<2>;
			type CloseWindow = ConstU64<50>;
			type MaxVotesPerAccount = ConstU32<3>;
			type MaxEnactmentsPerBlock = ConstU32<2>;
			type MaxNameLength = ConstU32<32>;
			type MaxStyleDimensions = ConstU32<8>;
			type MaxReviewers = ConstU32<5>;
			type WeightInfo = ();
		}

		frame_support::parameter_types! {
			/// Half a failed proposal's deposit is burned.
			pub const FailedDepositBurn: sp_runtime::Perbill = sp_runtime::Perbill::from_percent(50);
		}

		/// The test runtimes' fast track: 5 blocks of voting, 10 % turnout, a simple majority,
		/// enacted at once.
		pub const TEST_FAST_TRACK: TrackInfo<u64> = TrackInfo {
			voting_period: 5,
			min_turnout: sp_runtime::Perbill::from_percent(10),
			min_approval: SIMPLE_MAJORITY,
			enactment_delay: 0,
		};

		/// The test runtimes' slow track: 10 blocks of voting, 20 % turnout, two thirds,
		/// enacted 3 blocks after passing.
		pub const TEST_SLOW_TRACK: TrackInfo<u64> = TrackInfo {
			voting_period: 10,
			min_turnout: sp_runtime::Perbill::from_percent(20),
			min_approval: TWO_THIRDS,
			enactment_delay: 3,
		};
	}

	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config<Hash = sp_core::H256> {
		/// The overarching event type.
		#[pallet::no_default_bounds]
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The token that votes and pays deposits.
		#[pallet::no_default]
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateFreeze<Self::AccountId, Id = Self::RuntimeFreezeReason>;

		/// The runtime's hold reasons, which include this pallet's.
		#[pallet::no_default_bounds]
		type RuntimeHoldReason: From<HoldReason>;

		/// The runtime's freeze reasons, which include this pallet's.
		#[pallet::no_default_bounds]
		type RuntimeFreezeReason: From<FreezeReason>;

		/// The validator set that `AddValidator` and `RemoveValidator` change.
		type Validators: studio_primitives::ValidatorSet<Self::AccountId>;

		/// The styles' preference directions learned from curations, which
		/// [`GovernanceAction::ResetPreference`] resets.
		type Preferences: studio_primitives::StylePreferences;

		/// The origin of [`Pallet::force_enact`]: root on dev chains, a council or nothing on
		/// a production chain.
		#[pallet::no_default]
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Deposit held from a proposer until the proposal closes.
		#[pallet::constant]
		#[pallet::no_default]
		type ProposalDeposit: Get<BalanceOf<Self>>;

		/// The share of a proposal's deposit burned when it fails (too little turnout or
		/// approval) or expires unclosed: filling the slots with proposals nobody wants costs.
		#[pallet::constant]
		type FailedDepositBurn: Get<sp_runtime::Perbill>;

		/// The most proposals open for voting at once. The last quarter of the slots is kept
		/// for the fast (tightening) track.
		#[pallet::constant]
		type MaxActiveProposals: Get<u32>;

		/// The most proposals one account may have open at once.
		#[pallet::constant]
		type MaxProposalsPerAccount: Get<u32>;

		/// Blocks after its voting period within which a passed proposal must be closed to be
		/// enacted; closed later, it has expired and does nothing.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type CloseWindow: Get<BlockNumberFor<Self>>;

		/// The most votes one account keeps at once (open proposals and ended ones it has not
		/// unlocked yet).
		#[pallet::constant]
		type MaxVotesPerAccount: Get<u32>;

		/// The most passed actions enacted in one block.
		#[pallet::constant]
		type MaxEnactmentsPerBlock: Get<u32>;

		/// The longest name of a style or model, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// The most components of a style vector.
		#[pallet::constant]
		type MaxStyleDimensions: Get<u32>;

		/// The largest reviewer council.
		#[pallet::constant]
		type MaxReviewers: Get<u32>;

		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit of an open proposal.
		ProposalDeposit,
	}

	/// Why this pallet freezes funds.
	#[pallet::composite_enum]
	pub enum FreezeReason {
		/// Tokens voting on proposals.
		Vote,
	}

	/// The current value of each parameter, in its unit (see [`StudioParameter`]).
	///
	/// Invariant: every parameter has a value, within its [`ParameterBoundsOf`].
	#[pallet::storage]
	pub type ParameterValues<T> = StorageMap<_, Blake2_128Concat, StudioParameter, u128>;

	/// The hard bounds of each parameter, fixed at genesis.
	#[pallet::storage]
	pub type ParameterBoundsOf<T> = StorageMap<_, Blake2_128Concat, StudioParameter, ParameterBounds>;

	/// The rules of the fast (tightening) and slow (loosening) tracks.
	#[pallet::storage]
	pub type Tracks<T: Config> =
		StorageMap<_, Blake2_128Concat, Track, TrackInfo<BlockNumberFor<T>>>;

	/// The id the next proposal gets.
	#[pallet::storage]
	pub type NextProposalId<T> = StorageValue<_, ProposalId, ValueQuery>;

	/// Proposals open for voting or waiting to be closed.
	///
	/// Invariant: the proposal deposits held under [`HoldReason::ProposalDeposit`] are exactly
	/// the deposits recorded here.
	#[pallet::storage]
	pub type Proposals<T: Config> = StorageMap<_, Blake2_128Concat, ProposalId, ProposalOf<T>>;

	/// How many proposals [`Proposals`] holds; at most `MaxActiveProposals`.
	#[pallet::storage]
	pub type ActiveProposals<T> = StorageValue<_, u32, ValueQuery>;

	/// How many open proposals each account has; at most `MaxProposalsPerAccount`.
	///
	/// Invariant: equals the account's entries in [`Proposals`].
	#[pallet::storage]
	pub type ProposalsBy<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Each account's votes: on open proposals, and on closed ones until the account unlocks.
	///
	/// Invariant: the account's [`FreezeReason::Vote`] freeze equals the largest amount here.
	#[pallet::storage]
	pub type Votes<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<(ProposalId, AccountVote<BalanceOf<T>>), T::MaxVotesPerAccount>,
		ValueQuery,
	>;

	/// Passed actions waiting for their enactment block.
	#[pallet::storage]
	pub type PendingEnactments<T: Config> =
		StorageMap<_, Blake2_128Concat, ProposalId, (Track, ActionOf<T>)>;

	/// Which pending enactments are due in which block.
	#[pallet::storage]
	pub type EnactmentQueue<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<ProposalId, T::MaxEnactmentsPerBlock>,
		ValueQuery,
	>;

	/// The id the next style gets.
	#[pallet::storage]
	pub type NextStyleId<T> = StorageValue<_, StyleId, ValueQuery>;

	/// The style registry.
	#[pallet::storage]
	pub type Styles<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		StyleId,
		StyleInfo<T::MaxNameLength, T::MaxStyleDimensions>,
	>;

	/// The id the next model gets.
	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	/// The model registry.
	#[pallet::storage]
	pub type Models<T: Config> =
		StorageMap<_, Blake2_128Concat, ModelId, ModelInfo<T::MaxNameLength>>;

	/// The approved model with the given weights hash: at most one approved model per file.
	///
	/// Invariant: exactly the active entries of [`Models`], keyed by their hash.
	#[pallet::storage]
	pub type ApprovedModelByHash<T> = StorageMap<_, Identity, Sha256, ModelId>;

	/// The reviewer council the circuit breaker asks to decide incidents.
	///
	/// Invariant: no duplicates; when not empty, at least `ReviewQuorum` members.
	#[pallet::storage]
	pub type Reviewers<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxReviewers>, ValueQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// Every parameter once: its value and hard bounds.
		pub parameters: Vec<(StudioParameter, u128, ParameterBounds)>,
		/// The fast (tightening) track.
		pub fast_track: TrackInfo<BlockNumberFor<T>>,
		/// The slow (loosening) track.
		pub slow_track: TrackInfo<BlockNumberFor<T>>,
		/// Styles: name, reference vector and basis blend (empty for a generator's style).
		pub styles: Vec<(Vec<u8>, Vec<i32>, Vec<studio_primitives::BasisWeight>)>,
		/// Approved models: name, kind, sha2-256 of the weights, version.
		pub models: Vec<(Vec<u8>, ModelKind, Sha256, u32)>,
		/// The reviewer council.
		pub reviewers: Vec<T::AccountId>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				parameters: default_parameters(),
				fast_track: TrackInfo {
					voting_period: 1_200u32.into(),
					min_turnout: sp_runtime::Perbill::from_percent(5),
					min_approval: SIMPLE_MAJORITY,
					enactment_delay: 0u32.into(),
				},
				slow_track: TrackInfo {
					voting_period: 28_800u32.into(),
					min_turnout: sp_runtime::Perbill::from_percent(20),
					min_approval: TWO_THIRDS,
					enactment_delay: 4_800u32.into(),
				},
				styles: Vec::new(),
				models: Vec::new(),
				reviewers: Vec::new(),
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Pallet::<T>::build_genesis(self).expect("the studio governance genesis is valid");
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A proposal was opened for voting.
		Proposed {
			proposal: ProposalId,
			proposer: T::AccountId,
			track: Track,
			voting_ends: BlockNumberFor<T>,
		},
		/// An account voted, or changed its vote.
		Voted { proposal: ProposalId, voter: T::AccountId, aye: bool, amount: BalanceOf<T> },
		/// An account's vote freeze was reduced to what its remaining votes need.
		Unlocked { who: T::AccountId, still_frozen: BalanceOf<T> },
		/// A proposal passed; its action is enacted in block `enact_at`.
		Approved {
			proposal: ProposalId,
			ayes: BalanceOf<T>,
			nays: BalanceOf<T>,
			enact_at: BlockNumberFor<T>,
		},
		/// A proposal failed: too little turnout or approval. `burned` of its deposit was burned.
		Rejected { proposal: ProposalId, ayes: BalanceOf<T>, nays: BalanceOf<T>, burned: BalanceOf<T> },
		/// A proposal was closed later than `CloseWindow` after its voting ended: it expired
		/// and does nothing; `burned` of its deposit was burned.
		Expired { proposal: ProposalId, burned: BalanceOf<T> },
		/// A passed action took effect (`proposal` is `None` for root's [`Pallet::force_enact`]).
		Enacted { proposal: Option<ProposalId> },
		/// A passed action was no longer valid when its enactment came, and did nothing.
		EnactmentFailed { proposal: ProposalId, error: DispatchError },
		/// A parameter changed.
		ParameterChanged { parameter: StudioParameter, old: u128, new: u128 },
		/// A style was added to the registry.
		StyleAdded { style: StyleId },
		/// A style was retired.
		StyleRetired { style: StyleId },
		/// A model was approved.
		ModelApproved { model: ModelId, kind: ModelKind, weights_hash: Sha256 },
		/// A model was retired.
		ModelRetired { model: ModelId },
		/// The reviewer council was replaced.
		ReviewersSet { count: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No open proposal has this id (never proposed, or already closed).
		UnknownProposal,
		/// The proposal's voting period is over: votes no longer count.
		VotingClosed,
		/// The proposal's voting period is not over yet: it cannot be closed.
		VotingOpen,
		/// A vote must weigh more than zero tokens.
		ZeroVote,
		/// The vote weighs more tokens than the voter has.
		InsufficientBalance,
		/// The account already has `MaxVotesPerAccount` votes on open proposals.
		TooManyVotes,
		/// `MaxActiveProposals` proposals are already open (for the slow track: all but the
		/// slots kept for the fast track).
		TooManyProposals,
		/// The proposer already has `MaxProposalsPerAccount` proposals open.
		TooManyProposalsByAccount,
		/// The value is outside the parameter's hard bounds.
		OutOfBounds,
		/// The value is further from the current one than one enactment may move it.
		StepTooLarge,
		/// The parameter has no value (the genesis did not set it).
		UnknownParameter,
		/// No style has this id.
		UnknownStyle,
		/// The style is already retired.
		StyleRetired,
		/// No model has this id.
		UnknownModel,
		/// The model is already retired.
		ModelRetired,
		/// An approved model already has these weights.
		ModelAlreadyApproved,
		/// A style or model needs a name.
		EmptyName,
		/// A style needs a reference vector with at least one component.
		EmptyStyleVector,
		/// The reviewer council lists an account twice.
		DuplicateReviewer,
		/// The reviewer council would be smaller than the review quorum.
		QuorumAboveReviewers,
		/// The action was proposed as tightening but would loosen the studio by the time it is
		/// enacted (another change came first).
		NoLongerTightening,
		/// Too many enactments are already scheduled around the enactment block.
		EnactmentQueueFull,
		/// A blend names a basis style the style-transfer network does not have.
		BasisStyleOutOfRange,
		/// A blend names a basis style twice.
		DuplicateBasisStyle,
		/// A blend's shares are not all positive, or do not sum to exactly one.
		BlendNotNormalized,
		/// A runtime upgrade needs the hash of its code; all zeroes is no runtime's.
		NoCodeHash,
		/// The account already validates, or is planned to.
		AlreadyValidator,
		/// The account is not in the validator set.
		NotValidator,
		/// The account has registered no session keys (`Session::set_keys`): it could not author
		/// blocks.
		NoSessionKeys,
		/// The validator set is at its largest.
		TooManyValidators,
		/// The validator set would fall below its smallest.
		TooFewValidators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::enact_due(now)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Opens a vote on `action`, holding `ProposalDeposit` from the caller until it closes.
		///
		/// The track is chosen from the action: tightening actions run fast, all others slow.
		/// The action is validated now (and again when enacted).
		///
		/// # Errors
		/// - [`Error::TooManyProposals`]: `MaxActiveProposals` proposals are open (slow-track
		///   proposals leave the last quarter of the slots to the fast track).
		/// - [`Error::TooManyProposalsByAccount`]: the caller has `MaxProposalsPerAccount` open.
		/// - [`Error::OutOfBounds`], [`Error::StepTooLarge`], [`Error::UnknownStyle`],
		///   [`Error::UnknownModel`], [`Error::StyleRetired`], [`Error::ModelRetired`],
		///   [`Error::ModelAlreadyApproved`], [`Error::EmptyName`], [`Error::EmptyStyleVector`],
		///   [`Error::BasisStyleOutOfRange`], [`Error::DuplicateBasisStyle`], [`Error::BlendNotNormalized`],
		///   [`Error::DuplicateReviewer`], [`Error::QuorumAboveReviewers`], [`Error::NoCodeHash`],
		///   [`Error::AlreadyValidator`], [`Error::NotValidator`], [`Error::NoSessionKeys`],
		///   [`Error::TooManyValidators`], [`Error::TooFewValidators`]: the action is invalid.
		/// - A balances error when the deposit cannot be held.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::propose())]
		pub fn propose(origin: OriginFor<T>, action: Box<ActionOf<T>>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_propose(who, *action)
		}

		/// Votes `amount` tokens for (`aye`) or against a proposal, or changes the caller's vote
		/// on it. The caller's freeze becomes the largest of its votes.
		///
		/// # Errors
		/// - [`Error::UnknownProposal`]: no open proposal has this id.
		/// - [`Error::VotingClosed`]: the voting period is over.
		/// - [`Error::ZeroVote`]: `amount` is zero.
		/// - [`Error::InsufficientBalance`]: `amount` is more than the caller's balance.
		/// - [`Error::TooManyVotes`]: the caller has `MaxVotesPerAccount` live votes.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::vote(T::MaxVotesPerAccount::get()))]
		pub fn vote(
			origin: OriginFor<T>,
			proposal: ProposalId,
			aye: bool,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_vote(who, proposal, aye, amount)
		}

		/// Forgets the caller's votes on closed proposals and lowers its freeze to the largest
		/// vote still on an open one (or lifts it).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::unlock(T::MaxVotesPerAccount::get()))]
		pub fn unlock(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unlock(who)
		}

		/// Decides a proposal whose voting period is over; anyone may call it.
		///
		/// It passes on turnout (ayes + nays) of at least the track's share of the total
		/// issuance and approval (ayes of the votes cast) of at least the track's threshold.
		/// A passed proposal's deposit is released; a failed one loses `FailedDepositBurn` of
		/// it. A passed action is enacted now when the track has no enactment delay, otherwise
		/// in `on_initialize` of its block. A proposal closed more than `CloseWindow` blocks
		/// after its voting ended has expired: it does nothing and loses the same share.
		///
		/// # Errors
		/// - [`Error::UnknownProposal`]: no open proposal has this id (e.g. it was closed).
		/// - [`Error::VotingOpen`]: the voting period is not over.
		/// - [`Error::EnactmentQueueFull`]: no room to schedule the enactment.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::close())]
		pub fn close(origin: OriginFor<T>, proposal: ProposalId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_close(proposal)
		}

		/// Enacts `action` at once, without a vote (`AdminOrigin` only: root on dev chains; a
		/// production runtime may give it to nobody). The action is validated exactly as a
		/// proposal's is when enacted: a parameter's hard bounds and largest step still apply.
		///
		/// # Errors
		/// - The errors of [`Pallet::propose`] that concern the action ([`Error::OutOfBounds`],
		///   [`Error::StepTooLarge`], [`Error::ModelAlreadyApproved`] …).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::force_enact())]
		pub fn force_enact(origin: OriginFor<T>, action: Box<ActionOf<T>>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::validate_action(&action)?;
			Self::apply_action(*action)?;
			Self::deposit_event(Event::Enacted { proposal: None });
			Ok(())
		}
	}
}

/// "More than half": the approval threshold of a simple majority.
pub const SIMPLE_MAJORITY: sp_runtime::Perbill = sp_runtime::Perbill::from_parts(500_000_001);
/// The smallest supermajority the slow track may require.
pub const TWO_THIRDS: sp_runtime::Perbill = sp_runtime::Perbill::from_parts(666_666_667);

/// Production defaults of the parameters and their bounds, for a token with 12 decimals and
/// 3-second blocks. Runtimes set their own in their genesis presets.
pub fn default_parameters() -> alloc::vec::Vec<(StudioParameter, u128, ParameterBounds)> {
	use StudioParameter::*;
	const UNIT: u128 = 1_000_000_000_000;
	let bounds = |min, max, max_step| ParameterBounds { min, max, max_step };
	alloc::vec![
		(MaxStyleDeviation, 250_000, bounds(10_000, 600_000, 100_000)),
		(HardStyleLimit, 500_000, bounds(50_000, 900_000, 200_000)),
		(StyleEmaWeight, 200_000, bounds(50_000, 800_000, 200_000)),
		(MinBounty, UNIT, bounds(UNIT / 1_000, 1_000 * UNIT, 10 * UNIT)),
		(WorkerMinBond, 10 * UNIT, bounds(UNIT, 10_000 * UNIT, 100 * UNIT)),
		(StudioFee, 50_000, bounds(0, 200_000, 25_000)),
		(ClaimTimeout, 100, bounds(10, 14_400, 1_200)),
		(ChallengeWindow, 100, bounds(10, 28_800, 1_200)),
		(JobMaxLifetime, 14_400, bounds(100, 201_600, 28_800)),
		(EpochSpendCap, 10_000 * UNIT, bounds(UNIT, 1_000_000 * UNIT, 10_000 * UNIT)),
		(QualityThreshold, 300_000, bounds(0, 900_000, 100_000)),
		(ReviewQuorum, 2, bounds(1, 15, 2)),
		(AuditProbability, 100_000, bounds(0, 1_000_000, 1_000_000)),
		(ChallengeDeposit, 5 * UNIT, bounds(UNIT / 100, 1_000 * UNIT, 10 * UNIT)),
		(VerifierCount, 3, bounds(1, 5, 2)),
		// `docs/verification.md`, "Tolerances": honest re-measurements differ by a few ppm.
		(ScoreTolerance, 10_000, bounds(1_000, 100_000, 10_000)),
		(ReproductionFloor, 4_000, bounds(2_000, 10_000, 2_000)),
		// `docs/curation.md`: a tenth of the bounty rewards the curators; a win moves a
		// reputation a fifth of the way to its maximum, a loss costs a twentieth of it, and an
		// unused one halves in a week; a curation moves its style's preference by up to a fifth
		// of the gap between winner and losers; workers weigh the preference half as much as the
		// deviation.
		(CurationReward, 100_000, bounds(0, 500_000, 100_000)),
		(ReputationGain, 200_000, bounds(10_000, 500_000, 100_000)),
		(ReputationLoss, 50_000, bounds(0, 500_000, 100_000)),
		(ReputationHalfLife, 201_600, bounds(1_200, 2_016_000, 201_600)),
		(PreferenceRate, 200_000, bounds(0, 1_000_000, 200_000)),
		(PreferenceWeight, 500_000, bounds(0, 1_000_000, 250_000)),
	]
}
