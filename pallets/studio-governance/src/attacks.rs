//! The security review's attacks on governance (`docs/security.md`): capture through the fast
//! track, blocking the proposal slots, enacting a stale proposal.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use StudioParameter::*;

fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn set(parameter: StudioParameter, value: u128) -> ActionOf<Test> {
	GovernanceAction::SetParameter { parameter, value }
}

fn propose_by(who: u64, action: ActionOf<Test>) -> ProposalId {
	let id = NextProposalId::<Test>::get();
	assert_ok!(Governance::propose(origin(who), Box::new(action)));
	id
}

fn track(proposal: ProposalId) -> Track {
	Proposals::<Test>::get(proposal).unwrap().track
}

/// H7: a small faction uses the fast track (simple majority, low turnout, no delay) to take a
/// parameter to an extreme in one step, or to pack the reviewer council. Both go slow.
#[test]
fn h7_one_step_extremes_and_council_changes_are_not_fast_track_actions() {
	story(|| {
		// The largest step of the deviation limit is 100 000; tightening by it all at once
		// would trip every agent on its next result.
		let extreme = propose_by(1, set(MaxStyleDeviation, 150_000));
		assert_eq!(track(extreme), Track::Slow);
		let careful = propose_by(2, set(MaxStyleDeviation, 200_000));
		assert_eq!(track(careful), Track::Fast);
		// Adding one reviewer of the faction's own: slow, like every other council change.
		let packed = GovernanceAction::SetReviewers { reviewers: vec![1, 2, 3, 5].try_into().unwrap() };
		let packed = propose_by(3, packed);
		assert_eq!(track(packed), Track::Slow);
		// Passed with the fast track's numbers (a bare majority, 20 % turnout) the packed
		// council fails the slow track's two thirds.
		assert_ok!(Governance::vote(origin(5), packed, true, 600));
		assert_ok!(Governance::vote(origin(4), packed, false, 400));
		run_to_block(1 + SLOW_PERIOD + 1);
		assert_ok!(Governance::close(origin(4), packed));
		assert!(!<Governance as studio_primitives::ReviewerSet<u64>>::is_reviewer(&5));
	});
}

/// H8: an attacker fills every proposal slot with proposals nobody wants. One account holds at
/// most `MaxProposalsPerAccount`; slow proposals never take the fast track's slots; each failed
/// proposal burns half its deposit.
#[test]
fn h8_nobody_can_fill_every_slot_for_free() {
	story(|| {
		let style = |name: &[u8]| GovernanceAction::AddStyle {
			name: name.to_vec().try_into().unwrap(),
			reference: vec![1, 2, 3].try_into().unwrap(),
			blend: Default::default(),
		};
		let first = propose_by(4, style(b"spam one"));
		propose_by(4, style(b"spam two"));
		assert_noop!(
			Governance::propose(origin(4), Box::new(style(b"spam three"))),
			Error::<Test>::TooManyProposalsByAccount
		);
		// A Sybil fills the rest of the slow slots (three of four in the mock).
		propose_by(5, style(b"spam four"));
		assert_noop!(
			Governance::propose(origin(5), Box::new(style(b"spam five"))),
			Error::<Test>::TooManyProposals
		);
		// The studio can still tighten.
		let tighten = propose_by(1, set(MaxStyleDeviation, 200_000));
		assert_eq!(track(tighten), Track::Fast);
		// Refilling a slot when it frees costs half a deposit each time.
		run_to_block(1 + SLOW_PERIOD + 1);
		let before = Balances::balance(&4) + Balances::balance_on_hold(&HoldReason::ProposalDeposit.into(), &4);
		assert_ok!(Governance::close(origin(4), first));
		let after = Balances::balance(&4) + Balances::balance_on_hold(&HoldReason::ProposalDeposit.into(), &4);
		assert_eq!(before - after, ProposalDeposit::get() / 2);
	});
}

/// M13: a proposal that passed long ago is closed, and so enacted, whenever it suits someone.
/// Past `CloseWindow` it has expired: nothing is enacted.
#[test]
fn m13_a_stale_passed_proposal_expires_instead_of_being_enacted() {
	story(|| {
		let proposal = propose_by(1, set(MaxStyleDeviation, 200_000));
		assert_ok!(Governance::vote(origin(2), proposal, true, 1_000));
		let ends = 1 + FAST_PERIOD;
		run_to_block(ends + CLOSE_WINDOW + 1);
		assert_ok!(Governance::close(origin(3), proposal));
		System::assert_last_event(Event::Expired { proposal, burned: ProposalDeposit::get() / 2 }.into());
		assert_eq!(Governance::parameter(MaxStyleDeviation).unwrap(), 250_000);
		assert!(Proposals::<Test>::get(proposal).is_none());
	});
}
