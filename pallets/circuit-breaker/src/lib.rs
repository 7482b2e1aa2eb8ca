//! # Circuit breaker
//!
//! The studio's answer to agentic risk: no agent keeps spending the studio's money or
//! publishing off-style work once its measured drift passes what token holders allowed.
//!
//! For every agent (worker account) and every model the breaker keeps an exponential moving
//! average of the style deviation reported with each result ([`DeviationStats`], weight
//! `StyleEmaWeight`). It **trips**, in the same block as the result or payout that causes it,
//! when:
//! - the agent's average passes `MaxStyleDeviation`, or one result passes `HardStyleLimit`:
//!   the agent is halted (no new claims, its open claims released);
//! - the model's average across agents passes `MaxStyleDeviation` and stays above it through
//!   the results of `ModelTripAgents` distinct agents: the model is suspended for every agent
//!   (no new jobs or claims on it; results on it are refused). Only agents with at least
//!   `MinAgentHistory` judged results feed the model's average, and a result that trips its
//!   own agent is that agent's drift and does not count against the model, so neither one bad
//!   agent nor a fresh account can suspend a model for everyone;
//!
//! A trip opens an [`Incident`] with the figures that caused it. The result that tripped it is
//! quarantined: not settled until the reviewers (the council governance chose) decide. Any one
//! reviewer may also halt an agent, a model or the studio at once ([`Pallet::halt`]); deciding
//! always takes `ReviewQuorum` reviewers ([`Pallet::review`]):
//! - **resume**: the scope runs again with its average reset to half the limit (so a single
//!   further bad result trips it again), and the quarantined result is delivered;
//! - **retire**: an agent is deregistered with `RetireSlash` of its bond slashed to the
//!   treasury, a model stays suspended; the quarantined result is refused (its job re-opens or
//!   is refunded, as its client chose).
//!
//! An incident undecided by its review deadline refunds the affected client (bounded work in
//! `on_initialize`) and leaves the scope halted. Governance, refunds, cancellations and the
//! settlement of clean jobs never wait for the breaker.
//!
//! The job escrow asks the breaker through [`AgentGate`](studio_primitives::AgentGate), which
//! this pallet implements; the breaker acts on jobs through
//! [`JobsControl`](studio_primitives::JobsControl), which the escrow implements.

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

/// An incident of a runtime.
pub type IncidentOf<T> = Incident<
	<T as frame_system::Config>::AccountId,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxReviewers,
>;

/// What benchmarks need from the runtime: a reviewer council.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes `reviewers` the reviewer council.
	fn set_reviewers(reviewers: alloc::vec::Vec<AccountId>);
	/// Makes `agent` a bonded worker holding as many claims as it may: a halt releases them
	/// all, a retirement slashes its bond.
	fn occupy(agent: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::AtLeast32BitUnsigned, Permill};
	use studio_primitives::{IncidentId, JobId, JobsControl, ModelId, ReviewerSet, StudioParams};

	/// The layout of the pallet's storage. Version 1: the layout after the security review
	/// (`docs/security.md`); chains started before it restart from genesis (there is no
	/// production chain to migrate yet).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The balance type of payouts.
		type Balance: Parameter + Member + AtLeast32BitUnsigned + Default + Copy + MaxEncodedLen;

		/// The studio's parameters (deviation limits, average weight, spend cap, quorum).
		type Params: StudioParams<Self::Balance, BlockNumberFor<Self>>;

		/// The reviewer council.
		type Reviewers: ReviewerSet<Self::AccountId>;

		/// The job escrow: releases claims, ends quarantines, retires agents.
		type Jobs: JobsControl<Self::AccountId>;

		/// Blocks the reviewers have to decide an incident.
		#[pallet::constant]
		type ReviewPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks per spending epoch.
		#[pallet::constant]
		type EpochLength: Get<BlockNumberFor<Self>>;

		/// The share of a retired agent's bond slashed to the treasury.
		#[pallet::constant]
		type RetireSlash: Get<Permill>;

		/// The largest reviewer council (bounds the votes an incident keeps).
		#[pallet::constant]
		type MaxReviewers: Get<u32>;

		/// The most review deadlines `on_initialize` expires in one block (more wait for the
		/// next block), and the most empty blocks it steps over.
		#[pallet::constant]
		type MaxDeadlinesPerBlock: Get<u32>;

		/// Results an agent must have had judged before its results count toward a model's
		/// average: a fresh account cannot move a model.
		#[pallet::constant]
		type MinAgentHistory: Get<u32>;

		/// How many distinct agents with history must see a model's average above the limit
		/// before the model is suspended: one agent cannot suspend a model for everyone.
		#[pallet::constant]
		type ModelTripAgents: Get<u32>;

		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Each agent's moving average of style deviation.
	///
	/// Invariant: an agent that is not halted has an average no higher than its `limit`.
	#[pallet::storage]
	pub type AgentDeviation<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, DeviationStats, ValueQuery>;

	/// Each model's moving average of style deviation, across agents.
	///
	/// Invariant: a model that is not suspended has an average no higher than its `limit`.
	#[pallet::storage]
	pub type ModelDeviation<T> = StorageMap<_, Twox64Concat, ModelId, DeviationStats, ValueQuery>;

	/// Halted agents and the incident that halted them.
	///
	/// Invariant: the incident's scope is the agent, and it is open, expired or retired.
	#[pallet::storage]
	pub type HaltedAgents<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, IncidentId>;

	/// Suspended models and the incident that suspended them (same invariant).
	#[pallet::storage]
	pub type SuspendedModels<T> = StorageMap<_, Twox64Concat, ModelId, IncidentId>;

	/// The incident that halted the whole studio, if it is halted (same invariant).
	#[pallet::storage]
	pub type StudioHalt<T> = StorageValue<_, IncidentId>;

	/// What each agent has been paid in its latest spending epoch (the epoch, the sum). An
	/// agent's claims are refused while the sum for the current epoch plus the job's bounty
	/// would pass `EpochSpendCap`.
	#[pallet::storage]
	pub type AgentSpend<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (u32, T::Balance), ValueQuery>;

	/// The id the next incident gets.
	#[pallet::storage]
	pub type NextIncidentId<T> = StorageValue<_, IncidentId, ValueQuery>;

	/// Every incident.
	#[pallet::storage]
	pub type Incidents<T: Config> = StorageMap<_, Twox64Concat, IncidentId, IncidentOf<T>>;

	/// Open incidents by the block their review deadline falls in.
	///
	/// Invariant: every open incident is listed once, under its `review_by`, no earlier than
	/// [`ReviewCursor`].
	#[pallet::storage]
	pub type ReviewDeadlines<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, IncidentId, ()>;

	/// The earliest block whose review deadlines `on_initialize` has not finished with.
	#[pallet::storage]
	pub type ReviewCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Agents with enough history whose results saw the model's average above its limit
	/// since it was last under it; the model is suspended once `ModelTripAgents` of them
	/// have.
	#[pallet::storage]
	pub type ModelDriftWitnesses<T: Config> =
		StorageMap<_, Twox64Concat, ModelId, BoundedVec<T::AccountId, T::ModelTripAgents>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The breaker tripped: `scope` is halted until the reviewers decide by `review_by`.
		Tripped {
			incident: IncidentId,
			scope: Scope<T::AccountId>,
			cause: TripCause<T::AccountId>,
			job: Option<JobId>,
			review_by: BlockNumberFor<T>,
		},
		/// A reviewer voted on an incident.
		Reviewed { incident: IncidentId, reviewer: T::AccountId, decision: Decision },
		/// The reviewers resumed the incident's scope.
		Resumed { incident: IncidentId },
		/// The reviewers retired the incident's scope.
		Retired { incident: IncidentId },
		/// The incident was not decided in time: its client was refunded, the scope stays
		/// halted.
		ReviewExpired { incident: IncidentId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Only a member of the reviewer council may do this.
		NotReviewer,
		/// No incident has this id.
		UnknownIncident,
		/// The incident is already decided (resumed, retired or cleared).
		AlreadyDecided,
		/// The scope is already halted.
		AlreadyHalted,
		/// The studio as a whole can only be resumed.
		CannotRetireStudio,
		/// The incident already holds `MaxReviewers` votes of current reviewers (the council
		/// is larger than the breaker's `MaxReviewers`: a misconfigured runtime).
		TooManyVotes,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::expire_reviews(now)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// A reviewer halts an agent, a model or the studio at once (tightening needs one
		/// reviewer; resuming needs the quorum). Opens an incident. Its weight is measured
		/// halting a worker that holds the most claims it may (all released).
		///
		/// # Errors
		/// - [`Error::NotReviewer`]: the caller is not on the council.
		/// - [`Error::AlreadyHalted`]: the scope is already halted.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::halt())]
		pub fn halt(origin: OriginFor<T>, scope: Scope<T::AccountId>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Reviewers::is_reviewer(&who), Error::<T>::NotReviewer);
			ensure!(!Self::is_halted(&scope), Error::<T>::AlreadyHalted);
			Self::trip(scope, TripCause::Reviewer { reviewer: who }, None);
			Ok(())
		}

		/// A reviewer votes to resume or retire an incident's scope, or changes its vote. When
		/// `ReviewQuorum` reviewers agree, the decision takes effect.
		///
		/// # Errors
		/// - [`Error::NotReviewer`], [`Error::UnknownIncident`].
		/// - [`Error::AlreadyDecided`]: the incident is resumed, retired or cleared.
		/// - [`Error::CannotRetireStudio`]: a studio halt can only be resumed.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::review().saturating_add(T::Jobs::retire_agent_weight()))]
		pub fn review(origin: OriginFor<T>, incident: IncidentId, decision: Decision) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Reviewers::is_reviewer(&who), Error::<T>::NotReviewer);
			Self::do_review(who, incident, decision)
		}
	}
}
