//! The records of the job escrow: job specifications, jobs, results and workers.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::Permill;
use studio_primitives::{CidBytes, IncidentId, JobId, ModelId, ModelKind, Sha256, StyleId};

/// The longest content address a worker may publish, in bytes.
pub const MAX_CONTENT_ADDRESS_LEN: u32 = 256;

/// Where a worker's IPFS node can be dialled: a multiaddr in text ending in the node's peer id,
/// e.g. `/ip4/198.51.100.7/tcp/4001/p2p/12D3KooW…`.
pub type ContentAddress = BoundedVec<u8, frame_support::traits::ConstU32<MAX_CONTENT_ADDRESS_LEN>>;

/// Whether `address` has the form of a dialable multiaddr with a peer id: UTF-8 text starting
/// with `/`, naming a `/p2p/` peer, without whitespace or control characters.
pub fn is_content_address(address: &[u8]) -> bool {
	let Ok(text) = core::str::from_utf8(address) else { return false };
	text.starts_with('/') &&
		text.contains("/p2p/") &&
		!text.ends_with("/p2p/") &&
		!text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// What the client asks the generator for.
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
#[scale_info(skip_type_params(MaxPromptLength))]
pub enum Prompt<MaxPromptLength: Get<u32>> {
	/// The prompt itself, in UTF-8, for workers to read on chain.
	Text(BoundedVec<u8, MaxPromptLength>),
	/// Only the sha2-256 of a prompt the client hands to workers elsewhere.
	Hash(Sha256),
}

impl<MaxPromptLength: Get<u32>> Prompt<MaxPromptLength> {
	/// The sha2-256 of the prompt: what provenance records.
	pub fn hash(&self) -> Sha256 {
		match self {
			Prompt::Text(text) => sp_io::hashing::sha2_256(text),
			Prompt::Hash(hash) => *hash,
		}
	}
}

/// The file format of an output.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum ImageFormat {
	/// A PNG image.
	Png,
}

/// The output a job asks for.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub struct OutputSpec {
	/// The file format.
	pub format: ImageFormat,
	/// Width in pixels, at least 1 and at most the runtime's `MaxImageSide`.
	pub width: u32,
	/// Height in pixels, at least 1 and at most the runtime's `MaxImageSide`.
	pub height: u32,
}

/// What a job makes.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug,
)]
pub enum JobKind {
	/// A new image, painted by a generator.
	Generate,
	/// A recorded asset (`content`, a client's registered image or an earlier output) repainted
	/// by a style-transfer model in the job's style, which must have a basis blend; `strength`
	/// is the most of the style the result may take (the rest is the content).
	Stylize {
		/// The image to repaint.
		content: CidBytes,
		/// The largest share of the stylized image in the result.
		strength: Permill,
	},
	/// A recorded asset turned into line art by an edge-detection model.
	LineArt {
		/// The photo or sketch.
		content: CidBytes,
	},
}

impl JobKind {
	/// The kind of model that makes this kind of job.
	pub fn model_kind(&self) -> ModelKind {
		match self {
			JobKind::Generate => ModelKind::Generator,
			JobKind::Stylize { .. } => ModelKind::StyleTransfer,
			JobKind::LineArt { .. } => ModelKind::LineArt,
		}
	}

	/// The asset the job works on, if it works on one.
	pub fn content(&self) -> Option<&CidBytes> {
		match self {
			JobKind::Generate => None,
			JobKind::Stylize { content, .. } | JobKind::LineArt { content } => Some(content),
		}
	}
}

/// What happens to a job when its result is refused (off-style or below the quality bar).
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum OnRejection {
	/// Open the job again for another worker (until its deadline).
	Reopen,
	/// Refund the bounty and end the job.
	Refund,
}

/// A client's request that token holders pick the job's output among `finalists`.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub struct CurationAsk<BlockNumber> {
	/// How many finalists the worker delivers: from 2 to `MaxFinalists`, and at most the
	/// job's candidates.
	pub finalists: u32,
	/// Blocks token holders stake for, from the delivery on: from 1 to `MaxCurationPeriod`.
	pub period: BlockNumber,
}

/// A design job as its client specifies it.
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
#[scale_info(skip_type_params(MaxPromptLength, MaxParents))]
pub struct JobSpec<BlockNumber, MaxPromptLength, MaxParents>
where
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxPromptLength: Get<u32>,
	MaxParents: Get<u32>,
{
	/// What the job makes.
	pub kind: JobKind,
	/// The model that makes it; it must be approved and of the kind the job needs.
	pub model: ModelId,
	/// The style the output must keep to; it must be active (and, for a stylize job, have a
	/// basis blend).
	pub style: StyleId,
	/// The prompt, or its hash.
	pub prompt: Prompt<MaxPromptLength>,
	/// Further recorded assets the output derives from (the prompt lineage); a stylize or
	/// line-art job's content is its first parent and is not repeated here.
	pub parents: BoundedVec<CidBytes, MaxParents>,
	/// The seed every random draw of the job starts from.
	pub seed: u64,
	/// The output's format and size.
	pub output: OutputSpec,
	/// How many candidates the worker generates at least, to choose the best from.
	pub candidates: u32,
	/// The job must be delivered before this block; an open job is refunded then.
	pub deadline: BlockNumber,
	/// What happens when a result is refused.
	pub on_rejection: OnRejection,
	/// Token holders pick the output among finalists (`Generate` jobs only); the client pays
	/// the studio's `CurationReward` share of the bounty on top, for the winning stakers.
	pub curation: Option<CurationAsk<BlockNumber>>,
}

impl<BlockNumber, MaxPromptLength, MaxParents> JobSpec<BlockNumber, MaxPromptLength, MaxParents>
where
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxPromptLength: Get<u32>,
	MaxParents: Get<u32>,
{
	/// The output's parents in provenance: the content the job works on, then `parents`.
	pub fn lineage(&self) -> alloc::vec::Vec<CidBytes> {
		self.kind.content().into_iter().chain(self.parents.iter()).cloned().collect()
	}
}

/// What a worker reports with its output.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug,
)]
pub struct ResultReport {
	/// The output's CID (CIDv1, sha2-256).
	pub output: CidBytes,
	/// The style deviation the worker measured (0 = identical to the style reference).
	pub style_deviation: Permill,
	/// The quality score the worker measured.
	pub quality: Permill,
	/// sha2-256 of the generator weights the worker ran: must be the registry's.
	pub weights_hash: Sha256,
	/// The settings that decided the output, published for verifiers (provenance records
	/// their sha2-256).
	pub settings: GenerationSettings,
	/// How many candidates the worker generated; at least the job's `candidates`.
	pub candidates_tried: u32,
}

/// One finalist of a curated job, as its worker reports it.
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
#[scale_info(skip_type_params(MaxStyleDimensions))]
pub struct FinalistReport<MaxStyleDimensions: Get<u32>> {
	/// The finalist's CID (CIDv1, sha2-256).
	pub output: CidBytes,
	/// The style deviation the worker measured.
	pub style_deviation: Permill,
	/// The quality score the worker measured.
	pub quality: Permill,
	/// Its style vector, as long as the style's reference (components in units of
	/// `studio_primitives::STYLE_VECTOR_SCALE`): what the style's preference learns from.
	pub style_vector: BoundedVec<i32, MaxStyleDimensions>,
	/// The settings that re-generate it, published for verifiers.
	pub settings: GenerationSettings,
}

/// What a worker reports for a curated job: its finalists, its best first.
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
#[scale_info(skip_type_params(MaxFinalists, MaxStyleDimensions))]
pub struct FinalistsReport<MaxFinalists: Get<u32>, MaxStyleDimensions: Get<u32>> {
	/// The finalists, as many as the job asked for, each a distinct output.
	pub finalists: BoundedVec<FinalistReport<MaxStyleDimensions>, MaxFinalists>,
	/// sha2-256 of the generator weights the worker ran: must be the registry's.
	pub weights_hash: Sha256,
	/// How many candidates the worker generated; at least the job's `candidates`.
	pub candidates_tried: u32,
}

/// A finalist while its curation runs: what becomes the job's [`Delivery`] if it is chosen.
#[derive(Clone, Encode, Decode, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug)]
pub struct FinalistDelivery {
	/// Its CID.
	pub output: CidBytes,
	/// The style deviation the worker reported.
	pub style_deviation: Permill,
	/// The quality the worker reported.
	pub quality: Permill,
	/// The settings that re-generate it.
	pub settings: GenerationSettings,
}

/// Where a job stands.
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
pub enum JobStatus<AccountId, BlockNumber>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Waiting for a worker; refunded at the spec's deadline.
	Open,
	/// A worker is on it until `expires_at`.
	Claimed { worker: AccountId, expires_at: BlockNumber },
	/// Its finalists are delivered and token holders stake on them until `ends_at`; then the
	/// curation's choice is delivered.
	Curating { worker: AccountId, ends_at: BlockNumber },
	/// Delivered; it settles at `settles_at`, when its challenge window ends, unless it is
	/// challenged or audited: then `settles_at` is when its verdict is due (see
	/// [`crate::Verifications`]).
	Delivered { worker: AccountId, output: CidBytes, settles_at: BlockNumber },
	/// The result tripped the circuit breaker; it waits for the reviewers' decision on
	/// `incident`.
	Quarantined { worker: AccountId, output: CidBytes, incident: IncidentId },
	/// Paid out: final.
	Settled { worker: AccountId, output: CidBytes },
	/// Cancelled by its client, who got the bounty back.
	Cancelled,
	/// Refunded: its deadline passed, or its result was refused and the client chose a refund.
	Refunded,
}

/// A job in the escrow.
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
#[scale_info(skip_type_params(MaxPromptLength, MaxParents))]
pub struct JobInfo<AccountId, Balance, BlockNumber, MaxPromptLength, MaxParents>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxPromptLength: Get<u32>,
	MaxParents: Get<u32>,
{
	/// Who pays, and owns the output.
	pub client: AccountId,
	/// What the worker gets, less the studio fee; kept in the escrow's account while the job
	/// is live.
	pub bounty: Balance,
	/// A curated job's reward for its curators, kept in the escrow's account with the bounty
	/// until the curation opens (then zero: it moved to the curation's account), returned to
	/// the client with the bounty otherwise.
	pub curation_reward: Balance,
	/// What the client asked for.
	pub spec: JobSpec<BlockNumber, MaxPromptLength, MaxParents>,
	/// Where the job stands.
	pub status: JobStatus<AccountId, BlockNumber>,
	/// The block it was submitted in.
	pub submitted_at: BlockNumber,
	/// The last worker whose claim on this job failed (expired, or delivered below the quality
	/// bar): it may not claim the job again.
	pub barred: Option<AccountId>,
	/// When set, the block the job is due in instead of its status's own: after a due step
	/// that failed (a payout or refund that could not be made), the block it is tried again
	/// in; once the job is finished, the block its record is pruned in. Each change of status
	/// sets it anew.
	pub due_override: Option<BlockNumber>,
}

impl<AccountId, Balance, BlockNumber, MaxPromptLength, MaxParents>
	JobInfo<AccountId, Balance, BlockNumber, MaxPromptLength, MaxParents>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxPromptLength: Get<u32>,
	MaxParents: Get<u32>,
{
	/// Whether the bounty is still in escrow: the job is open, claimed, delivered or
	/// quarantined.
	pub fn is_live(&self) -> bool {
		matches!(
			self.status,
			JobStatus::Open |
				JobStatus::Claimed { .. } |
				JobStatus::Curating { .. } |
				JobStatus::Delivered { .. } |
				JobStatus::Quarantined { .. }
		)
	}

	/// The block in which the job's next automatic step is due: its deadline while open, the
	/// claim's expiry while claimed, the end of the curation while curating, the end of the
	/// challenge window while delivered, the retry block after a step that failed, the end of its retention once finished. A
	/// quarantined job waits for the circuit breaker's reviewers instead.
	pub fn due_at(&self) -> Option<BlockNumber> {
		if self.due_override.is_some() {
			return self.due_override.clone()
		}
		match &self.status {
			JobStatus::Open => Some(self.spec.deadline.clone()),
			JobStatus::Claimed { expires_at, .. } => Some(expires_at.clone()),
			JobStatus::Curating { ends_at, .. } => Some(ends_at.clone()),
			JobStatus::Delivered { settles_at, .. } => Some(settles_at.clone()),
			JobStatus::Quarantined { .. } |
			JobStatus::Settled { .. } |
			JobStatus::Cancelled |
			JobStatus::Refunded => None,
		}
	}
}

/// A registered worker (agent).
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
#[scale_info(skip_type_params(MaxCapabilities, MaxClaims, MaxUnsettled))]
pub struct WorkerInfo<Balance, BlockNumber, MaxCapabilities, MaxClaims, MaxUnsettled>
where
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxCapabilities: Get<u32>,
	MaxClaims: Get<u32>,
	MaxUnsettled: Get<u32>,
{
	/// The bond held from the worker (less what was slashed).
	pub bond: Balance,
	/// The models the worker can run.
	pub capabilities: BoundedVec<ModelId, MaxCapabilities>,
	/// The jobs it has claimed and not yet delivered.
	pub claims: BoundedVec<JobId, MaxClaims>,
	/// Its delivered (or quarantined) jobs that have not settled yet.
	pub unsettled: BoundedVec<JobId, MaxUnsettled>,
	/// Set once it unregistered: the block from which it may withdraw its bond.
	pub unbonds_at: Option<BlockNumber>,
}

/// Why a result was refused.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum RejectionCause {
	/// The circuit breaker refused it (the output drifted off the style).
	Gate,
	/// Its reported quality is below the studio's quality threshold: a failed claim, slashed
	/// like an expired one.
	LowQuality,
	/// The reviewers retired its worker (established misconduct): none of its unsettled
	/// results is paid.
	WorkerRetired,
	/// Verifiers found it does not hold: unavailable, not the bytes of its CID, scored
	/// otherwise than reported, or not what its settings re-generate.
	FailedVerification,
}

/// The longest generation settings a worker may publish with a result, in bytes.
pub const MAX_SETTINGS_LEN: u32 = 1_024;

/// The settings that decided an output, as the worker publishes them (for the eye generator:
/// JSON naming the class, the search and the winning candidate's latent lineage), enough for
/// another worker to re-generate the winning candidate. Provenance records their sha2-256.
pub type GenerationSettings = BoundedVec<u8, frame_support::traits::ConstU32<MAX_SETTINGS_LEN>>;

/// What a delivered, not yet settled, result claims: what verifiers check it against.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug,
)]
pub struct Delivery<BlockNumber> {
	/// The style deviation the worker reported.
	pub style_deviation: Permill,
	/// The quality the worker reported.
	pub quality: Permill,
	/// The settings it says decided the output.
	pub settings: GenerationSettings,
	/// The block the result was delivered in: its hash decides the audit.
	pub delivered_at: BlockNumber,
}

/// What one verifier found when it checked a result.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum Finding {
	/// The output could not be fetched within the period, or its bytes do not hash to its CID.
	Unavailable,
	/// The verifier fetched the output and measured it.
	Measured {
		/// The style deviation it measured on the delivered image.
		style_deviation: Permill,
		/// The quality it measured on the delivered image.
		quality: Permill,
		/// How closely re-generating the winning candidate from the published settings, with
		/// the registered weights, reproduces the delivered image: PSNR in hundredths of a
		/// decibel (`u32::MAX` for identical pixels, 0 when the settings cannot re-generate
		/// it: unreadable, or not the job's seed, class or weights).
		reproduction_centibels: u32,
	},
}

/// The tolerances a finding is compared with, as governance sets them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Tolerances {
	/// The most a re-measured deviation or quality may differ from the reported one.
	pub score: Permill,
	/// The lowest PSNR (hundredths of a decibel) at which a re-generation reproduces.
	pub reproduction_centibels: u32,
}

impl Finding {
	/// Whether this finding confirms a result that reported `style_deviation` and `quality`.
	pub fn confirms(&self, style_deviation: Permill, quality: Permill, tolerances: Tolerances) -> bool {
		let near = |a: Permill, b: Permill| {
			let (a, b) = (a.deconstruct(), b.deconstruct());
			a.abs_diff(b) <= tolerances.score.deconstruct()
		};
		match self {
			Finding::Unavailable => false,
			Finding::Measured { style_deviation: measured, quality: measured_quality, reproduction_centibels } =>
				near(*measured, style_deviation) &&
					near(*measured_quality, quality) &&
					*reproduction_centibels >= tolerances.reproduction_centibels,
		}
	}
}

/// What a verifier commits to: blake2-256 of the SCALE encoding of `(job, verifier, finding,
/// salt)`. Naming the verifier keeps one verifier from committing to another's hash.
pub fn commitment_of<AccountId: Encode>(job: JobId, verifier: &AccountId, finding: &Finding, salt: &[u8; 32]) -> [u8; 32] {
	sp_io::hashing::blake2_256(&(job, verifier, finding, salt).encode())
}

/// The chance that a result is audited: at least the governed `floor`, and at least what makes
/// a lie lose money in expectation. A lie that would be paid `gain` (the bounty less the fee)
/// and, caught, costs `stake` (the `MisreportSlash` share of the worker's bond) is worth
/// `(1 − p)·gain − p·stake`, which is not positive once `p ≥ gain / (gain + stake)`. With audits
/// off (`floor` zero) nothing is audited.
pub fn audit_chance<Balance>(floor: Permill, gain: Balance, stake: Balance) -> Permill
where
	Balance: sp_runtime::traits::AtLeast32BitUnsigned + Copy,
{
	if floor.is_zero() {
		return Permill::zero()
	}
	let total = gain.saturating_add(stake);
	if total.is_zero() {
		return floor
	}
	floor.max(Permill::from_rational(gain, total))
}

/// Why a result is verified.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum VerificationCause {
	/// The random audit drew it.
	Audit,
	/// Someone challenged it.
	Challenge,
}

/// A verifier's part in a verification.
#[derive(
	Clone, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq, Debug,
)]
pub struct VerifierVote<AccountId> {
	/// The verifier (a registered worker).
	pub verifier: AccountId,
	/// blake2-256 of `(job, verifier, finding, salt)`, once committed.
	pub commitment: Option<[u8; 32]>,
	/// Its finding, once revealed.
	pub finding: Option<Finding>,
}

/// A result under verification.
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
#[scale_info(skip_type_params(MaxVerifiers))]
pub struct Verification<AccountId, Balance, BlockNumber, MaxVerifiers>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxVerifiers: Get<u32>,
{
	/// Why it is verified.
	pub cause: VerificationCause,
	/// Who challenged it and the deposit it put into escrow, if anyone did.
	pub challenger: Option<(AccountId, Balance)>,
	/// The drawn verifiers; empty until the draw (the block after the challenge or delivery).
	pub verifiers: BoundedVec<VerifierVote<AccountId>, MaxVerifiers>,
	/// Commitments are taken until this block (exclusive); set at the draw.
	pub commit_until: BlockNumber,
	/// Findings are revealed until this block (exclusive), when the verdict is due.
	pub reveal_until: BlockNumber,
}

impl<AccountId, Balance, BlockNumber, MaxVerifiers> Verification<AccountId, Balance, BlockNumber, MaxVerifiers>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxVerifiers: Get<u32>,
{
	/// Whether every drawn verifier has committed.
	pub fn all_committed(&self) -> bool {
		self.verifiers.iter().all(|vote| vote.commitment.is_some())
	}

	/// Whether every verifier that committed has revealed.
	pub fn commitments_revealed(&self) -> bool {
		self.verifiers.iter().all(|vote| vote.commitment.is_none() || vote.finding.is_some())
	}
}

/// How a finished verification went, kept with its job until the job is pruned.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub struct VerificationRecord {
	/// Why the result was verified.
	pub cause: VerificationCause,
	/// How it ended.
	pub outcome: VerificationOutcome,
	/// How many revealed findings confirmed the result.
	pub confirming: u32,
	/// How many findings were revealed.
	pub revealed: u32,
}

/// How a verification ended.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum VerificationOutcome {
	/// A majority of the revealed findings confirms the result (or nobody revealed): it is paid.
	Stands,
	/// The result fell: its worker is slashed and halted, the job re-opened or refunded.
	Falls,
	/// No verifier could be drawn (no other worker runs the model): the result is paid as
	/// delivered, and a challenger gets its deposit back.
	NoVerifiers,
	/// Its worker was retired meanwhile: the result was refused anyway, a challenger gets its
	/// deposit back.
	Cancelled,
}
