//! The studio's business and memory: the job escrow, provenance and curation.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use sp_runtime::Permill;

use crate::{
	configs::StudioTreasuryAccount, Balance, BlockNumber, Balances, Runtime, RuntimeEvent,
	RuntimeHoldReason, StudioGovernance, Timestamp, DAYS, UNIT,
};

parameter_types! {
	/// A worker's bond stays held this long after it unregisters: longer than the reviewers'
	/// review period, so an agent halted just before it left is still there to be retired.
	pub const UnbondingDelay: BlockNumber = DAYS + DAYS / 2;
	/// The share of a worker's bond lost when its claim fails (expires, or delivers below the
	/// quality bar).
	pub const ExpirySlash: Permill = Permill::from_percent(5);
	/// The escrow's own account, which keeps live jobs' bounties, derives from this.
	pub const JobEscrowPalletId: PalletId = PalletId(*b"stu/escr");
	/// A payout or refund that could not be made is tried again a minute later.
	pub const PayoutRetryDelay: BlockNumber = 20;
	/// Held from whoever registers an external asset while the registration stands; burned
	/// when a studio output with the same CID takes its place.
	pub const ExternalAssetDeposit: Balance = UNIT;
	/// A finished job's record is kept for a week (its output's provenance record for good).
	pub const JobRetention: BlockNumber = 7 * DAYS;
	/// Half the bond of a worker whose result fails verification: with the default 10 %
	/// audits, a lie costs more than it pays (`docs/verification.md`, "Cheating does not pay").
	pub const MisreportSlash: Permill = Permill::from_percent(50);
	/// A verifier that does not reveal its finding in time loses 2 % of its bond.
	pub const AbsentSlash: Permill = Permill::from_percent(2);
	/// Verifiers on the verdict's side share half a fallen result's slash, and half a lost
	/// challenge deposit (with the job's studio fee).
	pub const VerifiersShare: Permill = Permill::from_percent(50);
	/// A challenger whose challenge holds gets a quarter of the slash besides its deposit.
	pub const ChallengerShare: Permill = Permill::from_percent(25);
	/// A minute to commit a finding: fetching, re-scoring and re-generating take seconds.
	pub const VerifyCommitPeriod: BlockNumber = 20;
	/// Half a minute to reveal it.
	pub const VerifyRevealPeriod: BlockNumber = 10;
	/// The curation's account, which keeps running curations' rewards, derives from this.
	pub const CurationPalletId: PalletId = PalletId(*b"stu/cura");
	/// A stake is at least a tenth of a token: staker slots are not for dust.
	pub const MinCurationStake: Balance = UNIT / 10;
	/// A preference direction is at most half as long as its style's reference: it leans the
	/// style, it never replaces it.
	pub const MaxPreferenceShare: Permill = Permill::from_percent(50);
}

/// The most finalists a curated job asks for: eight images fit side by side on a board.
pub type MaxFinalists = ConstU32<8>;
/// The style vectors' length (as governance bounds a style's reference).
pub type MaxStyleDimensions = ConstU32<68>;

impl pallet_curation::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Params = StudioGovernance;
	type Styles = StudioGovernance;
	type Jobs = crate::JobEscrow;
	type PalletId = CurationPalletId;
	type MinStake = MinCurationStake;
	type MaxFinalists = MaxFinalists;
	/// 128 stakes: a close pays, releases and rates them in about a tenth of a block.
	type MaxStakers = ConstU32<128>;
	type MaxStyleDimensions = MaxStyleDimensions;
	/// A proven curator's stake weighs at most 3× its amount.
	type MaxReputation = ConstU32<2_000_000>;
	type MaxPreferenceShare = MaxPreferenceShare;
	type WeightInfo = pallet_curation::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = RegistryThroughGovernance;
}

impl pallet_provenance::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Clock = Timestamp;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ExternalDeposit = ExternalAssetDeposit;
	type MaxParents = ConstU32<8>;
	type MaxLineage = ConstU32<64>;
	type MaxDerivatives = ConstU32<64>;
	type WeightInfo = pallet_provenance::weights::SubstrateWeight<Runtime>;
}

impl pallet_job_escrow::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Params = StudioGovernance;
	type Models = StudioGovernance;
	type Styles = StudioGovernance;
	type Gate = crate::CircuitBreaker;
	type Assets = crate::Provenance;
	type Curation = crate::Curation;
	type Treasury = StudioTreasuryAccount;
	type PalletId = JobEscrowPalletId;
	type RetryDelay = PayoutRetryDelay;
	type JobRetention = JobRetention;
	/// Eight claims' worth of results in each of eight challenge windows.
	type MaxUnsettledPerWorker = ConstU32<64>;
	type UnbondingDelay = UnbondingDelay;
	type ExpirySlash = ExpirySlash;
	// 30 s: time to fetch and check a restyle job's content.
	type ReleaseGrace = ConstU32<10>;
	type MisreportSlash = MisreportSlash;
	type AbsentSlash = AbsentSlash;
	type VerifiersShare = VerifiersShare;
	type ChallengerShare = ChallengerShare;
	type CommitPeriod = VerifyCommitPeriod;
	type RevealPeriod = VerifyRevealPeriod;
	/// The governed `VerifierCount` may go up to its bound, 5.
	type MaxVerifiers = ConstU32<5>;
	/// Bounds the verifiers' draw to about 8 ms of weight.
	type MaxWorkersPerModel = ConstU32<128>;
	type MaxPromptLength = ConstU32<1024>;
	/// As many as provenance records for an asset.
	type MaxParents = ConstU32<8>;
	type MaxCapabilities = ConstU32<16>;
	type MaxClaimsPerWorker = ConstU32<8>;
	type MaxCandidates = ConstU32<256>;
	type MaxImageSide = ConstU32<1024>;
	type MaxFinalists = MaxFinalists;
	/// A day at most: token holders get time to look, and the bounty is not held for weeks.
	type MaxCurationPeriod = ConstU32<{ DAYS }>;
	type MaxStyleDimensions = MaxStyleDimensions;
	type WeightInfo = pallet_job_escrow::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = RegistryThroughGovernance;
}

#[cfg(feature = "runtime-benchmarks")]
pub use benchmark_helper::RegistryThroughGovernance;

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use crate::{AccountId, Provenance, Runtime, RuntimeOrigin, StudioGovernance};
	use alloc::boxed::Box;
	use pallet_studio_governance::{ApprovedModelByHash, GovernanceAction, NextStyleId};
	use studio_primitives::{CidBytes, ModelId, ModelKind, Sha256, StyleId};

	/// Puts a generator, a style and a reviewer council into the registries the way root
	/// would.
	pub struct RegistryThroughGovernance;

	/// Adds an active style with this reference, the way root would.
	fn add_style(reference: alloc::vec::Vec<i32>) -> StyleId {
		let action = GovernanceAction::AddStyle {
			name: b"benchmark style".to_vec().try_into().expect("short name"),
			reference: reference.try_into().expect("at most MaxStyleDimensions components"),
			blend: Default::default(),
		};
		StudioGovernance::force_enact(RuntimeOrigin::root(), Box::new(action))
			.expect("a new style is added");
		NextStyleId::<Runtime>::get() - 1
	}

	impl pallet_job_escrow::BenchmarkHelper<AccountId> for RegistryThroughGovernance {
		fn approved_generator() -> (ModelId, Sha256) {
			let weights_hash = [0xbe; 32];
			if let Some(model) = ApprovedModelByHash::<Runtime>::get(weights_hash) {
				return (model, weights_hash)
			}
			let action = GovernanceAction::ApproveModel {
				name: b"benchmark generator".to_vec().try_into().expect("short name"),
				kind: ModelKind::Generator,
				weights_hash,
				version: 1,
			};
			StudioGovernance::force_enact(RuntimeOrigin::root(), Box::new(action))
				.expect("a new model is approved");
			(ApprovedModelByHash::<Runtime>::get(weights_hash).expect("just approved"), weights_hash)
		}

		fn active_style() -> StyleId {
			add_style(alloc::vec![0; 64])
		}

		fn record_asset(owner: AccountId, cid: CidBytes) {
			Provenance::register_external(RuntimeOrigin::signed(owner), cid, Default::default())
				.expect("a fresh CID registers");
		}
	}

	impl pallet_curation::BenchmarkHelper for RegistryThroughGovernance {
		fn add_style(reference: alloc::vec::Vec<i32>) -> StyleId {
			add_style(reference)
		}
	}

	impl pallet_circuit_breaker::BenchmarkHelper<AccountId> for RegistryThroughGovernance {
		fn set_reviewers(reviewers: alloc::vec::Vec<AccountId>) {
			let action = GovernanceAction::SetReviewers {
				reviewers: reviewers.try_into().expect("at most MaxReviewers"),
			};
			StudioGovernance::force_enact(RuntimeOrigin::root(), Box::new(action))
				.expect("a council as large as the quorum");
		}
		fn occupy(agent: &AccountId) {
			pallet_job_escrow::occupied_worker::<Runtime>(agent);
		}
	}
}
