//! # Job escrow
//!
//! The studio's business. Clients (people, or other protocols' accounts using the studio as a
//! service) pay for design jobs; bonded workers claim them, run the models off chain, deliver a
//! result and get paid; the studio takes its fee.
//!
//! ## Workers
//! [`Pallet::register_worker`] holds a bond (at least the studio's `WorkerMinBond`) and lists
//! the models the worker can run; [`Pallet::bond_extra`] tops it up.
//! [`Pallet::unregister_worker`] stops it taking jobs and, once nothing it did is unsettled,
//! starts the `UnbondingDelay`; [`Pallet::withdraw_bond`] then releases the bond.
//!
//! ## Job lifecycle
//! - [`Pallet::submit_job`] moves the bounty into the escrow's own account (see "Money"). The
//!   deadline must leave at least one whole claim window. The job is `Open` until its deadline.
//! - [`Pallet::cancel_job`]: the client takes an open job back, bounty and all.
//! - [`Pallet::claim_job`]: a registered worker that lists the model and that the circuit
//!   breaker lets work takes the job for `ClaimTimeout` blocks. A claim always gets its whole
//!   window: a job whose deadline is nearer than that can no longer be claimed. A worker holds
//!   one claim per `WorkerMinBond` of its bond (at most `MaxClaimsPerWorker`), may not claim
//!   its own job (client and worker are different accounts), nor a job its earlier claim on
//!   failed.
//! - [`Pallet::submit_result`]: the claiming worker reports its output. The output is recorded
//!   in provenance, the circuit breaker judges it, and the job is `Delivered` (its challenge
//!   window starts), refused (re-opened or refunded, as the client chose), or `Quarantined`
//!   when the result tripped the breaker: then the reviewers' decision on the incident settles
//!   it, refuses it, or (undecided by the review deadline) refunds it. A result that reports a
//!   quality below the studio's threshold is a failed claim: slashed like an expiry, and the
//!   worker is barred from the job.
//! - Settlement: the client's [`Pallet::accept_result`], anyone's [`Pallet::settle`] once the
//!   challenge window is over, or automatically in `on_idle`: the bounty less the studio fee to
//!   the worker, the fee to the treasury.
//! - Verification (`docs/verification.md`): in the block after a delivery its hash decides
//!   whether the result is audited (`AuditProbability`); anyone may [`Pallet::challenge`] it
//!   within its window, with a deposit. An audited or challenged result is checked by
//!   `VerifierCount` workers drawn at random among those that run its model (never its worker,
//!   client or challenger): each commits to its [`Finding`] ([`Pallet::commit_finding`]), then
//!   reveals it ([`Pallet::reveal_finding`]). The result stands when a majority of the revealed
//!   findings confirm it within the governed tolerances, and is paid, its verifiers sharing the
//!   studio fee; it falls otherwise: `MisreportSlash` of its worker's bond pays the verifiers
//!   and the challenger, the circuit breaker halts the worker with a `Misreport` incident, and
//!   the job re-opens or is refunded. A verifier that does not reveal loses `AbsentSlash`.
//! - Expiry, by anyone's [`Pallet::expire`] or automatically in `on_idle`: a claim past its
//!   timeout re-opens the job and slashes `ExpirySlash` of the worker's bond to the treasury; an
//!   open job past its deadline refunds its client. Nothing stays held forever.
//!
//! Each live job has exactly one due block (deadline, claim expiry or window end), indexed in
//! [`DueJobs`]; `on_idle` walks it in block order with whatever weight the block has left. A
//! due step that fails (a payout or refund that cannot be made) is tried again `RetryDelay`
//! blocks later ([`Event::DueStepDeferred`]); no live job ever leaves the queue.
//!
//! ## Money
//! Bounties leave the client's account at `submit_job`, into the escrow's own account
//! ([`Pallet::escrow_account`], derived from `PalletId`, which genesis endows with the
//! existential deposit so it never dies). Nothing the client does later (a vote's freeze, a
//! transfer, letting its account be reaped) can stop a bounty reaching its worker or a refund
//! reaching the client, and escrowed funds back no vote. Workers' bonds are holds
//! ([`HoldReason::WorkerBond`]); slashes move held funds to the treasury.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::occupied_worker;
mod features;
#[cfg(test)]
mod attacks;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod restyle_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod verification_tests;
pub mod types;
pub mod weights;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// The balance type of the pallet's currency.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A job specification of a runtime.
pub type JobSpecOf<T> = JobSpec<
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxPromptLength,
	<T as Config>::MaxParents,
>;

/// A job of a runtime.
pub type JobOf<T> = JobInfo<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxPromptLength,
	<T as Config>::MaxParents,
>;

/// A worker of a runtime.
pub type WorkerOf<T> = WorkerInfo<
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxCapabilities,
	<T as Config>::MaxClaimsPerWorker,
	<T as Config>::MaxUnsettledPerWorker,
>;

/// A verification of a runtime.
pub type VerificationOf<T> = Verification<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxVerifiers,
>;

/// A curated job's finalists as a runtime's worker reports them.
pub type FinalistsReportOf<T> = FinalistsReport<<T as Config>::MaxFinalists, <T as Config>::MaxStyleDimensions>;

/// What benchmarks need from the runtime: a generator model and a style that jobs may use, and
/// recorded assets to name as parents.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Makes sure an approved generator model exists; returns it and its weights hash.
	fn approved_generator() -> (studio_primitives::ModelId, studio_primitives::Sha256);
	/// Makes sure an active style exists; returns it.
	fn active_style() -> studio_primitives::StyleId;
	/// Records `cid` in provenance as an external asset of `owner`.
	fn record_asset(owner: AccountId, cid: studio_primitives::CidBytes);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::{boxed::Box, vec::Vec};
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Permill;
	use studio_primitives::{
		AgentGate, AssetLedger, CidBytes, Curation, IncidentId, JobId, ModelId, ModelRegistry,
		StudioParams, StyleId, StyleRegistry,
	};

	/// The layout of the pallet's storage. Version 1: the layout after the security review
	/// (`docs/security.md`); chains started before it restart from genesis (there is no
	/// production chain to migrate yet).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Defaults for test runtimes: `#[derive_impl(config_preludes::TestDefaultConfig)]` states
	/// only what a mock wires (the currency, registries, gate, ledger, treasury) or sets apart.
	pub mod config_preludes {
		use super::*;
		use frame_support::{
			derive_impl,
			traits::{ConstU32, ConstU64},
		};

		/// The bounds, periods and shares the studio pallets' test runtimes share.
		pub struct TestDefaultConfig;

		#[derive_impl(frame_system::config_preludes::TestDefaultConfig, no_aggregated_types)]
		impl frame_system::DefaultConfig for TestDefaultConfig {}

		frame_support::parameter_types! {
			/// A tenth of the bond for a claim that expires.
			pub const ExpirySlash: Permill = Permill::from_percent(10);
			/// Half the bond for a result its verifiers refute.
			pub const MisreportSlash: Permill = Permill::from_percent(50);
			/// A fiftieth of the bond for a drawn verifier that stays silent.
			pub const AbsentSlash: Permill = Permill::from_percent(2);
			/// Half a liar's slash to the verifiers who refuted it.
			pub const VerifiersShare: Permill = Permill::from_percent(50);
			/// A quarter of a liar's slash to the client who challenged it.
			pub const ChallengerShare: Permill = Permill::from_percent(25);
		}

		#[frame_support::register_default_impl(TestDefaultConfig)]
		impl DefaultConfig for TestDefaultConfig {
			#[inject_runtime_type]
			type RuntimeEvent = ();
			#[inject_runtime_type]
			type RuntimeHoldReason = ();
			type Curation = ();
			type RetryDelay = ConstU64<5>;
			type JobRetention = ConstU64<5_000>;
			type MaxUnsettledPerWorker = ConstU32<8>;
			type UnbondingDelay = ConstU64<20>;
			type ExpirySlash = ExpirySlash;
			type ReleaseGrace = ConstU64<5>;
			type MisreportSlash = MisreportSlash;
			type AbsentSlash = AbsentSlash;
			type VerifiersShare = VerifiersShare;
			type ChallengerShare = ChallengerShare;
			type CommitPeriod = ConstU64<10>;
			type RevealPeriod = ConstU64<10>;
			type MaxVerifiers = ConstU32<3>;
			type MaxWorkersPerModel = ConstU32<8>;
			type MaxPromptLength = ConstU32<64>;
			type MaxParents = ConstU32<3>;
			type MaxCapabilities = ConstU32<4>;
			type MaxClaimsPerWorker = ConstU32<2>;
			type MaxCandidates = ConstU32<64>;
			type MaxImageSide = ConstU32<1024>;
			type MaxFinalists = ConstU32<4>;
			type MaxCurationPeriod = ConstU64<20>;
			type MaxStyleDimensions = ConstU32<8>;
			type WeightInfo = ();
		}
	}

	#[pallet::config(with_default)]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		#[pallet::no_default_bounds]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The token bounties and bonds are paid in.
		#[pallet::no_default]
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's.
		#[pallet::no_default_bounds]
		type RuntimeHoldReason: From<HoldReason>;

		/// The studio's parameters (minimum bounty and bond, fee, timeouts …).
		#[pallet::no_default]
		type Params: StudioParams<BalanceOf<Self>, BlockNumberFor<Self>>;

		/// The approved models.
		#[pallet::no_default]
		type Models: ModelRegistry;

		/// The active styles.
		#[pallet::no_default]
		type Styles: StyleRegistry;

		/// The circuit breaker: whether the studio, a model or an agent may work, and the
		/// verdict on each result.
		#[pallet::no_default]
		type Gate: AgentGate<Self::AccountId, BalanceOf<Self>>;

		/// Provenance, where every delivered output is recorded.
		#[pallet::no_default]
		type Assets: AssetLedger<Self::AccountId>;

		/// Curation, where token holders pick a curated job's output among its finalists.
		#[pallet::no_default_bounds]
		type Curation: Curation<Self::AccountId, BalanceOf<Self>, BlockNumberFor<Self>>;

		/// The studio treasury: receives the studio fee and slashed bonds.
		#[pallet::no_default]
		type Treasury: Get<Self::AccountId>;

		/// Derives the escrow's own account, which keeps the bounties of live jobs.
		#[pallet::constant]
		#[pallet::no_default]
		type PalletId: Get<PalletId>;

		/// Blocks after which a due step that failed (a payout or refund) is tried again.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type RetryDelay: Get<BlockNumberFor<Self>>;

		/// Blocks a finished (settled, cancelled or refunded) job's record is kept before it is
		/// pruned: storage does not grow with the studio's history.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type JobRetention: Get<BlockNumberFor<Self>>;

		/// The most delivered or quarantined, not yet settled, jobs a worker may have: bounds
		/// what retiring it walks.
		#[pallet::constant]
		type MaxUnsettledPerWorker: Get<u32>;

		/// Blocks between a worker's unregistering and the release of its bond.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type UnbondingDelay: Get<BlockNumberFor<Self>>;

		/// The share of a worker's bond slashed when its claim fails: it expires undelivered, or
		/// its result reports a quality below the studio's threshold.
		#[pallet::constant]
		type ExpirySlash: Get<Permill>;

		/// Blocks after a claim within which the claimant may give it back without a slash
		/// (`release_claim`): long enough to fetch and check a restyle job's content.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type ReleaseGrace: Get<BlockNumberFor<Self>>;

		/// The share of a worker's bond slashed when verifiers find its result does not hold.
		#[pallet::constant]
		type MisreportSlash: Get<Permill>;

		/// The share of a verifier's bond slashed when it does not reveal its finding in time.
		#[pallet::constant]
		type AbsentSlash: Get<Permill>;

		/// The verifiers' share of a fallen result's slash and of a lost challenge deposit.
		#[pallet::constant]
		type VerifiersShare: Get<Permill>;

		/// A successful challenger's share of the fallen result's slash (besides its deposit).
		#[pallet::constant]
		type ChallengerShare: Get<Permill>;

		/// Blocks after the draw within which verifiers commit to their findings.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type CommitPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks after the commit period within which verifiers reveal them.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type RevealPeriod: Get<BlockNumberFor<Self>>;

		/// The most verifiers one result may have (the governed `VerifierCount` is capped here).
		#[pallet::constant]
		type MaxVerifiers: Get<u32>;

		/// The most workers that may list one model: bounds the verifiers' draw.
		#[pallet::constant]
		type MaxWorkersPerModel: Get<u32>;

		/// The longest prompt, in bytes.
		#[pallet::constant]
		type MaxPromptLength: Get<u32>;

		/// The most parent assets a job may name.
		#[pallet::constant]
		type MaxParents: Get<u32>;

		/// The most models a worker may list.
		#[pallet::constant]
		type MaxCapabilities: Get<u32>;

		/// The most jobs one worker may hold claimed at once.
		#[pallet::constant]
		type MaxClaimsPerWorker: Get<u32>;

		/// The most candidates a job may ask for.
		#[pallet::constant]
		type MaxCandidates: Get<u32>;

		/// The largest width or height of an output, in pixels.
		#[pallet::constant]
		type MaxImageSide: Get<u32>;

		/// The most finalists a curated job may ask for.
		#[pallet::constant]
		type MaxFinalists: Get<u32>;

		/// The longest curation period a job may ask for, in blocks.
		#[pallet::constant]
		#[pallet::no_default_bounds]
		type MaxCurationPeriod: Get<BlockNumberFor<Self>>;

		/// The length of the styles' vectors (as governance bounds them).
		#[pallet::constant]
		type MaxStyleDimensions: Get<u32>;

		/// Weights of the calls and hooks.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		#[pallet::no_default]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A worker's bond.
		WorkerBond,
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
			// The escrow's account keeps the existential deposit for good, so paying the last
			// bounty out of it never reaps it (and never loses a remainder as dust).
			let escrow = Pallet::<T>::escrow_account();
			let minimum = T::Currency::minimum_balance();
			if T::Currency::balance(&escrow) < minimum {
				let _ = T::Currency::set_balance(&escrow, minimum);
			}
		}
	}

	/// The registered workers.
	///
	/// Invariant: each worker's [`HoldReason::WorkerBond`] hold equals its `bond`; every job in
	/// its `claims` is claimed by it, and `unsettled` lists the jobs delivered (or quarantined)
	/// by it and not settled.
	#[pallet::storage]
	pub type Workers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, WorkerOf<T>>;

	/// The IPFS address each worker publishes for the studio's content network: other workers
	/// dial these to fetch and serve outputs and inputs by CID.
	///
	/// Invariant: only registered workers have one.
	#[pallet::storage]
	pub type ContentAddresses<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ContentAddress>;

	/// The registered workers that list each model: the verifiers of its results are drawn
	/// from these.
	///
	/// Invariant: exactly the registered workers listing the model, each once.
	#[pallet::storage]
	pub type ModelWorkers<T: Config> =
		StorageMap<_, Twox64Concat, ModelId, BoundedVec<T::AccountId, T::MaxWorkersPerModel>, ValueQuery>;

	/// What each delivered (or quarantined), not yet settled, result claims.
	///
	/// Invariant: exactly the delivered and quarantined jobs have one.
	#[pallet::storage]
	pub type Deliveries<T: Config> = StorageMap<_, Twox64Concat, JobId, Delivery<BlockNumberFor<T>>>;

	/// The finalists of each curating job, its worker's best first.
	///
	/// Invariant: exactly the curating jobs have them.
	#[pallet::storage]
	pub type Finalists<T: Config> =
		StorageMap<_, Twox64Concat, JobId, BoundedVec<FinalistDelivery, T::MaxFinalists>>;

	/// The results under verification (audited or challenged).
	///
	/// Invariant: only delivered jobs have one; a challenger's deposit is in the escrow's
	/// account.
	#[pallet::storage]
	pub type Verifications<T: Config> = StorageMap<_, Twox64Concat, JobId, VerificationOf<T>>;

	/// How each finished verification went, kept until its job is pruned.
	#[pallet::storage]
	pub type Verdicts<T: Config> = StorageMap<_, Twox64Concat, JobId, VerificationRecord>;

	/// Draws due in the block after the key: the audit of a result delivered in that block, or
	/// the verifiers of a result challenged in it. The key block's hash, which nobody knew
	/// when submitting, seeds the draw.
	#[pallet::storage]
	pub type PendingDraws<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, JobId, ()>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	/// Every job, live or finished within `JobRetention`.
	///
	/// Invariant: the escrow's account holds at least the existential deposit plus the bounties
	/// of the live (open, claimed, delivered or quarantined) jobs; every delivered job's output
	/// is in provenance.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, JobOf<T>>;

	/// Live jobs by the block their next automatic step is due in (see
	/// [`JobInfo::due_at`]).
	///
	/// Invariant: exactly one entry per live job, under its due block.
	#[pallet::storage]
	pub type DueJobs<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, JobId, ()>;

	/// The earliest block `on_idle` has not finished with: no entry of [`DueJobs`] is older.
	#[pallet::storage]
	pub type DueCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A worker registered and bonded.
		WorkerRegistered { worker: T::AccountId, bond: BalanceOf<T>, capabilities: Vec<ModelId> },
		/// A worker added `added` to its bond, which is now `bond`.
		BondIncreased { worker: T::AccountId, added: BalanceOf<T>, bond: BalanceOf<T> },
		/// A worker published where its IPFS node can be dialled.
		ContentAddressSet { worker: T::AccountId, address: Vec<u8> },
		/// A worker stopped taking jobs; its bond unlocks at `unbonds_at`.
		WorkerUnregistered { worker: T::AccountId, unbonds_at: BlockNumberFor<T> },
		/// A worker withdrew its bond and left.
		BondWithdrawn { worker: T::AccountId, bond: BalanceOf<T> },
		/// Reviewers retired a worker: `slashed` of its bond went to the treasury, `released`
		/// back to it, its delivered results were refused, and it is no longer registered.
		WorkerRetired { worker: T::AccountId, slashed: BalanceOf<T>, released: BalanceOf<T> },
		/// A job was submitted, its bounty moved into escrow.
		JobSubmitted {
			job: JobId,
			client: T::AccountId,
			model: ModelId,
			style: StyleId,
			bounty: BalanceOf<T>,
			deadline: BlockNumberFor<T>,
		},
		/// A client cancelled its open job; the bounty went back to it.
		JobCancelled { job: JobId },
		/// A worker claimed a job until `expires_at`.
		JobClaimed { job: JobId, worker: T::AccountId, expires_at: BlockNumberFor<T> },
		/// A result was delivered; it settles at `settles_at`, when its challenge window ends.
		ResultDelivered {
			job: JobId,
			worker: T::AccountId,
			output: CidBytes,
			settles_at: BlockNumberFor<T>,
		},
		/// A curated job's finalists were delivered (recorded in provenance as candidates);
		/// token holders stake on them until `ends_at`.
		FinalistsDelivered { job: JobId, worker: T::AccountId, outputs: Vec<CidBytes>, ends_at: BlockNumberFor<T> },
		/// The curation chose finalist `index`, `output`: the job's result.
		FinalistChosen { job: JobId, index: u32, output: CidBytes },
		/// A result tripped the circuit breaker: it waits for the reviewers to decide
		/// `incident`.
		ResultQuarantined { job: JobId, worker: T::AccountId, output: CidBytes, incident: IncidentId },
		/// A result was refused; the job re-opened or was refunded.
		ResultRejected { job: JobId, worker: T::AccountId, output: CidBytes, cause: RejectionCause },
		/// A job settled: `payment` to the worker, `fee` to the treasury.
		JobSettled { job: JobId, worker: T::AccountId, payment: BalanceOf<T>, fee: BalanceOf<T> },
		/// A claim expired undelivered; `slashed` of the worker's bond went to the treasury.
		ClaimExpired { job: JobId, worker: T::AccountId, slashed: BalanceOf<T> },
		/// A worker's result reported a quality below the studio's threshold: the claim failed,
		/// `slashed` of its bond went to the treasury and it may not claim the job again.
		ClaimFailed { job: JobId, worker: T::AccountId, slashed: BalanceOf<T> },
		/// A due step of the job (a payout or refund) could not be made now; it is tried again
		/// in block `retry_at`. The job and its bounty stay as they were.
		DueStepDeferred { job: JobId, retry_at: BlockNumberFor<T>, error: DispatchError },
		/// A finished job's record was removed, `JobRetention` blocks after it finished (its
		/// output's provenance record stays).
		JobPruned { job: JobId },
		/// A job is open again for any worker.
		JobReopened { job: JobId },
		/// A job's bounty went back to its client: its deadline passed, or its result was
		/// refused and the client chose a refund.
		JobRefunded { job: JobId, client: T::AccountId, amount: BalanceOf<T> },
		/// `challenger` challenged a delivered result, putting `deposit` into escrow.
		ResultChallenged { job: JobId, challenger: T::AccountId, deposit: BalanceOf<T> },
		/// Verifiers were drawn for a result: they commit before `commit_until` and reveal
		/// before `reveal_until`, when the verdict is due.
		VerifiersDrawn {
			job: JobId,
			cause: VerificationCause,
			verifiers: Vec<T::AccountId>,
			commit_until: BlockNumberFor<T>,
			reveal_until: BlockNumberFor<T>,
		},
		/// A verifier committed to its finding.
		FindingCommitted { job: JobId, verifier: T::AccountId },
		/// A verifier revealed its finding.
		FindingRevealed { job: JobId, verifier: T::AccountId, finding: Finding },
		/// A verifier did not reveal in time: `slashed` of its bond went to the treasury.
		VerifierAbsent { job: JobId, verifier: T::AccountId, slashed: BalanceOf<T> },
		/// A verifier on the verdict's side was paid `amount`.
		VerifierRewarded { job: JobId, verifier: T::AccountId, amount: BalanceOf<T> },
		/// A verification ended: `confirming` of the `revealed` findings confirmed the result;
		/// `verified_deviation` is the median deviation the verifiers measured.
		ResultVerified {
			job: JobId,
			outcome: VerificationOutcome,
			confirming: u32,
			revealed: u32,
			verified_deviation: Option<Permill>,
		},
		/// A fallen result's worker lost `slashed` of its bond and was halted under `incident`.
		MisreportSlashed { job: JobId, worker: T::AccountId, slashed: BalanceOf<T>, incident: IncidentId },
		/// A challenge ended: `returned` went back to the challenger (its deposit and reward
		/// when the result fell, nothing when it stood).
		ChallengeEnded { job: JobId, challenger: T::AccountId, returned: BalanceOf<T> },
		/// A worker gave its claim back within `ReleaseGrace` (its input could not be used):
		/// nothing was slashed, it may not claim the job again, and the job re-opened (or was
		/// refunded past its deadline).
		ClaimReleased { job: JobId, worker: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is already a registered worker.
		AlreadyRegistered,
		/// The caller is not a registered worker.
		NotRegistered,
		/// The bond is below the studio's `WorkerMinBond` (for a claim: the bond after
		/// slashes).
		BondTooLow,
		/// A worker must list at least one model.
		NoCapabilities,
		/// A model is listed twice.
		DuplicateCapability,
		/// The worker still has claimed or unsettled jobs.
		UnfinishedWork,
		/// The worker has unregistered and takes no more jobs.
		WorkerLeaving,
		/// The worker has not unregistered.
		NotLeaving,
		/// A content address must be a multiaddr in text naming a `/p2p/` peer id.
		InvalidContentAddress,
		/// The unbonding delay is not over.
		StillUnbonding,
		/// The bounty is below the studio's `MinBounty`.
		BountyTooLow,
		/// The model is unknown, retired, or its weights changed.
		ModelNotApproved,
		/// The model is not of the kind the job needs (a generator for `Generate`, style transfer
		/// for `Stylize`, line art for `LineArt`).
		WrongModelForJobKind,
		/// The style is unknown or retired.
		UnknownStyle,
		/// The circuit breaker has halted the whole studio: no new jobs.
		StudioHalted,
		/// The circuit breaker has suspended the model.
		ModelSuspended,
		/// The circuit breaker has halted this agent: it may not claim, nor leave with its bond
		/// before the reviewers decide.
		AgentHalted,
		/// A text prompt must not be empty.
		EmptyPrompt,
		/// A parent asset is not recorded in provenance.
		UnknownParentAsset,
		/// A parent asset is named twice.
		DuplicateParentAsset,
		/// The number of candidates must be between 1 and `MaxCandidates`.
		InvalidCandidates,
		/// Width and height must be between 1 and `MaxImageSide`.
		InvalidOutputSize,
		/// The deadline must be a future block.
		DeadlineInPast,
		/// The deadline leaves less than one whole claim window (`ClaimTimeout` blocks after
		/// the next block): a worker could not be given the time to deliver.
		DeadlineTooSoon,
		/// The deadline is further away than the studio's `JobMaxLifetime`.
		DeadlineTooFar,
		/// No job has this id.
		UnknownJob,
		/// Only the job's client may do this.
		NotClient,
		/// The job is not open (claimed, delivered or finished).
		JobNotOpen,
		/// The job's deadline has passed.
		DeadlinePassed,
		/// The job's deadline is nearer than one claim window: it can no longer be claimed and
		/// is refunded at its deadline.
		ClaimWindowTooShort,
		/// A worker may not claim its own account's job.
		SelfDealing,
		/// The worker's earlier claim on this job failed (expired, or reported a quality below
		/// the threshold): another worker must take it.
		ClaimedBefore,
		/// The agent's payouts this epoch plus this bounty would pass the studio's
		/// `EpochSpendCap` per agent.
		SpendCapReached,
		/// The worker does not list the job's model.
		ModelNotInCapabilities,
		/// The worker holds as many claims as its bond allows: one per `WorkerMinBond` of bond,
		/// at most `MaxClaimsPerWorker`.
		TooManyClaims,
		/// The worker has `MaxUnsettledPerWorker` delivered jobs waiting to settle.
		TooManyUnsettled,
		/// The job is not claimed by the caller.
		NotClaimant,
		/// The claim has expired: the result comes too late.
		ClaimExpired,
		/// The reported weights hash is not the approved model's.
		ModelHashMismatch,
		/// The worker tried fewer candidates than the job asked for.
		TooFewCandidates,
		/// The job has no delivered result waiting to settle.
		NotDelivered,
		/// The job is not in quarantine.
		NotQuarantined,
		/// The challenge window is still open.
		ChallengeWindowOpen,
		/// Nothing about the job is due yet: the claim or the deadline has not expired.
		NotExpired,
		/// `MaxWorkersPerModel` workers already list one of the models.
		TooManyWorkersForModel,
		/// The settings' sha2-256 is recorded in provenance; they must not be empty.
		EmptySettings,
		/// The challenge window is over: the result can no longer be challenged.
		ChallengeWindowClosed,
		/// The result is already challenged.
		AlreadyChallenged,
		/// The result is being verified (or its audit is drawn this block): it settles with its
		/// verdict.
		UnderVerification,
		/// The job's result is not being verified.
		NotUnderVerification,
		/// The caller is not one of the result's verifiers.
		NotVerifier,
		/// The commit period is over.
		CommitPeriodOver,
		/// The caller already committed.
		AlreadyCommitted,
		/// Reveals open once every verifier committed or the commit period is over.
		RevealNotOpen,
		/// The reveal period is over.
		RevealPeriodOver,
		/// The caller did not commit, so it has nothing to reveal.
		NotCommitted,
		/// The caller already revealed.
		AlreadyRevealed,
		/// The finding and salt do not hash to the caller's commitment.
		CommitmentMismatch,
		/// A stylize job's style has no basis blend: it is a style generators keep to.
		StyleHasNoBlend,
		/// A stylize job must take some of its style: a strength of zero would return the
		/// content unchanged.
		ZeroStrength,
		/// The content a stylize or line-art job works on is not a recorded asset (register it
		/// first).
		UnknownContentAsset,
		/// The content and the parents together are more than `MaxParents`.
		TooManyParents,
		/// The content belongs to another account: a client restyles only its own material.
		NotContentOwner,
		/// The content is an output whose job has not settled, or that was refused.
		ContentNotFinal,
		/// The claim is older than `ReleaseGrace`: deliver it or let it expire.
		ReleaseGraceOver,
		/// A curation asks for 2 to `MaxFinalists` finalists, at most the job's candidates, over
		/// 1 to `MaxCurationPeriod` blocks.
		InvalidCuration,
		/// Only `Generate` jobs are curated: a restyle has one faithful result, not finalists.
		CurationNeedsGenerator,
		/// The job is curated: its worker delivers finalists (`submit_finalists`).
		CurationNeedsFinalists,
		/// The job is not curated: its worker delivers one result (`submit_result`).
		NotCurated,
		/// The report does not hold as many finalists as the job asked for.
		WrongFinalistCount,
		/// Two finalists have one output.
		DuplicateFinalist,
		/// A finalist's style vector is not as long as the style's reference.
		WrongStyleVectorLength,
		/// The job is not curating.
		NotCurating,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			// Each draw was paid for by the `submit_result` or `challenge` that scheduled it.
			Self::draw_due(now)
		}

		fn on_idle(now: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			Self::process_due(now, remaining_weight)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as a worker that can run `capabilities`, holding `bond`.
		///
		/// # Errors
		/// - [`Error::AlreadyRegistered`]: the caller is a worker.
		/// - [`Error::BondTooLow`]: `bond` is below `WorkerMinBond`.
		/// - [`Error::NoCapabilities`], [`Error::DuplicateCapability`]: bad model list.
		/// - A balances error when the bond cannot be held.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_worker())]
		pub fn register_worker(
			origin: OriginFor<T>,
			bond: BalanceOf<T>,
			capabilities: BoundedVec<ModelId, T::MaxCapabilities>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_worker(who, bond, capabilities)
		}

		/// Stops the caller taking jobs and starts its unbonding delay.
		///
		/// # Errors
		/// - [`Error::NotRegistered`]: the caller is not a worker.
		/// - [`Error::WorkerLeaving`]: it already unregistered.
		/// - [`Error::UnfinishedWork`]: it has claimed or unsettled jobs.
		/// - [`Error::AgentHalted`]: the circuit breaker halted it; the reviewers decide first.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unregister_worker())]
		pub fn unregister_worker(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister_worker(who)
		}

		/// Releases the bond of a worker whose unbonding delay is over, and forgets the worker.
		///
		/// # Errors
		/// - [`Error::NotRegistered`], [`Error::NotLeaving`], [`Error::StillUnbonding`].
		/// - [`Error::AgentHalted`]: halted meanwhile; the reviewers decide first.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_bond(who)
		}

		/// Submits a design job, moving `bounty` from the caller into escrow until the job
		/// settles or is refunded. Any account may submit.
		///
		/// # Errors
		/// - [`Error::BountyTooLow`]: `bounty` is below `MinBounty`.
		/// - [`Error::ModelNotApproved`], [`Error::WrongModelForJobKind`]: the model cannot be used.
		/// - [`Error::UnknownStyle`]: the style is unknown or retired.
		/// - [`Error::StyleHasNoBlend`], [`Error::ZeroStrength`]: a stylize job's style cannot
		///   be painted, or its strength would change nothing.
		/// - [`Error::UnknownContentAsset`], [`Error::TooManyParents`], [`Error::NotContentOwner`],
		///   [`Error::ContentNotFinal`]: a stylize or line-art job's content is not recorded,
		///   leaves no room in the lineage, is not the caller's, or has not settled.
		/// - [`Error::StudioHalted`], [`Error::ModelSuspended`]: the circuit breaker refuses.
		/// - [`Error::EmptyPrompt`], [`Error::InvalidCandidates`], [`Error::InvalidOutputSize`],
		///   [`Error::DeadlineInPast`], [`Error::DeadlineTooSoon`], [`Error::DeadlineTooFar`]: a
		///   bad specification.
		/// - [`Error::UnknownParentAsset`], [`Error::DuplicateParentAsset`]: a bad lineage.
		/// - A balances error when the bounty cannot be paid (frozen or missing funds).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::submit_job(spec.parents.len() as u32 + spec.kind.content().is_some() as u32))]
		pub fn submit_job(
			origin: OriginFor<T>,
			spec: Box<JobSpecOf<T>>,
			bounty: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_job(who, *spec, bounty)
		}

		/// The client takes back an open job: the whole bounty is released.
		///
		/// # Errors
		/// - [`Error::UnknownJob`], [`Error::NotClient`].
		/// - [`Error::JobNotOpen`]: the job is claimed, delivered or finished.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_job())]
		pub fn cancel_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_job(who, job)
		}

		/// The caller, a registered worker, claims an open job until `ClaimTimeout` blocks
		/// from now.
		///
		/// # Errors
		/// - [`Error::NotRegistered`], [`Error::WorkerLeaving`], [`Error::BondTooLow`].
		/// - [`Error::UnknownJob`], [`Error::JobNotOpen`], [`Error::DeadlinePassed`],
		///   [`Error::ClaimWindowTooShort`].
		/// - [`Error::SelfDealing`]: the caller is the job's client.
		/// - [`Error::ClaimedBefore`]: the caller's earlier claim on the job failed.
		/// - [`Error::ModelNotInCapabilities`], [`Error::ModelNotApproved`].
		/// - [`Error::AgentHalted`], [`Error::ModelSuspended`], [`Error::SpendCapReached`]: the
		///   circuit breaker refuses.
		/// - [`Error::TooManyClaims`]: the bond allows no further claim.
		/// - [`Error::TooManyUnsettled`]: too many of its results wait to settle.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::claim_job())]
		pub fn claim_job(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim_job(who, job)
		}

		/// The claiming worker reports its output and the settings that decided it. The output
		/// is recorded in provenance and judged: delivered (the challenge window starts, and the
		/// next block draws whether it is audited) or refused (the job re-opens or is
		/// refunded, as its client chose). A reported quality below the studio's threshold is
		/// a failed claim: `ExpirySlash` of the bond is slashed and the worker is barred from
		/// the job.
		///
		/// # Errors
		/// - [`Error::UnknownJob`], [`Error::NotClaimant`], [`Error::ClaimExpired`].
		/// - [`Error::ModelNotApproved`], [`Error::ModelHashMismatch`]: not the approved weights.
		/// - [`Error::TooFewCandidates`], [`Error::EmptySettings`].
		/// - Provenance's errors for an invalid or already recorded output CID.
		///
		/// Charged up front for `MaxParents` parents, a breaker trip and a draw of verifiers;
		/// refunded down to what its path used: the job's lineage, and the trip or the draw
		/// only when they happen (a refused result pays the whole).
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::submit_result_weight(T::MaxParents::get()))]
		pub fn submit_result(
			origin: OriginFor<T>,
			job: JobId,
			report: ResultReport,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let used = Self::do_submit_result(who, job, report)?;
			Ok(Some(used).into())
		}

		/// The client accepts a delivered result at once: the job settles.
		///
		/// # Errors
		/// - [`Error::UnknownJob`], [`Error::NotClient`], [`Error::NotDelivered`].
		/// - [`Error::UnderVerification`]: its audit is drawn this block, or it is verified.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn accept_result(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_result(who, job)
		}

		/// Settles a delivered job whose challenge window is over; anyone may call it.
		///
		/// # Errors
		/// - [`Error::UnknownJob`], [`Error::NotDelivered`], [`Error::ChallengeWindowOpen`].
		/// - [`Error::UnderVerification`]: it settles with its verdict.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle_due(job)
		}

		/// Applies an expiry that is due; anyone may call it. A claim past its timeout
		/// re-opens the job (or refunds it past its deadline) and slashes the worker; an open
		/// job past its deadline is refunded.
		///
		/// # Errors
		/// - [`Error::UnknownJob`].
		/// - [`Error::NotExpired`]: neither a claim nor a deadline has expired.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::expire())]
		pub fn expire(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_expire_due(job)
		}

		/// A registered worker adds `amount` to its bond (held like the rest), e.g. to get back
		/// above `WorkerMinBond` after a slash or a raise of the minimum, or to hold more
		/// claims at once.
		///
		/// # Errors
		/// - [`Error::NotRegistered`]: the caller is not a worker.
		/// - [`Error::WorkerLeaving`]: it unregistered.
		/// - A balances error when the amount cannot be held.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(who, amount)
		}

		/// A registered worker publishes `address`, where its IPFS node can be dialled (a
		/// multiaddr in text ending in `/p2p/<peer id>`), replacing the one it published
		/// before. Workers dial each other's addresses to fetch the studio's content by CID;
		/// the address goes when the worker withdraws its bond or is retired.
		///
		/// # Errors
		/// - [`Error::NotRegistered`]: the caller is not a worker.
		/// - [`Error::InvalidContentAddress`]: `address` is not a multiaddr naming a peer.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_content_address())]
		pub fn set_content_address(origin: OriginFor<T>, address: ContentAddress) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_content_address(who, address)
		}

		/// Challenges a delivered result within its challenge window (or while its audit runs):
		/// the caller (its client, or anyone) puts the studio's `ChallengeDeposit` into escrow,
		/// and verifiers are drawn in the next block. The deposit comes back with a reward when
		/// the result falls; it goes to the verifiers and the treasury when the result stands.
		///
		/// # Errors
		/// - [`Error::UnknownJob`], [`Error::NotDelivered`].
		/// - [`Error::ChallengeWindowClosed`]: the window is over.
		/// - [`Error::AlreadyChallenged`]: someone challenged it first.
		/// - A balances error when the deposit cannot be paid.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::challenge().saturating_add(T::WeightInfo::draw_verifiers(T::MaxWorkersPerModel::get())))]
		pub fn challenge(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_challenge(who, job)
		}

		/// A drawn verifier commits to its finding on `job`'s result: `commitment` is the
		/// blake2-256 of the SCALE encoding of `(job, verifier, finding, salt)`, the salt 32
		/// random bytes it keeps until it reveals.
		///
		/// # Errors
		/// - [`Error::NotUnderVerification`], [`Error::NotVerifier`].
		/// - [`Error::CommitPeriodOver`], [`Error::AlreadyCommitted`].
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::commit_finding())]
		pub fn commit_finding(origin: OriginFor<T>, job: JobId, commitment: [u8; 32]) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_commit_finding(who, job, commitment)
		}

		/// A verifier reveals the finding it committed to. The last reveal of the committed
		/// verifiers (once commits are closed) decides the verdict at once.
		///
		/// # Errors
		/// - [`Error::NotUnderVerification`], [`Error::NotVerifier`].
		/// - [`Error::RevealNotOpen`]: a verifier has yet to commit and the commit period runs.
		/// - [`Error::RevealPeriodOver`], [`Error::NotCommitted`], [`Error::AlreadyRevealed`].
		/// - [`Error::CommitmentMismatch`]: not what it committed to.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::reveal_finding().saturating_add(T::WeightInfo::conclude(T::MaxVerifiers::get())))]
		pub fn reveal_finding(
			origin: OriginFor<T>,
			job: JobId,
			finding: Finding,
			salt: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reveal_finding(who, job, finding, salt)
		}

		/// The claimant gives a claim back within `ReleaseGrace` blocks of claiming it, without
		/// a slash: for a job it cannot run, above all a restyle job whose content is missing,
		/// corrupt or not an image the studio takes. It may not claim the job again; the job
		/// re-opens at once (or is refunded past its deadline). Past the grace a claim can only
		/// be delivered or expire (with its slash), so holding a claim and then releasing it
		/// squats nothing.
		///
		/// # Errors
		/// - [`Error::UnknownJob`].
		/// - [`Error::NotClaimant`]: the job is not claimed by the caller.
		/// - [`Error::ReleaseGraceOver`]: more than `ReleaseGrace` blocks since the claim.
		#[pallet::call_index(15)]
		#[pallet::weight(T::WeightInfo::expire())]
		pub fn release_claim(origin: OriginFor<T>, job: JobId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_release_claim(who, job)
		}

		/// The claimant of a curated job delivers its finalists (its best first). Each is
		/// recorded in provenance as a candidate of the job and judged by the circuit breaker
		/// like a result: a finalist that trips it quarantines the job with that finalist as
		/// its output (the curation does not run; its reward goes back to the client with the
		/// job). Otherwise the curation opens for the job's curation period, its reward moving
		/// to the curation's account, and its choice is delivered when it closes. A finalist
		/// reporting a quality below the studio's threshold fails the claim, as in
		/// `submit_result`.
		///
		/// # Errors
		/// - [`Error::UnknownJob`], [`Error::NotClaimant`], [`Error::ClaimExpired`].
		/// - [`Error::NotCurated`]: the job wants one result.
		/// - [`Error::WrongFinalistCount`], [`Error::DuplicateFinalist`],
		///   [`Error::WrongStyleVectorLength`], [`Error::EmptySettings`].
		/// - [`Error::ModelNotApproved`], [`Error::ModelHashMismatch`], [`Error::TooFewCandidates`].
		/// - Provenance's errors for an invalid or already recorded output CID.
		#[pallet::call_index(16)]
		#[pallet::weight(
			T::WeightInfo::submit_result(T::MaxParents::get())
				.saturating_mul(T::MaxFinalists::get().into())
				.saturating_add(T::WeightInfo::release_claims(T::MaxClaimsPerWorker::get()))
				.saturating_add(T::Curation::open_weight())
		)]
		pub fn submit_finalists(
			origin: OriginFor<T>,
			job: JobId,
			report: Box<FinalistsReportOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_submit_finalists(who, job, *report)
		}
	}
}
