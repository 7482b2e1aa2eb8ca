//! The records of the circuit breaker: deviation statistics and incidents.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{BoundedVec, Get},
	CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::Permill;
use studio_primitives::{JobId, ModelId};

/// The moving average of the style deviation an agent (or a model) has reported.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug, Default,
)]
pub struct DeviationStats {
	/// The exponential moving average: `ema' = (1 − w)·ema + w·deviation` with
	/// `w = StyleEmaWeight`, starting at the first result's deviation.
	pub ema: Permill,
	/// How many results it has seen.
	pub results: u32,
	/// `MaxStyleDeviation` when the average last changed: what it was compared with.
	pub limit: Permill,
}

impl DeviationStats {
	/// The statistics after one more result of `deviation`, weighted `weight`, compared with
	/// `limit`. Fixed-point arithmetic, the same on every node.
	pub fn with_result(self, deviation: Permill, weight: Permill, limit: Permill) -> Self {
		let ema = if self.results == 0 {
			deviation
		} else {
			let one = Permill::one().deconstruct() as u64;
			let (w, old, new) =
				(weight.deconstruct() as u64, self.ema.deconstruct() as u64, deviation.deconstruct() as u64);
			Permill::from_parts((((one - w) * old + w * new) / one) as u32)
		};
		Self { ema, results: self.results.saturating_add(1), limit }
	}

	/// Whether the average is above the limit it was compared with.
	pub fn is_over(&self) -> bool {
		self.ema > self.limit
	}
}

/// What an incident halts.
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
pub enum Scope<AccountId: Clone + PartialEq + Eq + core::fmt::Debug> {
	/// One agent (worker): no new claims; its open claims were released.
	Agent(AccountId),
	/// One model, for every agent: no new jobs or claims on it.
	Model(ModelId),
	/// The whole studio: no new jobs.
	Studio,
}

/// Why the breaker tripped.
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
pub enum TripCause<AccountId>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// The agent's moving average passed `MaxStyleDeviation`.
	AgentDrift { ema: Permill, limit: Permill },
	/// One result passed `HardStyleLimit`.
	HardLimit { deviation: Permill, limit: Permill },
	/// The model's moving average, across agents with history, passed `MaxStyleDeviation`,
	/// and `agents` distinct agents saw it over.
	ModelDrift { ema: Permill, limit: Permill, agents: u32 },
	/// A reviewer halted the scope.
	Reviewer { reviewer: AccountId },
	/// Verifiers found the agent's result for `job` does not hold: it reported `reported` as
	/// its style deviation, they measured `verified` (`None`: the output was unavailable).
	Misreport { job: JobId, reported: Permill, verified: Option<Permill> },
}

/// A reviewer's vote on an incident.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum Decision {
	/// Let the scope run again; the quarantined result is delivered.
	Resume,
	/// Retire the agent (slashed, deregistered) or keep the model suspended for good; the
	/// quarantined result is refused.
	Retire,
}

/// Where an incident stands.
#[derive(
	Clone, Copy, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, PartialEq, Eq,
	Debug,
)]
pub enum IncidentStatus {
	/// Waiting for the reviewers.
	Open,
	/// Not decided by its deadline: the affected client was refunded and the scope stays
	/// halted until the reviewers decide.
	Expired,
	/// The reviewers resumed the scope.
	Resumed,
	/// The reviewers retired the scope.
	Retired,
}

impl IncidentStatus {
	/// Whether reviewers may still decide it.
	pub fn is_undecided(&self) -> bool {
		matches!(self, IncidentStatus::Open | IncidentStatus::Expired)
	}
}

/// A trip of the breaker and its review.
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
#[scale_info(skip_type_params(MaxReviewers))]
pub struct Incident<AccountId, BlockNumber, MaxReviewers>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxReviewers: Get<u32>,
{
	/// What is halted.
	pub scope: Scope<AccountId>,
	/// Why, with the figures that caused it.
	pub cause: TripCause<AccountId>,
	/// The job whose result tripped the breaker, quarantined until the decision.
	pub job: Option<JobId>,
	/// The block it opened in.
	pub opened_at: BlockNumber,
	/// Undecided by this block, the affected client is refunded.
	pub review_by: BlockNumber,
	/// The reviewers' votes so far.
	pub votes: BoundedVec<(AccountId, Decision), MaxReviewers>,
	/// Where it stands.
	pub status: IncidentStatus,
}
