//! The records of studio governance: parameters and their bounds, tracks, proposals, votes and
//! the registries' entries.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, EqNoBound, PartialEqNoBound, DebugNoBound,
};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::H256;
use sp_runtime::Perbill;
use studio_primitives::{ModelId, ModelKind, Sha256, StyleBlend, StyleId};

/// Identifies a proposal.
pub type ProposalId = u32;

/// A parts-per-million fraction, the unit of the Permill-valued parameters.
pub const PERMILL_ONE: u128 = 1_000_000;

/// The studio's parameters that token holders set.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum StudioParameter {
	/// Permill: an agent's style-deviation average above this trips its breaker.
	MaxStyleDeviation,
	/// Permill: a single result above this deviation trips the breaker at once.
	HardStyleLimit,
	/// Permill: weight of the newest result in the moving average of style deviation.
	StyleEmaWeight,
	/// Balance: the smallest bounty a job may offer.
	MinBounty,
	/// Balance: the smallest bond a worker must hold.
	WorkerMinBond,
	/// Permill: the studio's cut of every settled bounty.
	StudioFee,
	/// Blocks a worker has to deliver a claimed job.
	ClaimTimeout,
	/// Blocks a client has to challenge a delivered result.
	ChallengeWindow,
	/// Blocks a job may stay open before its bounty is refunded.
	JobMaxLifetime,
	/// Balance: the most the studio pays out per epoch.
	EpochSpendCap,
	/// Permill: the lowest quality a result may report.
	QualityThreshold,
	/// Count: reviewers who must agree to decide an incident.
	ReviewQuorum,
	/// Permill: the chance that a delivered result is audited by re-execution.
	AuditProbability,
	/// Balance: what a challenger puts into escrow to challenge a result.
	ChallengeDeposit,
	/// Count: workers drawn to verify an audited or challenged result.
	VerifierCount,
	/// Permill: the most a verifier's re-measured deviation or quality may differ from the
	/// reported one.
	ScoreTolerance,
	/// Count: the lowest PSNR, in hundredths of a decibel, at which a re-generation reproduces
	/// the delivered image.
	ReproductionFloor,
	/// Permill: a curated job's curation reward, as a share of its bounty (paid on top).
	CurationReward,
	/// Permill: how far a winning pick moves a curator's reputation towards its maximum.
	ReputationGain,
	/// Permill: the share of a curator's reputation a losing pick costs.
	ReputationLoss,
	/// Blocks in which an unused curator reputation halves.
	ReputationHalfLife,
	/// Permill: how far one closed curation moves its style's preference direction.
	PreferenceRate,
	/// Permill: how much workers weigh a candidate's progress along its style's preference
	/// direction against its style deviation.
	PreferenceWeight,
}

/// The unit a parameter's raw `u128` value is in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParameterUnit {
	/// Parts per million; at most [`PERMILL_ONE`].
	Permill,
	/// The smallest unit of the chain's token.
	Balance,
	/// A number of blocks.
	Blocks,
	/// A plain count.
	Count,
}

/// Which change of a parameter makes the studio safer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SaferDirection {
	/// Lowering the value is tightening; raising it is loosening.
	Lower,
	/// Raising the value is tightening; lowering it is loosening.
	Higher,
	/// Neither: every change is treated as loosening and goes the slow track.
	Neither,
}

impl StudioParameter {
	/// Every parameter, once.
	pub const ALL: [StudioParameter; 23] = [
		Self::MaxStyleDeviation,
		Self::HardStyleLimit,
		Self::StyleEmaWeight,
		Self::MinBounty,
		Self::WorkerMinBond,
		Self::StudioFee,
		Self::ClaimTimeout,
		Self::ChallengeWindow,
		Self::JobMaxLifetime,
		Self::EpochSpendCap,
		Self::QualityThreshold,
		Self::ReviewQuorum,
		Self::AuditProbability,
		Self::ChallengeDeposit,
		Self::VerifierCount,
		Self::ScoreTolerance,
		Self::ReproductionFloor,
		Self::CurationReward,
		Self::ReputationGain,
		Self::ReputationLoss,
		Self::ReputationHalfLife,
		Self::PreferenceRate,
		Self::PreferenceWeight,
	];

	/// The unit of the parameter's value.
	pub fn unit(self) -> ParameterUnit {
		use StudioParameter::*;
		match self {
			MaxStyleDeviation | HardStyleLimit | StyleEmaWeight | StudioFee | QualityThreshold |
			AuditProbability | ScoreTolerance | CurationReward | ReputationGain | ReputationLoss |
			PreferenceRate | PreferenceWeight => ParameterUnit::Permill,
			MinBounty | WorkerMinBond | EpochSpendCap | ChallengeDeposit => ParameterUnit::Balance,
			ClaimTimeout | ChallengeWindow | JobMaxLifetime | ReputationHalfLife => ParameterUnit::Blocks,
			ReviewQuorum | VerifierCount | ReproductionFloor => ParameterUnit::Count,
		}
	}

	/// Which way of changing the parameter makes the studio safer.
	///
	/// Lower deviation limits and spend cap stop drifting or spending agents sooner; a heavier
	/// EMA weight reacts to drift sooner; a higher bond, challenge window, quality threshold and
	/// review quorum demand more before money moves or an agent resumes; more audits and more
	/// verifiers check more. Bounty size, fee, claim timeout and job lifetime are business
	/// settings with no safer side; so are the challenge deposit and the tolerances, which
	/// trade missed lies against honest workers slashed for noise. The curation parameters
	/// shape taste and its rewards, not safety.
	pub fn safer_direction(self) -> SaferDirection {
		use StudioParameter::*;
		match self {
			MaxStyleDeviation | HardStyleLimit | EpochSpendCap => SaferDirection::Lower,
			StyleEmaWeight | WorkerMinBond | ChallengeWindow | QualityThreshold | ReviewQuorum |
			AuditProbability | VerifierCount => SaferDirection::Higher,
			MinBounty | StudioFee | ClaimTimeout | JobMaxLifetime | ChallengeDeposit |
			ScoreTolerance | ReproductionFloor | CurationReward | ReputationGain | ReputationLoss |
			ReputationHalfLife | PreferenceRate | PreferenceWeight => SaferDirection::Neither,
		}
	}

	/// Whether changing the parameter from `current` to `new` makes the studio safer.
	pub fn is_tightening(self, current: u128, new: u128) -> bool {
		match self.safer_direction() {
			SaferDirection::Lower => new < current,
			SaferDirection::Higher => new > current,
			SaferDirection::Neither => false,
		}
	}
}

/// The hard bounds of a parameter, fixed at genesis: nothing sets a value outside
/// `min..=max`, and one enactment moves it by at most `max_step`.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub struct ParameterBounds {
	/// The smallest value the parameter may take.
	pub min: u128,
	/// The largest value the parameter may take.
	pub max: u128,
	/// The largest change of one enactment.
	pub max_step: u128,
}

/// Why a parameter value is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BoundsViolation {
	/// The value is below `min` or above `max`.
	OutOfBounds,
	/// The value is further than `max_step` from the current one.
	StepTooLarge,
}

impl ParameterBounds {
	/// Checks a change of the parameter from `current` to `new`.
	pub fn check(&self, current: u128, new: u128) -> Result<(), BoundsViolation> {
		if new < self.min || new > self.max {
			return Err(BoundsViolation::OutOfBounds);
		}
		if current.abs_diff(new) > self.max_step {
			return Err(BoundsViolation::StepTooLarge);
		}
		Ok(())
	}

	/// Whether changing `parameter` from `current` to `new` goes on the fast track: it
	/// tightens the studio by at most half the largest step, so no single fast vote takes a
	/// parameter to an extreme.
	pub fn fast_track(&self, parameter: StudioParameter, current: u128, new: u128) -> bool {
		parameter.is_tightening(current, new) && current.abs_diff(new) <= self.max_step / 2
	}
}

/// How fast a class of proposals is decided.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub enum Track {
	/// Tightening: short period, simple majority, no enactment delay.
	Fast,
	/// Loosening: longer period, supermajority, higher quorum, enactment delay.
	Slow,
}

/// The rules of a track.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	PartialEq,
	Eq,
	Debug,
	Serialize,
	Deserialize,
)]
pub struct TrackInfo<BlockNumber> {
	/// Blocks from proposal to the end of voting.
	pub voting_period: BlockNumber,
	/// Share of the total issuance that must vote (ayes and nays) for the proposal to count.
	pub min_turnout: Perbill,
	/// Share of the votes cast that must be ayes for the proposal to pass.
	pub min_approval: Perbill,
	/// Blocks from passing to enactment.
	pub enactment_delay: BlockNumber,
}

/// Ayes and nays of a proposal, in voted tokens.
#[derive(
	Clone,
	Copy,
	Default,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	PartialEq,
	Eq,
	Debug,
)]
pub struct Tally<Balance> {
	/// Tokens voting for.
	pub ayes: Balance,
	/// Tokens voting against.
	pub nays: Balance,
}

/// What a proposal does when it passes.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxNameLength, MaxStyleDimensions, MaxReviewers))]
#[codec(mel_bound(AccountId: MaxEncodedLen))]
pub enum GovernanceAction<AccountId, MaxNameLength, MaxStyleDimensions, MaxReviewers>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLength: Get<u32>,
	MaxStyleDimensions: Get<u32>,
	MaxReviewers: Get<u32>,
{
	/// Set a studio parameter to `value` (in the parameter's unit).
	SetParameter {
		/// The parameter.
		parameter: StudioParameter,
		/// Its new value.
		value: u128,
	},
	/// Add a style with its reference vector (and, for a stylize style, its basis blend).
	AddStyle {
		/// A human name, e.g. "impressionist eyes".
		name: BoundedVec<u8, MaxNameLength>,
		/// The style critic's embedding of the style's exemplars, in units of
		/// `studio_primitives::STYLE_VECTOR_SCALE`.
		reference: BoundedVec<i32, MaxStyleDimensions>,
		/// The blend of the style-transfer network's basis styles that paints the style; empty
		/// for a style generators keep to. Changing a blend is adding the re-weighted style and
		/// retiring the old one.
		blend: StyleBlend,
	},
	/// Retire a style: no new jobs may use it.
	RetireStyle {
		/// The style.
		style: StyleId,
	},
	/// Approve a model (identified by the sha2-256 of its weights file) for use.
	ApproveModel {
		/// A human name, e.g. "omniart-eye-generator".
		name: BoundedVec<u8, MaxNameLength>,
		/// What the model does.
		kind: ModelKind,
		/// sha2-256 of the weights file.
		weights_hash: Sha256,
		/// The model's version.
		version: u32,
	},
	/// Retire a model: no new jobs or claims may use it.
	RetireModel {
		/// The model.
		model: ModelId,
	},
	/// Replace the reviewer council.
	SetReviewers {
		/// The new council.
		reviewers: BoundedVec<AccountId, MaxReviewers>,
	},
	/// Add a validator from the next session change on: it must have registered its session
	/// keys (`Session::set_keys`).
	AddValidator {
		/// The validator's account (the owner of its session keys).
		validator: AccountId,
	},
	/// Remove a validator (offline or misbehaving) from the next session change on.
	RemoveValidator {
		/// The validator's account.
		validator: AccountId,
	},
	/// Authorize a runtime upgrade: once enacted, anyone may apply the runtime whose code
	/// hashes to `code_hash` (`System::apply_authorized_upgrade`, free when it succeeds),
	/// provided it keeps the chain's spec name and raises its spec version. A later
	/// authorization replaces an earlier one not yet applied.
	AuthorizeUpgrade {
		/// The blake2-256 hash of the runtime's wasm, as it will be submitted (compressed or
		/// not).
		code_hash: H256,
	},
	/// Forget what curations taught a style: its preference direction, which workers follow
	/// among on-style candidates, is zero again.
	ResetPreference {
		/// The style.
		style: StyleId,
	},
}

/// A proposal while it is being voted on.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct Proposal<AccountId, Balance, BlockNumber, Action> {
	/// Who proposed it and holds its deposit.
	pub proposer: AccountId,
	/// The deposit held from the proposer until the proposal closes.
	pub deposit: Balance,
	/// What it does when it passes.
	pub action: Action,
	/// The track it runs on, fixed when proposed.
	pub track: Track,
	/// The last block in which votes count.
	pub voting_ends: BlockNumber,
	/// Votes so far.
	pub tally: Tally<Balance>,
}

/// One account's vote on one proposal.
#[derive(Clone, Copy, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct AccountVote<Balance> {
	/// For (`true`) or against.
	pub aye: bool,
	/// Tokens the vote weighs, frozen while any vote of the account needs them.
	pub amount: Balance,
}

/// Whether a registry entry may be used.
#[derive(
	Clone,
	Copy,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	PartialEq,
	Eq,
	Debug,
)]
pub enum EntryStatus {
	/// In use.
	Active,
	/// Retired by vote; kept for provenance records that refer to it.
	Retired,
}

/// A style in the registry.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxNameLength, MaxStyleDimensions))]
pub struct StyleInfo<MaxNameLength: Get<u32>, MaxStyleDimensions: Get<u32>> {
	/// A human name.
	pub name: BoundedVec<u8, MaxNameLength>,
	/// The reference style vector (units of `studio_primitives::STYLE_VECTOR_SCALE`).
	pub reference: BoundedVec<i32, MaxStyleDimensions>,
	/// The basis blend a stylize job paints with; empty for a style generators keep to.
	pub blend: StyleBlend,
	/// Active or retired.
	pub status: EntryStatus,
}

/// A model in the registry.
#[derive(CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, MaxEncodedLen, TypeInfo)]
#[scale_info(skip_type_params(MaxNameLength))]
pub struct ModelInfo<MaxNameLength: Get<u32>> {
	/// A human name.
	pub name: BoundedVec<u8, MaxNameLength>,
	/// What the model does.
	pub kind: ModelKind,
	/// sha2-256 of the weights file.
	pub weights_hash: Sha256,
	/// The model's version.
	pub version: u32,
	/// Approved (active) or retired.
	pub status: EntryStatus,
}
