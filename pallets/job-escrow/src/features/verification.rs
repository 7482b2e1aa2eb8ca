//! Verification: random audits and challenges, verifiers drawn among the model's workers, their
//! findings committed then revealed, and the verdict (`docs/verification.md`).

use crate::*;
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::Mutate, tokens::Preservation},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{One, Saturating, Zero},
	Permill,
};
use studio_primitives::{AgentGate, JobId, StudioParams};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_challenge(who: T::AccountId, job_id: JobId) -> DispatchResult {
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Delivered { settles_at, .. } = job.status else {
			return Err(Error::<T>::NotDelivered.into())
		};
		let now = frame_system::Pallet::<T>::block_number();
		let deposit = T::Params::challenge_deposit();
		let audit = Verifications::<T>::get(job_id);
		match &audit {
			// An audit under way is joined: the challenger's deposit rides on its verdict.
			Some(verification) =>
				ensure!(verification.challenger.is_none(), Error::<T>::AlreadyChallenged),
			None => ensure!(now < settles_at, Error::<T>::ChallengeWindowClosed),
		}
		T::Currency::transfer(&who, &Self::escrow_account(), deposit, Preservation::Preserve)?;
		let mut verification = audit.unwrap_or_else(|| {
			// Drawn from this block's hash, in the next block: the challenger cannot pick its
			// verifiers by choosing when to challenge.
			PendingDraws::<T>::insert(now, job_id, ());
			Verification {
				cause: VerificationCause::Challenge,
				challenger: None,
				verifiers: BoundedVec::new(),
				commit_until: now,
				reveal_until: now,
			}
		});
		verification.challenger = Some((who.clone(), deposit));
		Verifications::<T>::insert(job_id, verification);
		Self::deposit_event(Event::ResultChallenged { job: job_id, challenger: who, deposit });
		Ok(())
	}

	pub(crate) fn do_commit_finding(who: T::AccountId, job_id: JobId, commitment: [u8; 32]) -> DispatchResult {
		let mut verification = Verifications::<T>::get(job_id).ok_or(Error::<T>::NotUnderVerification)?;
		let now = frame_system::Pallet::<T>::block_number();
		let vote = verification
			.verifiers
			.iter_mut()
			.find(|vote| vote.verifier == who)
			.ok_or(Error::<T>::NotVerifier)?;
		ensure!(now < verification.commit_until, Error::<T>::CommitPeriodOver);
		ensure!(vote.commitment.is_none(), Error::<T>::AlreadyCommitted);
		vote.commitment = Some(commitment);
		Verifications::<T>::insert(job_id, verification);
		Self::deposit_event(Event::FindingCommitted { job: job_id, verifier: who });
		Ok(())
	}

	pub(crate) fn do_reveal_finding(
		who: T::AccountId,
		job_id: JobId,
		finding: Finding,
		salt: [u8; 32],
	) -> DispatchResult {
		let mut verification = Verifications::<T>::get(job_id).ok_or(Error::<T>::NotUnderVerification)?;
		let now = frame_system::Pallet::<T>::block_number();
		let commits_closed = verification.all_committed() || now >= verification.commit_until;
		let vote = verification
			.verifiers
			.iter_mut()
			.find(|vote| vote.verifier == who)
			.ok_or(Error::<T>::NotVerifier)?;
		ensure!(commits_closed, Error::<T>::RevealNotOpen);
		ensure!(now < verification.reveal_until, Error::<T>::RevealPeriodOver);
		let commitment = vote.commitment.ok_or(Error::<T>::NotCommitted)?;
		ensure!(vote.finding.is_none(), Error::<T>::AlreadyRevealed);
		ensure!(commitment_of(job_id, &who, &finding, &salt) == commitment, Error::<T>::CommitmentMismatch);
		vote.finding = Some(finding);
		let complete = verification.commitments_revealed();
		Verifications::<T>::insert(job_id, verification);
		Self::deposit_event(Event::FindingRevealed { job: job_id, verifier: who, finding });
		if complete {
			// Everyone who committed has revealed: the verdict need not wait. Should a payout in
			// it fail, the reveal still stands and the walk over due jobs concludes later.
			let _ = frame_support::storage::with_storage_layer(|| Self::conclude(job_id));
		}
		Ok(())
	}

	/// Has the next block draw whether `job`'s result, delivered now, is audited (while audits
	/// are on: the client cannot accept before the draw). Returns whether a draw was scheduled.
	pub(crate) fn schedule_audit(job_id: JobId) -> bool {
		let audits_on = !T::Params::audit_probability().is_zero();
		if audits_on {
			PendingDraws::<T>::insert(frame_system::Pallet::<T>::block_number(), job_id, ());
		}
		audits_on
	}

	/// Whether `job` may not settle now: its audit is drawn in the next block, or it is being
	/// verified.
	pub(crate) fn ensure_not_verifying(job_id: JobId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			!Verifications::<T>::contains_key(job_id) && !PendingDraws::<T>::contains_key(now, job_id),
			Error::<T>::UnderVerification
		);
		Ok(())
	}

	/// Runs the draws scheduled in the previous block. Returns the weight used.
	pub(crate) fn draw_due(now: BlockNumberFor<T>) -> Weight {
		let seeded_by = now.saturating_sub(One::one());
		let seed = frame_system::Pallet::<T>::block_hash(seeded_by);
		let mut draws = 0u32;
		for job_id in PendingDraws::<T>::drain_prefix(seeded_by).map(|(job_id, ())| job_id).collect::<Vec<_>>() {
			draws += 1;
			Self::draw(job_id, seed.as_ref(), now);
		}
		T::WeightInfo::draw_verifiers(T::MaxWorkersPerModel::get())
			.saturating_mul(draws.into())
			.saturating_add(T::DbWeight::get().reads(1))
	}

	/// Decides whether `job`'s result is audited ([`audit_chance`]; a challenged result is
	/// verified anyway) and draws its verifiers, from `seed`, the hash of a block sealed after the
	/// result or the challenge.
	fn draw(job_id: JobId, seed: &[u8], now: BlockNumberFor<T>) {
		let Some(mut job) = Jobs::<T>::get(job_id) else { return };
		let JobStatus::Delivered { worker, output, .. } = job.status.clone() else { return };
		let randomness = sp_io::hashing::blake2_256(&(b"studio/verify", seed, job_id).encode());
		let challenged = Verifications::<T>::get(job_id);
		if challenged.is_none() {
			let gain = job.bounty.saturating_sub(T::Params::studio_fee() * job.bounty);
			let stake = T::MisreportSlash::get() * Workers::<T>::get(&worker).map(|info| info.bond).unwrap_or_default();
			let chance = audit_chance(T::Params::audit_probability(), gain, stake);
			let roll = u32::from_le_bytes([randomness[0], randomness[1], randomness[2], randomness[3]]) %
				1_000_000;
			if roll >= chance.deconstruct() {
				return
			}
		}
		let mut verification = challenged.unwrap_or(Verification {
			cause: VerificationCause::Audit,
			challenger: None,
			verifiers: BoundedVec::new(),
			commit_until: now,
			reveal_until: now,
		});
		let challenger = verification.challenger.as_ref().map(|(who, _)| who.clone());
		let excluded = [Some(worker.clone()), Some(job.client.clone()), challenger];
		let mut candidates: Vec<T::AccountId> = ModelWorkers::<T>::get(job.spec.model)
			.into_iter()
			.filter(|candidate| !excluded.contains(&Some(candidate.clone())) && Self::may_verify(candidate))
			.collect();
		let wanted = T::Params::verifier_count().min(T::MaxVerifiers::get()) as usize;
		let drawn = wanted.min(candidates.len());
		// A partial Fisher–Yates shuffle: the first `drawn` places get a uniform sample.
		for place in 0..drawn {
			let pick = sp_io::hashing::blake2_256(&(randomness, place as u32).encode());
			let offset = u64::from_le_bytes(pick[..8].try_into().expect("eight bytes")) as usize %
				(candidates.len() - place);
			candidates.swap(place, place + offset);
		}
		candidates.truncate(drawn);
		if candidates.is_empty() {
			// Nobody else runs the model: the result goes on to settle as delivered.
			Self::end_verification(job_id, &verification, false);
			Self::record_verdict(job_id, verification.cause, VerificationOutcome::NoVerifiers, 0, 0, None);
			return
		}
		verification.commit_until = now.saturating_add(T::CommitPeriod::get());
		verification.reveal_until = verification.commit_until.saturating_add(T::RevealPeriod::get());
		verification.verifiers = candidates
			.iter()
			.map(|verifier| VerifierVote { verifier: verifier.clone(), commitment: None, finding: None })
			.collect::<Vec<_>>()
			.try_into()
			.expect("at most MaxVerifiers were drawn");
		let settles_at = verification.reveal_until;
		Self::move_to(job_id, &mut job, JobStatus::Delivered { worker, output, settles_at });
		Jobs::<T>::insert(job_id, job);
		Self::deposit_event(Event::VerifiersDrawn {
			job: job_id,
			cause: verification.cause,
			verifiers: candidates,
			commit_until: verification.commit_until,
			reveal_until: verification.reveal_until,
		});
		Verifications::<T>::insert(job_id, verification);
	}

	/// Whether `who` may verify: registered, not leaving, bonded at least `WorkerMinBond`, and
	/// not halted.
	fn may_verify(who: &T::AccountId) -> bool {
		Workers::<T>::get(who).is_some_and(|worker| {
			worker.unbonds_at.is_none() &&
				worker.bond >= T::Params::worker_min_bond() &&
				!T::Gate::is_halted(who)
		})
	}

	/// Decides a verification whose reveals are in (or whose reveal period is over): absent
	/// verifiers are slashed; the result stands (and is paid) or falls.
	pub(crate) fn conclude(job_id: JobId) -> DispatchResult {
		let verification = Verifications::<T>::get(job_id).ok_or(Error::<T>::NotUnderVerification)?;
		let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::UnknownJob)?;
		let JobStatus::Delivered { worker, output, .. } = job.status.clone() else {
			return Err(Error::<T>::NotDelivered.into())
		};
		let delivery = Deliveries::<T>::get(job_id).ok_or(Error::<T>::NotDelivered)?;
		let tolerances = Tolerances {
			score: T::Params::score_tolerance(),
			reproduction_centibels: T::Params::reproduction_floor(),
		};
		let (mut confirming, mut refuting, mut measured) = (Vec::new(), Vec::new(), Vec::new());
		for vote in &verification.verifiers {
			match vote.finding {
				Some(finding) => {
					if let Finding::Measured { style_deviation, .. } = finding {
						measured.push(style_deviation);
					}
					if finding.confirms(delivery.style_deviation, delivery.quality, tolerances) {
						confirming.push(vote.verifier.clone());
					} else {
						refuting.push(vote.verifier.clone());
					}
				},
				None => {
					let mut slashed = Zero::zero();
					Workers::<T>::mutate_extant(&vote.verifier, |info| {
						slashed = Self::slash_bond(&vote.verifier, info, T::AbsentSlash::get());
					});
					Self::deposit_event(Event::VerifierAbsent { job: job_id, verifier: vote.verifier.clone(), slashed });
				},
			}
		}
		let revealed = (confirming.len() + refuting.len()) as u32;
		let verified_deviation = median(&mut measured);
		let stands = revealed == 0 || confirming.len() * 2 > revealed as usize;
		Verifications::<T>::remove(job_id);
		let deposit = verification.challenger.as_ref().map(|(_, deposit)| *deposit).unwrap_or_default();
		if stands {
			// With no evidence either way (nobody revealed) a deposit is returned; otherwise it is
			// lost to the confirming verifiers and the treasury.
			let returned = if revealed == 0 { deposit } else { Zero::zero() };
			Self::end_challenge(job_id, &verification, returned)?;
			Self::pay_out(job_id, job, &confirming, deposit.saturating_sub(returned))?;
		} else {
			Self::fall(job_id, job, worker, output, &delivery, &verification, &refuting, verified_deviation)?;
		}
		let outcome = if stands { VerificationOutcome::Stands } else { VerificationOutcome::Falls };
		Self::record_verdict(job_id, verification.cause, outcome, confirming.len() as u32, revealed, verified_deviation);
		Ok(())
	}

	/// Keeps how `job`'s verification ended (until the job is pruned) and says so.
	fn record_verdict(
		job_id: JobId,
		cause: VerificationCause,
		outcome: VerificationOutcome,
		confirming: u32,
		revealed: u32,
		verified_deviation: Option<Permill>,
	) {
		Verdicts::<T>::insert(job_id, VerificationRecord { cause, outcome, confirming, revealed });
		Self::deposit_event(Event::ResultVerified { job: job_id, outcome, confirming, revealed, verified_deviation });
	}

	/// A result fell: `MisreportSlash` of its worker's bond pays the refuting verifiers and the
	/// challenger (its deposit back, and its share), the rest goes to the treasury; the breaker
	/// counts the verified deviation and halts the worker; the job re-opens or is refunded.
	#[allow(clippy::too_many_arguments)]
	fn fall(
		job_id: JobId,
		mut job: JobOf<T>,
		worker: T::AccountId,
		output: studio_primitives::CidBytes,
		delivery: &Delivery<BlockNumberFor<T>>,
		verification: &VerificationOf<T>,
		refuting: &[T::AccountId],
		verified_deviation: Option<Permill>,
	) -> DispatchResult {
		let escrow = Self::escrow_account();
		let mut slashed = Zero::zero();
		Workers::<T>::mutate_extant(&worker, |info| {
			slashed = Self::slash_bond_to(&worker, info, T::MisreportSlash::get(), &escrow);
		});
		let shared = Self::reward_verifiers(job_id, refuting, T::VerifiersShare::get() * slashed)?;
		let reward = if verification.challenger.is_some() { T::ChallengerShare::get() * slashed } else { Zero::zero() };
		let deposit = verification.challenger.as_ref().map(|(_, deposit)| *deposit).unwrap_or_default();
		Self::end_challenge(job_id, verification, deposit.saturating_add(reward))?;
		Self::pay_from_escrow(&T::Treasury::get(), slashed.saturating_sub(shared).saturating_sub(reward))?;
		Self::forget_unsettled(&worker, job_id);
		job.barred = Some(worker.clone());
		let incident = T::Gate::report_misreport(
			&worker,
			job_id,
			job.spec.model,
			delivery.style_deviation,
			verified_deviation,
		);
		Self::deposit_event(Event::MisreportSlashed { job: job_id, worker: worker.clone(), slashed, incident });
		Self::refuse_result(job_id, job, worker, output, RejectionCause::FailedVerification)
	}

	/// Shares `pool` equally among `verifiers` out of the escrow's account; returns what was
	/// paid (the remainder of the division stays for the caller to pay elsewhere).
	pub(crate) fn reward_verifiers(
		job_id: JobId,
		verifiers: &[T::AccountId],
		pool: BalanceOf<T>,
	) -> Result<BalanceOf<T>, DispatchError> {
		if verifiers.is_empty() {
			return Ok(Zero::zero())
		}
		let each = pool / (verifiers.len() as u32).into();
		for verifier in verifiers {
			Self::pay_from_escrow(verifier, each)?;
			Self::deposit_event(Event::VerifierRewarded { job: job_id, verifier: verifier.clone(), amount: each });
		}
		Ok(each.saturating_mul((verifiers.len() as u32).into()))
	}

	/// Pays `returned` back to the challenger of `verification`, if it has one.
	fn end_challenge(job_id: JobId, verification: &VerificationOf<T>, returned: BalanceOf<T>) -> DispatchResult {
		if let Some((challenger, _)) = &verification.challenger {
			Self::pay_from_escrow(challenger, returned)?;
			Self::deposit_event(Event::ChallengeEnded { job: job_id, challenger: challenger.clone(), returned });
		}
		Ok(())
	}

	/// Ends a verification without a verdict (nobody to draw, or the result refused
	/// otherwise): a challenger gets its deposit back. With `cancelled`, says so.
	fn end_verification(job_id: JobId, verification: &VerificationOf<T>, cancelled: bool) {
		Verifications::<T>::remove(job_id);
		if let Some((challenger, deposit)) = &verification.challenger {
			// The deposit is in the escrow's account; the challenger paid it from a live
			// account, and returning it can fail only if that account was reaped meanwhile
			// and the deposit is below the existential deposit: then it goes to the treasury.
			let returned = Self::pay_from_escrow(challenger, *deposit)
				.or_else(|_| Self::pay_from_escrow(&T::Treasury::get(), *deposit))
				.map(|()| *deposit)
				.unwrap_or_default();
			Self::deposit_event(Event::ChallengeEnded { job: job_id, challenger: challenger.clone(), returned });
		}
		if cancelled {
			Self::record_verdict(job_id, verification.cause, VerificationOutcome::Cancelled, 0, 0, None);
		}
	}

	/// Forgets what a result claimed once its job leaves delivery (paid, refused or refunded);
	/// a verification still running ends without a verdict.
	pub(crate) fn end_delivery(job_id: JobId) {
		Deliveries::<T>::remove(job_id);
		if let Some(verification) = Verifications::<T>::get(job_id) {
			Self::end_verification(job_id, &verification, true);
		}
	}
}

/// The median of `values` (the lower middle one of an even count), if any.
fn median(values: &mut [Permill]) -> Option<Permill> {
	values.sort();
	values.get(values.len().saturating_sub(1) / 2).copied()
}
