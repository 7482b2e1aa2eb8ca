//! User stories of studio governance, with the bad input each must refuse.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate},
	traits::tokens::Preservation,
};
use sp_runtime::{DispatchError, TokenError};
use studio_primitives::{ModelKind, ModelRegistry, ReviewerSet, StudioParams, StyleRegistry};
use StudioParameter::*;

type Action = ActionOf<Test>;

fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn set(parameter: StudioParameter, value: u128) -> Action {
	GovernanceAction::SetParameter { parameter, value }
}

/// Account 1 proposes `action`; returns the proposal's id.
fn propose(action: Action) -> ProposalId {
	let id = NextProposalId::<Test>::get();
	assert_ok!(Governance::propose(origin(1), Box::new(action)));
	id
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Governance(event) => Some(event),
			_ => None,
		})
		.expect("the pallet emitted an event")
}

fn value(parameter: StudioParameter) -> u128 {
	Governance::parameter(parameter).unwrap()
}

#[test]
fn tightening_change_passes_on_the_fast_track_with_51_percent() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 200_000));
		assert_eq!(Proposals::<Test>::get(proposal).unwrap().track, Track::Fast);
		assert_ok!(Governance::vote(origin(1), proposal, true, 510));
		assert_ok!(Governance::vote(origin(2), proposal, false, 490));

		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(3), proposal));

		// The fast track enacts without delay.
		assert_eq!(value(MaxStyleDeviation), 200_000);
		assert_eq!(<Governance as StudioParams<u64, u64>>::max_style_deviation().deconstruct(), 200_000);
		assert_eq!(last_event(), Event::Enacted { proposal: Some(proposal) });
	});
}

#[test]
fn loosening_change_fails_on_the_slow_track_at_60_percent() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 300_000));
		assert_eq!(Proposals::<Test>::get(proposal).unwrap().track, Track::Slow);
		assert_ok!(Governance::vote(origin(1), proposal, true, 600));
		assert_ok!(Governance::vote(origin(2), proposal, false, 400));

		run_to_block(1 + SLOW_PERIOD + 1);
		assert_ok!(Governance::close(origin(3), proposal));

		assert_eq!(last_event(), Event::Rejected { proposal, ayes: 600, nays: 400, burned: 5 });
		assert_eq!(value(MaxStyleDeviation), 250_000);
	});
}

#[test]
fn loosening_change_passes_with_a_supermajority_after_the_enactment_delay() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 300_000));
		assert_ok!(Governance::vote(origin(1), proposal, true, 700));
		assert_ok!(Governance::vote(origin(2), proposal, false, 300));

		let closed_at = 1 + SLOW_PERIOD + 1;
		run_to_block(closed_at);
		assert_ok!(Governance::close(origin(3), proposal));
		let enact_at = closed_at + SLOW_DELAY;
		assert_eq!(last_event(), Event::Approved { proposal, ayes: 700, nays: 300, enact_at });

		run_to_block(enact_at - 1);
		assert_eq!(value(MaxStyleDeviation), 250_000, "not before the enactment block");
		run_to_block(enact_at);
		assert_eq!(value(MaxStyleDeviation), 300_000);
		assert!(PendingEnactments::<Test>::get(proposal).is_none());
	});
}

#[test]
fn too_little_turnout_rejects_even_a_unanimous_vote() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 200_000));
		// 10 % of 5 000 is 500; 499 is too little.
		assert_ok!(Governance::vote(origin(1), proposal, true, 499));
		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(3), proposal));
		assert_eq!(last_event(), Event::Rejected { proposal, ayes: 499, nays: 0, burned: 5 });
	});
}

#[test]
fn the_proposal_deposit_is_held_while_voting_returned_when_it_passes_and_half_burned_when_not() {
	story(|| {
		let passing = propose(set(MaxStyleDeviation, 200_000));
		let failing = propose(set(MaxStyleDeviation, 210_000));
		let held = Balances::balance_on_hold(&HoldReason::ProposalDeposit.into(), &1);
		assert_eq!(held, 2 * ProposalDeposit::get());
		assert_ok!(Governance::vote(origin(2), passing, true, 1_000));
		run_to_block(1 + FAST_PERIOD + 1);
		let issuance = Balances::total_issuance();
		assert_ok!(Governance::close(origin(2), passing));
		assert_ok!(Governance::close(origin(2), failing));
		assert_eq!(Balances::balance_on_hold(&HoldReason::ProposalDeposit.into(), &1), 0);
		assert_eq!(Balances::balance(&1), ENDOWMENT - ProposalDeposit::get() / 2);
		assert_eq!(Balances::total_issuance(), issuance - ProposalDeposit::get() / 2);
	});
}

#[test]
fn voting_more_than_ones_balance_is_refused() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 200_000));
		assert_noop!(
			Governance::vote(origin(2), proposal, true, ENDOWMENT + 1),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(Governance::vote(origin(2), proposal, true, 0), Error::<Test>::ZeroVote);
	});
}

#[test]
fn voting_after_the_end_is_refused() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 200_000));
		run_to_block(1 + FAST_PERIOD + 1);
		assert_noop!(Governance::vote(origin(2), proposal, true, 100), Error::<Test>::VotingClosed);
	});
}

#[test]
fn closing_early_or_twice_is_refused() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 200_000));
		run_to_block(1 + FAST_PERIOD);
		assert_noop!(Governance::close(origin(2), proposal), Error::<Test>::VotingOpen);
		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(2), proposal));
		assert_noop!(Governance::close(origin(2), proposal), Error::<Test>::UnknownProposal);
		assert_noop!(Governance::vote(origin(2), 99, true, 1), Error::<Test>::UnknownProposal);
	});
}

#[test]
fn out_of_bounds_values_and_too_large_steps_are_refused_for_everyone() {
	story(|| {
		// MaxStyleDeviation: bounds 10 000 ..= 600 000, step at most 100 000 from 250 000.
		let out_of_bounds: DispatchError = Error::<Test>::OutOfBounds.into();
		let step_too_large: DispatchError = Error::<Test>::StepTooLarge.into();
		for (value, error) in [
			(5_000, out_of_bounds),
			(700_000, out_of_bounds),
			(100_000, step_too_large),
			(360_000, step_too_large),
		] {
			assert_noop!(
				Governance::propose(origin(1), Box::new(set(MaxStyleDeviation, value))),
				error
			);
			assert_noop!(
				Governance::force_enact(RuntimeOrigin::root(), Box::new(set(MaxStyleDeviation, value))),
				error
			);
		}
		assert_noop!(
			Governance::force_enact(origin(1), Box::new(set(MaxStyleDeviation, 200_000))),
			DispatchError::BadOrigin
		);
		assert_ok!(Governance::force_enact(
			RuntimeOrigin::root(),
			Box::new(set(MaxStyleDeviation, 200_000))
		));
		assert_eq!(value(MaxStyleDeviation), 200_000);
	});
}

#[test]
fn enactment_checks_the_step_again() {
	story(|| {
		// A slow loosening 250 000 -> 350 000 is valid when proposed …
		let loosening = propose(set(MaxStyleDeviation, 350_000));
		// … but a fast tightening to 200 000 is enacted first.
		let tightening = propose(set(MaxStyleDeviation, 200_000));
		for proposal in [loosening, tightening] {
			assert_ok!(Governance::vote(origin(2), proposal, true, 900));
			assert_ok!(Governance::vote(origin(3), proposal, true, 900));
		}
		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(4), tightening));
		assert_eq!(value(MaxStyleDeviation), 200_000);

		run_to_block(1 + SLOW_PERIOD + 1);
		assert_ok!(Governance::close(origin(4), loosening));
		run_to_block(1 + SLOW_PERIOD + 1 + SLOW_DELAY);
		// 200 000 -> 350 000 is a step of 150 000: refused at enactment.
		assert_eq!(
			last_event(),
			Event::EnactmentFailed { proposal: loosening, error: Error::<Test>::StepTooLarge.into() }
		);
		assert_eq!(value(MaxStyleDeviation), 200_000);
	});
}

#[test]
fn unknown_styles_and_models_are_refused() {
	story(|| {
		assert_noop!(
			Governance::propose(origin(1), Box::new(GovernanceAction::RetireStyle { style: 99 })),
			Error::<Test>::UnknownStyle
		);
		assert_noop!(
			Governance::propose(origin(1), Box::new(GovernanceAction::RetireModel { model: 99 })),
			Error::<Test>::UnknownModel
		);
		assert_noop!(
			Governance::propose(
				origin(1),
				Box::new(GovernanceAction::ApproveModel {
					name: b"copy".to_vec().try_into().unwrap(),
					kind: ModelKind::Generator,
					weights_hash: GENERATOR_HASH,
					version: 2,
				})
			),
			Error::<Test>::ModelAlreadyApproved
		);
		assert_noop!(
			Governance::propose(
				origin(1),
				Box::new(GovernanceAction::AddStyle {
					name: b"empty".to_vec().try_into().unwrap(),
					reference: Default::default(),
					blend: Default::default(),
				})
			),
			Error::<Test>::EmptyStyleVector
		);
	});
}

#[test]
fn frozen_tokens_cannot_move_while_the_vote_lives_and_can_after_unlock() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 200_000));
		assert_ok!(Governance::vote(origin(2), proposal, true, 900));
		let transfer = || Balances::transfer(&2, &9, 500, Preservation::Expendable);
		assert_noop!(transfer(), TokenError::Frozen);

		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(3), proposal));
		// Closed, but the vote stays frozen until its owner unlocks.
		assert_noop!(transfer(), TokenError::Frozen);
		assert_ok!(Governance::unlock(origin(2)));
		assert_eq!(last_event(), Event::Unlocked { who: 2, still_frozen: 0 });
		assert_ok!(transfer());
		assert!(Votes::<Test>::get(2).is_empty());
	});
}

#[test]
fn the_same_tokens_vote_on_several_proposals_and_the_freeze_is_the_largest_vote() {
	story(|| {
		let first = propose(set(MaxStyleDeviation, 200_000));
		let second = propose(set(HardStyleLimit, 400_000));
		assert_ok!(Governance::vote(origin(2), first, true, 800));
		assert_ok!(Governance::vote(origin(2), second, false, 300));
		assert_eq!(Proposals::<Test>::get(first).unwrap().tally.ayes, 800);
		assert_eq!(Proposals::<Test>::get(second).unwrap().tally.nays, 300);
		// 800 frozen, not 1 100: 200 remain free.
		assert_ok!(Balances::transfer(&2, &9, 200, Preservation::Expendable));
		assert_noop!(Balances::transfer(&2, &9, 1, Preservation::Expendable), TokenError::Frozen);

		// Closing the larger vote's proposal and unlocking leaves the smaller one frozen.
		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(3), first));
		assert_ok!(Governance::unlock(origin(2)));
		assert_eq!(last_event(), Event::Unlocked { who: 2, still_frozen: 300 });
	});
}

#[test]
fn a_voter_may_change_its_vote_before_the_end() {
	story(|| {
		let proposal = propose(set(MaxStyleDeviation, 200_000));
		assert_ok!(Governance::vote(origin(2), proposal, true, 600));
		assert_ok!(Governance::vote(origin(2), proposal, false, 400));
		let tally = Proposals::<Test>::get(proposal).unwrap().tally;
		assert_eq!((tally.ayes, tally.nays), (0, 400));
		assert_eq!(Votes::<Test>::get(2).len(), 1);
	});
}

#[test]
fn an_account_keeps_at_most_max_votes_and_closed_ones_make_room() {
	story(|| {
		let proposals: Vec<_> = [(1, 200_000), (2, 210_000), (3, 220_000), (4, 230_000)]
			.into_iter()
			.map(|(proposer, v)| {
				assert_ok!(Governance::propose(origin(proposer), Box::new(set(MaxStyleDeviation, v))));
				NextProposalId::<Test>::get() - 1
			})
			.collect();
		for proposal in &proposals[..3] {
			assert_ok!(Governance::vote(origin(2), *proposal, true, 10));
		}
		assert_noop!(
			Governance::vote(origin(2), proposals[3], true, 10),
			Error::<Test>::TooManyVotes
		);
		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(3), proposals[0]));
		assert_ok!(Governance::propose(origin(3), Box::new(set(HardStyleLimit, 400_000))));
		let fresh = NextProposalId::<Test>::get() - 1;
		assert_ok!(Governance::vote(origin(2), fresh, true, 10));
	});
}

#[test]
fn models_are_approved_slowly_and_retired_fast() {
	story(|| {
		let approve = propose(GovernanceAction::ApproveModel {
			name: b"gan-face-generate".to_vec().try_into().unwrap(),
			kind: ModelKind::Generator,
			weights_hash: [9; 32],
			version: 1,
		});
		assert_eq!(Proposals::<Test>::get(approve).unwrap().track, Track::Slow);
		assert_ok!(Governance::vote(origin(2), approve, true, 1_000));
		run_to_block(1 + SLOW_PERIOD + 1);
		assert_ok!(Governance::close(origin(2), approve));
		run_to_block(1 + SLOW_PERIOD + 1 + SLOW_DELAY);
		let model = NextModelId::<Test>::get() - 1;
		assert_eq!(<Governance as ModelRegistry>::approved_model(model).unwrap().weights_hash, [9; 32]);

		let retire = propose(GovernanceAction::RetireModel { model });
		assert_eq!(Proposals::<Test>::get(retire).unwrap().track, Track::Fast);
		assert_ok!(Governance::vote(origin(2), retire, true, 1_000));
		run_to_block(System::block_number() + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(2), retire));
		assert!(<Governance as ModelRegistry>::approved_model(model).is_none());
		assert_noop!(
			Governance::propose(origin(1), Box::new(GovernanceAction::RetireModel { model })),
			Error::<Test>::ModelRetired
		);
	});
}

#[test]
fn root_enacts_any_action_at_once_with_the_same_checks() {
	story(|| {
		let approve = || {
			Box::new(GovernanceAction::ApproveModel {
				name: b"gan-face-generate".to_vec().try_into().unwrap(),
				kind: ModelKind::Generator,
				weights_hash: [9; 32],
				version: 1,
			})
		};
		assert_noop!(Governance::force_enact(origin(1), approve()), DispatchError::BadOrigin);
		assert_ok!(Governance::force_enact(RuntimeOrigin::root(), approve()));
		System::assert_last_event(Event::Enacted { proposal: None }.into());
		let model = NextModelId::<Test>::get() - 1;
		assert_eq!(<Governance as ModelRegistry>::approved_model(model).unwrap().weights_hash, [9; 32]);
		// The same weights cannot be approved twice, by root or by vote.
		assert_noop!(
			Governance::force_enact(RuntimeOrigin::root(), approve()),
			Error::<Test>::ModelAlreadyApproved
		);
		assert_ok!(Governance::force_enact(
			RuntimeOrigin::root(),
			Box::new(GovernanceAction::RetireModel { model })
		));
		assert!(<Governance as ModelRegistry>::approved_model(model).is_none());
	});
}

#[test]
fn styles_are_readable_until_retired() {
	story(|| {
		assert_eq!(
			<Governance as StyleRegistry>::active_style(0),
			Some(vec![500_000, -250_000, 125_000])
		);
		let retire = propose(GovernanceAction::RetireStyle { style: 0 });
		assert_ok!(Governance::vote(origin(2), retire, true, 1_000));
		run_to_block(1 + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(2), retire));
		assert_eq!(<Governance as StyleRegistry>::active_style(0), None);
	});
}

#[test]
fn every_council_change_is_slow_and_shrinking_below_quorum_is_refused() {
	story(|| {
		let grow = propose(GovernanceAction::SetReviewers {
			reviewers: vec![1, 2, 3, 4].try_into().unwrap(),
		});
		assert_eq!(Proposals::<Test>::get(grow).unwrap().track, Track::Slow);
		let shrink = GovernanceAction::SetReviewers { reviewers: vec![1, 2].try_into().unwrap() };
		assert_ok!(Governance::propose(origin(2), Box::new(shrink)));
		assert_eq!(Proposals::<Test>::get(grow + 1).unwrap().track, Track::Slow);
		assert_noop!(
			Governance::propose(
				origin(1),
				Box::new(GovernanceAction::SetReviewers { reviewers: vec![1].try_into().unwrap() })
			),
			Error::<Test>::QuorumAboveReviewers
		);
		assert_noop!(
			Governance::propose(
				origin(1),
				Box::new(GovernanceAction::SetReviewers {
					reviewers: vec![1, 2, 2].try_into().unwrap()
				})
			),
			Error::<Test>::DuplicateReviewer
		);
		// The quorum cannot rise above the council either.
		assert_noop!(
			Governance::force_enact(RuntimeOrigin::root(), Box::new(set(ReviewQuorum, 4))),
			Error::<Test>::QuorumAboveReviewers
		);
		assert!(<Governance as ReviewerSet<u64>>::is_reviewer(&3));
		assert_eq!(<Governance as ReviewerSet<u64>>::reviewer_count(), 3);
	});
}

#[test]
fn at_most_max_active_proposals_are_open() {
	story(|| {
		for (proposer, v) in [(1, 200_000), (2, 210_000), (3, 220_000), (4, 230_000)] {
			assert_ok!(Governance::propose(origin(proposer), Box::new(set(MaxStyleDeviation, v))));
		}
		assert_noop!(
			Governance::propose(origin(5), Box::new(set(MaxStyleDeviation, 240_000))),
			Error::<Test>::TooManyProposals
		);
	});
}

#[test]
fn genesis_refuses_a_parameter_outside_its_bounds() {
	let mut parameters = default_parameters();
	parameters[0].1 = 999_999;
	let config = GenesisConfig::<Test> { parameters, ..Default::default() };
	sp_io::TestExternalities::default().execute_with(|| {
		assert!(Governance::build_genesis(&config).unwrap_err().contains("outside its bounds"));
	});
}

#[test]
fn a_stylize_style_carries_a_valid_blend_slowly_added_fast_retired() {
	story(|| {
		let blend = |terms: &[(u8, u32)]| -> studio_primitives::StyleBlend {
			terms
				.iter()
				.map(|(basis, ppm)| studio_primitives::BasisWeight { basis: *basis, weight: sp_runtime::Permill::from_parts(*ppm) })
				.collect::<Vec<_>>()
				.try_into()
				.unwrap()
		};
		let style = |terms: &[(u8, u32)]| GovernanceAction::AddStyle {
			name: b"starry swirl".to_vec().try_into().unwrap(),
			reference: vec![1, 2, 3].try_into().unwrap(),
			blend: blend(terms),
		};
		let cases: [(&[(u8, u32)], fn() -> Error<Test>); 4] = [
			(&[(26, 1_000_000)], || Error::BasisStyleOutOfRange),
			(&[(3, 500_000), (3, 500_000)], || Error::DuplicateBasisStyle),
			(&[(3, 500_000), (4, 400_000)], || Error::BlendNotNormalized),
			(&[(3, 1_000_000), (4, 0)], || Error::BlendNotNormalized),
		];
		for (terms, error) in cases {
			assert_noop!(Governance::propose(origin(1), Box::new(style(terms))), error());
			assert_noop!(Governance::force_enact(RuntimeOrigin::root(), Box::new(style(terms))), error());
		}
		// Adding a style (re-weighting is adding the new blend) is slow; retiring one is fast.
		let add = propose(style(&[(16, 600_000), (19, 400_000)]));
		assert_eq!(Proposals::<Test>::get(add).unwrap().track, Track::Slow);
		assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(style(&[(16, 600_000), (19, 400_000)]))));
		let added = NextStyleId::<Test>::get() - 1;
		let read = <Governance as StyleRegistry>::stylize_blend(added).unwrap();
		assert_eq!(read, blend(&[(16, 600_000), (19, 400_000)]).into_inner());
		// A generator's style has no blend to paint with.
		assert_eq!(<Governance as StyleRegistry>::stylize_blend(0), None);
		let retire = propose(GovernanceAction::RetireStyle { style: added });
		assert_eq!(Proposals::<Test>::get(retire).unwrap().track, Track::Fast);
		assert_ok!(Governance::force_enact(RuntimeOrigin::root(), Box::new(GovernanceAction::RetireStyle { style: added })));
		assert_eq!(<Governance as StyleRegistry>::stylize_blend(added), None);
	});
}

/// A node's reading of a runtime's version, as the executor gives `frame_system` when it
/// checks an upgrade: here, whatever version the test says the code carries.
struct CodeVersion(sp_version::RuntimeVersion);

impl sp_core::traits::ReadRuntimeVersion for CodeVersion {
	fn read_runtime_version(&self, _: &[u8], _: &mut dyn sp_core::traits::Externalities) -> Result<Vec<u8>, String> {
		Ok(codec::Encode::encode(&self.0))
	}
}

/// A story whose runtime code, when checked, carries the current spec name with the spec
/// version raised by `raise` (zero: the same version).
fn upgrade_story(raise: u32, test: impl FnOnce()) {
	let current: sp_version::RuntimeVersion = <<Test as frame_system::Config>::Version as frame_support::traits::Get<_>>::get();
	let next = sp_version::RuntimeVersion { spec_version: current.spec_version + raise, ..current };
	let mut ext = new_test_ext();
	ext.register_extension(sp_core::traits::ReadRuntimeVersionExt::new(CodeVersion(next)));
	ext.execute_with(|| {
		test();
		Governance::do_try_state().expect("the pallet's invariants hold");
	});
}

fn code_hash(code: &[u8]) -> sp_core::H256 {
	sp_core::H256(sp_io::hashing::blake2_256(code))
}

/// Passes `action` on the slow track with two thirds of the issuance, and enacts it.
fn pass_slowly(action: Action) -> ProposalId {
	let proposal = propose(action);
	assert_eq!(Proposals::<Test>::get(proposal).unwrap().track, Track::Slow);
	for voter in [2, 3, 4, 5] {
		assert_ok!(Governance::vote(origin(voter), proposal, true, 1_000));
	}
	run_to_block(System::block_number() + SLOW_PERIOD + 1);
	assert_ok!(Governance::close(origin(1), proposal));
	run_to_block(System::block_number() + SLOW_DELAY);
	assert_eq!(last_event(), Event::Enacted { proposal: Some(proposal) });
	proposal
}

#[test]
fn a_runtime_upgrade_passed_by_vote_is_applied_by_anyone_and_only_that_code() {
	upgrade_story(1, || {
		let code = b"the next runtime".to_vec();
		let apply = |who: u64, code: &[u8]| System::apply_authorized_upgrade(origin(who), code.to_vec());
		// Nothing is authorized while the vote runs: no account can upgrade the runtime.
		let proposal = propose(GovernanceAction::AuthorizeUpgrade { code_hash: code_hash(&code) });
		assert_eq!(Proposals::<Test>::get(proposal).unwrap().track, Track::Slow);
		assert_noop!(apply(1, &code), frame_system::Error::<Test>::NothingAuthorized);
		assert_ok!(Governance::vote(origin(2), proposal, true, 1_000));
		assert_ok!(Governance::vote(origin(3), proposal, true, 1_000));
		run_to_block(1 + SLOW_PERIOD + 1);
		assert_ok!(Governance::close(origin(4), proposal));
		// Passed, but not before its enactment delay.
		assert_noop!(apply(4, &code), frame_system::Error::<Test>::NothingAuthorized);
		run_to_block(1 + SLOW_PERIOD + 1 + SLOW_DELAY);
		let authorized = System::authorized_upgrade().expect("the vote authorized the code");
		assert_eq!(authorized.code_hash(), &code_hash(&code));
		let with_checks = frame_system::Event::UpgradeAuthorized { code_hash: code_hash(&code), check_version: true };
		assert!(System::events().iter().any(|record| record.event == RuntimeEvent::System(with_checks.clone())));

		// Other code is refused; the voted code is applied by an account that took no part, free.
		assert_noop!(apply(5, b"a runtime nobody voted for"), frame_system::Error::<Test>::Unauthorized);
		let applied = apply(5, &code).expect("the voted code is applied");
		assert_eq!(applied.pays_fee, frame_support::dispatch::Pays::No);
		assert_eq!(sp_io::storage::get(sp_core::storage::well_known_keys::CODE).as_deref(), Some(&code[..]));
		assert!(System::authorized_upgrade().is_none());
		assert_noop!(apply(5, &code), frame_system::Error::<Test>::NothingAuthorized);
	});
}

// frame-system skips the version check when built with `runtime-benchmarks` (its benchmarks set
// code of any version), so this story holds only in a build without it.
#[cfg(not(feature = "runtime-benchmarks"))]
#[test]
fn an_authorized_runtime_that_does_not_raise_the_spec_version_is_rejected_and_a_later_vote_replaces_it() {
	upgrade_story(0, || {
		let (first, second, stale) = (b"first".to_vec(), b"second".to_vec(), b"same version".to_vec());
		// A later authorization replaces one not yet applied.
		pass_slowly(GovernanceAction::AuthorizeUpgrade { code_hash: code_hash(&first) });
		pass_slowly(GovernanceAction::AuthorizeUpgrade { code_hash: code_hash(&second) });
		assert_noop!(System::apply_authorized_upgrade(origin(5), first), frame_system::Error::<Test>::Unauthorized);
		// The node reads the code's version: one that does not raise it is rejected, the code
		// stays as it was, the caller pays nothing and the authorization is spent.
		pass_slowly(GovernanceAction::AuthorizeUpgrade { code_hash: code_hash(&stale) });
		let code_before = sp_io::storage::get(sp_core::storage::well_known_keys::CODE);
		let applied = System::apply_authorized_upgrade(origin(5), stale.clone()).unwrap();
		assert_eq!(applied.pays_fee, frame_support::dispatch::Pays::No);
		let rejected = System::events().into_iter().any(|record| {
			matches!(record.event, RuntimeEvent::System(frame_system::Event::RejectedInvalidAuthorizedUpgrade { code_hash: hash, .. }) if hash == code_hash(&stale))
		});
		assert!(rejected, "the rejection is an event");
		assert_eq!(sp_io::storage::get(sp_core::storage::well_known_keys::CODE), code_before);
		assert!(System::authorized_upgrade().is_none());
	});
}

#[test]
fn an_upgrade_takes_no_shortcut_past_the_slow_vote() {
	story(|| {
		let code_hash = code_hash(b"a runtime");
		// A zero hash is no runtime's.
		assert_noop!(
			Governance::propose(origin(1), Box::new(GovernanceAction::AuthorizeUpgrade { code_hash: Default::default() })),
			Error::<Test>::NoCodeHash
		);
		// A signed account cannot enact it without a vote; a vote short of two thirds fails.
		assert_noop!(
			Governance::force_enact(origin(1), Box::new(GovernanceAction::AuthorizeUpgrade { code_hash })),
			DispatchError::BadOrigin
		);
		let proposal = propose(GovernanceAction::AuthorizeUpgrade { code_hash });
		assert_ok!(Governance::vote(origin(4), proposal, true, 1_000));
		assert_ok!(Governance::vote(origin(2), proposal, false, 600));
		run_to_block(1 + SLOW_PERIOD + 1);
		assert_ok!(Governance::close(origin(3), proposal));
		assert!(matches!(last_event(), Event::Rejected { .. }));
		run_to_block(1 + SLOW_PERIOD + 1 + SLOW_DELAY);
		assert!(System::authorized_upgrade().is_none());
	});
}

/// Passes `action` on the fast track with a simple majority, at once.
fn pass_fast(action: Action) -> ProposalId {
	let proposal = propose(action);
	assert_eq!(Proposals::<Test>::get(proposal).unwrap().track, Track::Fast);
	assert_ok!(Governance::vote(origin(2), proposal, true, 600));
	run_to_block(System::block_number() + FAST_PERIOD + 1);
	assert_ok!(Governance::close(origin(3), proposal));
	proposal
}

#[test]
fn validators_join_by_a_slow_vote_and_leave_by_a_fast_one() {
	story(|| {
		let add = |validator| GovernanceAction::AddValidator { validator };
		let remove = |validator| GovernanceAction::RemoveValidator { validator };
		// What could not work is refused when proposed.
		for (action, error) in [
			(add(5), Error::<Test>::NoSessionKeys),
			(add(1), Error::<Test>::AlreadyValidator),
			(remove(9), Error::<Test>::NotValidator),
			(remove(1), Error::<Test>::TooFewValidators),
		] {
			assert_noop!(Governance::propose(origin(1), Box::new(action)), error);
		}
		pass_slowly(add(3));
		assert_eq!(MockValidators::validators(), vec![1, 2, 3]);
		let removal = pass_fast(remove(1));
		assert_eq!(last_event(), Event::Enacted { proposal: Some(removal) });
		assert_eq!(MockValidators::validators(), vec![2, 3]);
	});
}

#[test]
fn racing_fast_removals_cannot_shrink_the_set_below_its_floor() {
	story(|| {
		pass_slowly(GovernanceAction::AddValidator { validator: 3 });
		// Two removals, each valid alone while the set has three validators.
		let first = propose(GovernanceAction::RemoveValidator { validator: 1 });
		let second = propose(GovernanceAction::RemoveValidator { validator: 2 });
		for proposal in [first, second] {
			assert_ok!(Governance::vote(origin(3), proposal, true, 600));
		}
		run_to_block(System::block_number() + FAST_PERIOD + 1);
		assert_ok!(Governance::close(origin(4), first));
		assert_ok!(Governance::close(origin(4), second));
		// The second is checked again when enacted, and fails.
		assert_eq!(
			last_event(),
			Event::EnactmentFailed { proposal: second, error: Error::<Test>::TooFewValidators.into() }
		);
		assert_eq!(MockValidators::validators(), vec![2, 3]);
	});
}

#[test]
fn a_candidate_that_purges_its_keys_after_the_vote_opens_is_not_added() {
	story(|| {
		// Proposed with keys, then keys purged to stall finality once it joins: the enactment
		// checks again and fails, and the set stays as it was.
		let proposal = propose(GovernanceAction::AddValidator { validator: 3 });
		MockValidators::purge_keys(3);
		for voter in [2, 3, 4, 5] {
			assert_ok!(Governance::vote(origin(voter), proposal, true, 1_000));
		}
		run_to_block(System::block_number() + SLOW_PERIOD + 1);
		assert_ok!(Governance::close(origin(1), proposal));
		run_to_block(System::block_number() + SLOW_DELAY);
		assert_eq!(last_event(), Event::EnactmentFailed { proposal, error: Error::<Test>::NoSessionKeys.into() });
		assert_eq!(MockValidators::validators(), vec![1, 2]);
	});
}
