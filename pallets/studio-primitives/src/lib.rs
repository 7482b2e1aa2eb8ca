//! # Studio primitives
//!
//! What the studio's pallets share: the ids of styles and models, the kinds of models, and the
//! traits through which the job escrow and the circuit breaker read what token holders decided
//! in governance ([`StudioParams`], [`StyleRegistry`], [`ModelRegistry`], [`ReviewerSet`]), and
//! the validator set governance changes ([`ValidatorSet`]).
//! Consumers depend on these traits, never on the governance pallet's storage.
//!
//! It also holds the traits between the job escrow and its neighbours: [`AgentGate`] (the
//! escrow asks the circuit breaker whether an agent may work and what a result's verdict is)
//! and [`AssetLedger`] (the escrow records outputs in provenance). They live here rather than
//! in the escrow because the breaker and provenance also need to call back into the escrow:
//! declaring both directions in one neutral crate keeps the pallets free of each other.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{traits::ConstU32, BoundedVec, DispatchResult, Permill, Weight};

/// Identifies a style in the style registry.
pub type StyleId = u32;
/// Identifies a model in the model registry.
pub type ModelId = u32;
/// A sha2-256 digest (of a model's weights file, a prompt, inference settings …).
pub type Sha256 = [u8; 32];
/// Identifies a design job in the escrow.
pub type JobId = u64;
/// Identifies an incident of the circuit breaker.
pub type IncidentId = u32;

/// The longest content identifier, in bytes. A CIDv1 with a sha2-256 multihash takes 36.
pub const MAX_CID_BYTES: u32 = 64;
/// A content identifier (an IPFS CIDv1) in binary form. Whether the bytes are a valid CID is
/// for the provenance pallet to decide.
pub type CidBytes = BoundedVec<u8, ConstU32<MAX_CID_BYTES>>;

/// Components of a style vector are fixed-point numbers with this many units per 1.0.
pub const STYLE_VECTOR_SCALE: i32 = 1_000_000;

/// What a model does in the studio's pipeline.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub enum ModelKind {
	/// Makes images (a GAN generator).
	Generator,
	/// Embeds images to measure their style (the style critic).
	StyleScorer,
	/// Embeds text (the semantic agent that reads prompts).
	TextEmbedder,
	/// Repaints a client's image in a blend of its basis styles (style transfer).
	StyleTransfer,
	/// Turns a client's photo or sketch into line art (an edge detector).
	LineArt,
}

/// The basis styles of the studio's style-transfer network (`multistyle26`): a stylize style
/// is a blend of them.
pub const BASIS_STYLES: u8 = 26;
/// The most basis styles one style may blend.
pub const MAX_BLEND_TERMS: u32 = 8;

/// One basis style of a blend and its share.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct BasisWeight {
	/// The basis style's index, below [`BASIS_STYLES`].
	pub basis: u8,
	/// Its share of the blend.
	pub weight: Permill,
}

/// A stylize style's blend over the basis styles: distinct indices, positive shares that sum
/// to exactly one. Empty for the styles generators keep to.
pub type StyleBlend = BoundedVec<BasisWeight, ConstU32<MAX_BLEND_TERMS>>;

/// Why a blend is not a valid one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BlendError {
	/// An index is not below [`BASIS_STYLES`].
	BasisOutOfRange,
	/// A basis style appears twice.
	DuplicateBasis,
	/// A share is zero, or the shares do not sum to one.
	NotNormalized,
}

/// Checks a non-empty blend: indices below [`BASIS_STYLES`] and distinct, shares positive and
/// summing to exactly one (1 000 000 parts per million).
pub fn check_blend(blend: &[BasisWeight]) -> Result<(), BlendError> {
	let mut total = 0u64;
	for (index, term) in blend.iter().enumerate() {
		if term.basis >= BASIS_STYLES {
			return Err(BlendError::BasisOutOfRange)
		}
		if blend[..index].iter().any(|earlier| earlier.basis == term.basis) {
			return Err(BlendError::DuplicateBasis)
		}
		if term.weight.deconstruct() == 0 {
			return Err(BlendError::NotNormalized)
		}
		total += term.weight.deconstruct() as u64;
	}
	if total != Permill::one().deconstruct() as u64 {
		return Err(BlendError::NotNormalized)
	}
	Ok(())
}

/// What a consumer needs to know of an approved model.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ApprovedModel {
	/// What the model does.
	pub kind: ModelKind,
	/// sha2-256 of the model's weights file: a worker's result must name exactly this.
	pub weights_hash: Sha256,
	/// The model's version, as registered.
	pub version: u32,
}

/// The studio's creative and risk parameters, as token holders set them.
pub trait StudioParams<Balance, BlockNumber> {
	/// An agent's style-deviation average above this trips its circuit breaker.
	fn max_style_deviation() -> Permill;
	/// A single result above this deviation trips the breaker at once.
	fn hard_style_limit() -> Permill;
	/// Weight of the newest result in the moving average of style deviation.
	fn style_ema_weight() -> Permill;
	/// The smallest bounty a job may offer.
	fn min_bounty() -> Balance;
	/// The smallest bond a worker must hold to take jobs.
	fn worker_min_bond() -> Balance;
	/// The studio's cut of every settled bounty, paid to the treasury.
	fn studio_fee() -> Permill;
	/// Blocks a worker has to deliver a claimed job.
	fn claim_timeout() -> BlockNumber;
	/// Blocks between a result's delivery and its settlement, within which it may be
	/// challenged.
	fn challenge_window() -> BlockNumber;
	/// The longest a job may stay open before its bounty is refunded.
	fn job_max_lifetime() -> BlockNumber;
	/// The most one agent may be paid in one epoch: claims that would pass it are refused.
	fn epoch_spend_cap() -> Balance;
	/// The lowest quality score a result may report.
	fn quality_threshold() -> Permill;
	/// How many reviewers must agree to decide an incident.
	fn review_quorum() -> u32;
	/// The chance that a delivered result is audited by re-execution.
	fn audit_probability() -> Permill;
	/// What a challenger puts into escrow: lost when the result stands, returned (with a
	/// reward) when it falls.
	fn challenge_deposit() -> Balance;
	/// How many workers verify an audited or challenged result.
	fn verifier_count() -> u32;
	/// The most a verifier's re-measured deviation or quality may differ from the reported one
	/// for the result to stand.
	fn score_tolerance() -> Permill;
	/// The lowest PSNR, in hundredths of a decibel, at which re-generating the winning
	/// candidate reproduces the delivered image.
	fn reproduction_floor() -> u32;
	/// The curation reward of a curated job, as a share of its bounty paid by the client on
	/// top of it.
	fn curation_reward() -> Permill;
	/// How far a winning pick moves a curator's reputation towards its maximum.
	fn reputation_gain() -> Permill;
	/// The share of a curator's reputation a losing pick costs.
	fn reputation_loss() -> Permill;
	/// Blocks in which an unused reputation halves.
	fn reputation_half_life() -> BlockNumber;
	/// How far one closed curation moves its style's preference direction (times the
	/// winner's weighted-stake margin).
	fn preference_rate() -> Permill;
	/// How much workers weigh a candidate's progress along its style's preference direction
	/// against its style deviation.
	fn preference_weight() -> Permill;
}

/// The styles token holders curate.
pub trait StyleRegistry {
	/// The reference vector of an active style (components in units of
	/// [`STYLE_VECTOR_SCALE`]), or `None` if the style is unknown or retired.
	fn active_style(style: StyleId) -> Option<Vec<i32>>;
	/// The basis blend of an active stylize style; `None` if the style is unknown, retired or
	/// has no blend (a style generators keep to).
	fn stylize_blend(style: StyleId) -> Option<Vec<BasisWeight>>;
}

/// The models token holders curate.
pub trait ModelRegistry {
	/// The model if it is approved, `None` if it is unknown or retired.
	fn approved_model(model: ModelId) -> Option<ApprovedModel>;
}

/// The human reviewers token holders chose.
pub trait ReviewerSet<AccountId> {
	/// Whether `who` is a reviewer.
	fn is_reviewer(who: &AccountId) -> bool;
	/// How many reviewers there are.
	fn reviewer_count() -> u32;
}

/// Why the validator set refuses a change.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValidatorSetRefusal {
	/// The account already validates (or is queued to).
	AlreadyValidator,
	/// The account is not in the set.
	NotValidator,
	/// The account has registered no session keys (`Session::set_keys`): it could not author.
	NoSessionKeys,
	/// The set is at its largest.
	TooManyValidators,
	/// The set would fall below its smallest.
	TooFewValidators,
}

/// The validator set as governance changes it: additions and removals by vote, applied at the
/// next session change. Checked when proposed and again when enacted.
pub trait ValidatorSet<AccountId> {
	/// Whether `who` may be added now.
	fn check_add(who: &AccountId) -> Result<(), ValidatorSetRefusal>;
	/// Adds `who` from the next session on, after [`Self::check_add`].
	fn add(who: AccountId) -> Result<(), ValidatorSetRefusal>;
	/// Whether `who` may be removed now.
	fn check_remove(who: &AccountId) -> Result<(), ValidatorSetRefusal>;
	/// Removes `who` from the next session on, after [`Self::check_remove`].
	fn remove(who: &AccountId) -> Result<(), ValidatorSetRefusal>;
}

/// No validator set to change (test runtimes whose stories need none): every change is
/// refused.
impl<AccountId> ValidatorSet<AccountId> for () {
	fn check_add(_: &AccountId) -> Result<(), ValidatorSetRefusal> {
		Err(ValidatorSetRefusal::NoSessionKeys)
	}
	fn add(_: AccountId) -> Result<(), ValidatorSetRefusal> {
		Err(ValidatorSetRefusal::NoSessionKeys)
	}
	fn check_remove(_: &AccountId) -> Result<(), ValidatorSetRefusal> {
		Err(ValidatorSetRefusal::NotValidator)
	}
	fn remove(_: &AccountId) -> Result<(), ValidatorSetRefusal> {
		Err(ValidatorSetRefusal::NotValidator)
	}
}

/// Why the circuit breaker refuses work.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GateRefusal {
	/// The whole studio is halted: no new jobs.
	StudioHalted,
	/// The model is suspended: no new jobs or claims on it.
	ModelSuspended,
	/// The agent is halted: no new claims.
	AgentHalted,
	/// The agent's payouts this epoch plus the job's bounty would pass the per-agent
	/// `EpochSpendCap`.
	SpendCapReached,
}

/// The circuit breaker's decision on a delivered result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
	/// The result stands: it goes into its challenge window and then settles.
	Accept,
	/// The result is refused (its model is suspended): the job re-opens or is refunded, as its
	/// client chose.
	Reject,
	/// The result tripped the breaker: it waits, unsettled, for the reviewers to decide the
	/// incident.
	Quarantine(IncidentId),
}

/// What the job escrow asks the circuit breaker, and tells it.
pub trait AgentGate<AccountId, Balance> {
	/// May a client submit a new job for `model`?
	fn may_take_job(model: ModelId) -> Result<(), GateRefusal>;
	/// Whether `agent` is halted (an incident about it is undecided, or it was retired).
	fn is_halted(agent: &AccountId) -> bool;
	/// May `agent` claim a job on `model` paying `bounty`?
	fn may_claim(agent: &AccountId, model: ModelId, bounty: Balance) -> Result<(), GateRefusal>;
	/// `agent` delivered a result for `job` on `model` with the style deviation it measured;
	/// the breaker takes it into account, trips if it must, and returns its verdict. The
	/// escrow has already taken the job out of the agent's claims.
	fn judge_result(agent: &AccountId, job: JobId, model: ModelId, style_deviation: Permill)
		-> Verdict;
	/// The escrow paid `amount` out to the worker `agent`.
	fn record_payout(agent: &AccountId, amount: Balance);
	/// Verifiers found `agent`'s result for `job` on `model` does not hold: it reported
	/// `reported` as its deviation, they measured `verified` (`None` when the output was
	/// unavailable). The breaker counts the verified deviation, opens a `Misreport` incident and
	/// halts the agent until reviewers decide. Returns the incident.
	fn report_misreport(
		agent: &AccountId,
		job: JobId,
		model: ModelId,
		reported: Permill,
		verified: Option<Permill>,
	) -> IncidentId;
}

/// A gate that never refuses and accepts every result, for runtimes without a circuit breaker.
impl<AccountId, Balance> AgentGate<AccountId, Balance> for () {
	fn may_take_job(_: ModelId) -> Result<(), GateRefusal> {
		Ok(())
	}
	fn is_halted(_: &AccountId) -> bool {
		false
	}
	fn may_claim(_: &AccountId, _: ModelId, _: Balance) -> Result<(), GateRefusal> {
		Ok(())
	}
	fn judge_result(_: &AccountId, _: JobId, _: ModelId, _: Permill) -> Verdict {
		Verdict::Accept
	}
	fn record_payout(_: &AccountId, _: Balance) {}
	fn report_misreport(_: &AccountId, _: JobId, _: ModelId, _: Permill, _: Option<Permill>) -> IncidentId {
		0
	}
}

/// How reviewers end a job's quarantine.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum QuarantineOutcome {
	/// The result stands after all: it is delivered and its challenge window starts.
	Deliver,
	/// The result is refused: the job re-opens or is refunded, as its client chose.
	Reject,
	/// The review never came: the client is refunded.
	Refund,
}

/// What the circuit breaker asks of the job escrow.
pub trait JobsControl<AccountId> {
	/// Re-opens every job `agent` has claimed (no slash: the agent was halted, not late).
	/// Returns how many.
	fn release_claims(agent: &AccountId) -> u32;
	/// Ends the quarantine of `job`.
	fn resolve_quarantine(job: JobId, outcome: QuarantineOutcome) -> DispatchResult;
	/// Slashes `slash` of `agent`'s bond to the treasury, releases the rest and deregisters it;
	/// its delivered, unsettled results are refused.
	fn retire_agent(agent: &AccountId, slash: Permill) -> DispatchResult;
	/// The most [`JobsControl::retire_agent`] can cost.
	fn retire_agent_weight() -> Weight;
}

/// How a generated asset came to be: everything needed to reproduce and audit it.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug,
)]
pub struct Generation<AccountId> {
	/// The worker (agent) that made it.
	pub worker: AccountId,
	/// The job it was made for.
	pub job: JobId,
	/// The generator model.
	pub model: ModelId,
	/// sha2-256 of the generator's weights file, as the registry approved it.
	pub weights_hash: Sha256,
	/// sha2-256 of the prompt.
	pub prompt_hash: Sha256,
	/// The seed the job's latents were drawn from.
	pub seed: u64,
	/// sha2-256 of every inference setting that decides the output.
	pub settings_hash: Sha256,
	/// How many candidates the worker generated before choosing this one.
	pub candidates_tried: u32,
	/// The style deviation the worker measured (0 = identical to the style reference).
	pub style_deviation: Permill,
	/// The quality score the worker measured.
	pub quality: Permill,
}

/// Where an asset stands.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum AssetStatus {
	/// Made by a person and registered as a lineage root.
	External,
	/// Delivered for a job; its job has not settled yet.
	Delivered,
	/// Its job settled: the asset is final.
	Final,
	/// The result was refused (off-style or below the quality threshold).
	Rejected,
	/// A finalist of a curated job whose curation runs.
	Candidate,
	/// A finalist of a curated job that the curation did not choose.
	Unchosen,
}

/// What the job escrow tells provenance.
pub trait AssetLedger<AccountId> {
	/// Whether an asset with this CID is recorded.
	fn contains(cid: &CidBytes) -> bool;
	/// The owner and status of a recorded asset.
	fn owner_and_status(cid: &CidBytes) -> Option<(AccountId, AssetStatus)>;
	/// Records a delivered output under `cid`, owned by the job's `client`, descending from
	/// `parents`. An external registration of the same CID gives way to it. Fails (changing
	/// nothing) when the CID is invalid or already recorded otherwise, or a parent is unknown.
	fn record_generated(
		cid: CidBytes,
		client: AccountId,
		parents: Vec<CidBytes>,
		generation: Generation<AccountId>,
	) -> DispatchResult;
	/// Moves a recorded asset to `status`.
	fn set_status(cid: &CidBytes, status: AssetStatus);
}

/// A finalist of a curated job, as the job escrow hands it to curation.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FinalistScore {
	/// The style deviation its worker measured.
	pub style_deviation: Permill,
	/// Its style vector (components in units of [`STYLE_VECTOR_SCALE`]).
	pub style_vector: Vec<i32>,
}

/// What the job escrow asks of curation: token holders pick among a curated job's finalists.
pub trait Curation<AccountId, Balance, BlockNumber> {
	/// The account that keeps the curation rewards of running curations.
	fn reward_account() -> AccountId;
	/// Opens the curation of `job` (of `client`, in `style`) among `finalists` until `ends_at`;
	/// `reward`, already moved into [`Curation::reward_account`], goes to the winning stakers
	/// (back to `client` when nobody staked on the winner).
	fn open(
		job: JobId,
		client: AccountId,
		style: StyleId,
		finalists: Vec<FinalistScore>,
		ends_at: BlockNumber,
		reward: Balance,
	) -> DispatchResult;
	/// Closes `job`'s curation once it has ended: pays the reward, releases every stake,
	/// updates the curators' reputations and the style's preference. Returns the index of the
	/// chosen finalist.
	fn close(job: JobId) -> Result<u32, sp_runtime::DispatchError>;
	/// The most [`Curation::open`] costs.
	fn open_weight() -> Weight;
	/// The most [`Curation::close`] costs.
	fn close_weight() -> Weight;
}

/// No curation, for runtimes without it: a curated job's finalists are refused.
impl<AccountId: Default, Balance, BlockNumber> Curation<AccountId, Balance, BlockNumber> for () {
	fn reward_account() -> AccountId {
		AccountId::default()
	}
	fn open(_: JobId, _: AccountId, _: StyleId, _: Vec<FinalistScore>, _: BlockNumber, _: Balance) -> DispatchResult {
		Err(sp_runtime::DispatchError::Other("this runtime has no curation"))
	}
	fn close(_: JobId) -> Result<u32, sp_runtime::DispatchError> {
		Err(sp_runtime::DispatchError::Other("this runtime has no curation"))
	}
	fn open_weight() -> Weight {
		Weight::zero()
	}
	fn close_weight() -> Weight {
		Weight::zero()
	}
}

/// What curation tells the job escrow.
pub trait CuratedJobs {
	/// The curation of `job` chose finalist `index`: it becomes the job's result.
	fn finalist_chosen(job: JobId, index: u32) -> DispatchResult;
	/// The most [`CuratedJobs::finalist_chosen`] costs.
	fn finalist_chosen_weight() -> Weight;
}

/// The styles' preference directions, learned from curations, as governance may reset them.
pub trait StylePreferences {
	/// Forgets what `style`'s curations taught: its preference direction is zero again.
	fn reset_preference(style: StyleId);
}

/// No preferences to reset, for runtimes without curation.
impl StylePreferences for () {
	fn reset_preference(_: StyleId) {}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn blend(terms: &[(u8, u32)]) -> Vec<BasisWeight> {
		terms.iter().map(|(basis, ppm)| BasisWeight { basis: *basis, weight: Permill::from_parts(*ppm) }).collect()
	}

	#[test]
	fn a_blend_has_distinct_basis_styles_in_range_with_shares_summing_to_one() {
		assert_eq!(check_blend(&blend(&[(3, 500_000), (12, 500_000)])), Ok(()));
		assert_eq!(check_blend(&blend(&[(25, 1_000_000)])), Ok(()));
		assert_eq!(check_blend(&blend(&[(26, 1_000_000)])), Err(BlendError::BasisOutOfRange));
		assert_eq!(check_blend(&blend(&[(3, 500_000), (3, 500_000)])), Err(BlendError::DuplicateBasis));
		assert_eq!(check_blend(&blend(&[(3, 500_000), (4, 499_999)])), Err(BlendError::NotNormalized));
		assert_eq!(check_blend(&blend(&[(3, 1_000_000), (4, 0)])), Err(BlendError::NotNormalized));
		assert_eq!(check_blend(&[]), Err(BlendError::NotNormalized));
	}
}
