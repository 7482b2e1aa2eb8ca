//! # Studio primitives
//!
//! What the studio's pallets share: the ids of styles and models, the kinds of models, and the
//! traits through which the job escrow and the circuit breaker read what token holders decided
//! in governance ([`StudioParams`], [`StyleRegistry`], [`ModelRegistry`], [`ReviewerSet`]).
//! Consumers depend on these traits, never on the governance pallet's storage.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Permill;

/// Identifies a style in the style registry.
pub type StyleId = u32;
/// Identifies a model in the model registry.
pub type ModelId = u32;
/// A sha2-256 digest (of a model's weights file, a prompt, inference settings …).
pub type Sha256 = [u8; 32];

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
	/// Blocks a client has to challenge a delivered result before it settles.
	fn challenge_window() -> BlockNumber;
	/// The longest a job may stay open before its bounty is refunded.
	fn job_max_lifetime() -> BlockNumber;
	/// The most the studio pays out in one epoch before it stops taking jobs.
	fn epoch_spend_cap() -> Balance;
	/// The lowest quality score a result may report.
	fn quality_threshold() -> Permill;
	/// How many reviewers must agree to decide an incident.
	fn review_quorum() -> u32;
}

/// The styles token holders curate.
pub trait StyleRegistry {
	/// The reference vector of an active style (components in units of
	/// [`STYLE_VECTOR_SCALE`]), or `None` if the style is unknown or retired.
	fn active_style(style: StyleId) -> Option<Vec<i32>>;
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
