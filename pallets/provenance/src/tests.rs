//! Provenance as its users meet it: artists register their work, the escrow records outputs,
//! tools trace lineage.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, Permill};
use studio_primitives::{AssetLedger, Generation};

const ARTIST: u64 = 1;
const CLIENT: u64 = 2;
const WORKER: u64 = 3;

fn origin(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn parents(cids: &[&CidBytes]) -> ParentsOf<Test> {
	ParentsOf::<Test>::try_from(cids.iter().map(|cid| (*cid).clone()).collect::<Vec<_>>()).unwrap()
}

fn register(cid: &CidBytes, parent_cids: &[&CidBytes]) {
	assert_ok!(Provenance::register_external(origin(ARTIST), cid.clone(), parents(parent_cids)));
}

fn generation(job: u64) -> Generation<u64> {
	Generation {
		worker: WORKER,
		job,
		model: 0,
		weights_hash: [7; 32],
		prompt_hash: [1; 32],
		seed: 42,
		settings_hash: [2; 32],
		candidates_tried: 16,
		style_deviation: Permill::from_parts(120_000),
		quality: Permill::from_parts(800_000),
	}
}

fn bytes(raw: &[u8]) -> CidBytes {
	CidBytes::try_from(raw.to_vec()).unwrap()
}

#[test]
fn an_artist_registers_a_sketch_as_a_lineage_root() {
	story(|| {
		let sketch = cid_of(b"pencil sketch of an eye");
		register(&sketch, &[]);
		let record = Provenance::asset(&sketch).unwrap();
		assert_eq!(record.creator, ARTIST);
		assert_eq!(record.owner, ARTIST);
		assert_eq!(record.status, AssetStatus::External);
		assert_eq!(record.generation, None);
		assert_eq!(record.recorded_at, 1);
		assert_eq!(record.recorded_at_ms, NOW_MS);
		System::assert_has_event(Event::AssetRecorded { cid: sketch, creator: ARTIST, job: None }.into());
	});
}

#[test]
fn only_sha2_256_cidv1_with_raw_or_dag_pb_is_accepted() {
	story(|| {
		let digest = [9u8; 32];
		let with = |prefix: &[u8], digest: &[u8]| bytes(&[prefix, digest].concat());
		// dag-pb is accepted as well as raw.
		register(&with(&[0x01, 0x70, 0x12, 0x20], &digest), &[]);
		let refused = [
			// CIDv0 (a bare sha2-256 multihash).
			with(&[0x12, 0x20], &digest),
			// dag-cbor codec.
			with(&[0x01, 0x71, 0x12, 0x20], &digest),
			// identity multihash.
			with(&[0x01, 0x55, 0x00, 0x20], &digest),
			// sha2-256 with a 16-byte digest.
			with(&[0x01, 0x55, 0x12, 0x10], &digest[..16]),
			// a truncated digest.
			with(&[0x01, 0x55, 0x12, 0x20], &digest[..31]),
			// bytes after the CID.
			with(&[0x01, 0x55, 0x12, 0x20], &[&digest[..], &[0]].concat()),
			// CID version 2.
			with(&[0x02, 0x55, 0x12, 0x20], &digest),
			// nothing at all.
			bytes(&[]),
		];
		for cid in refused {
			assert_noop!(
				Provenance::register_external(origin(ARTIST), cid, Default::default()),
				Error::<Test>::InvalidCid
			);
		}
	});
}

#[test]
fn a_cid_is_recorded_once_and_a_registration_gives_way_to_a_studio_output() {
	story(|| {
		let sketch = cid_of(b"sketch");
		register(&sketch, &[]);
		assert_noop!(
			Provenance::register_external(origin(CLIENT), sketch.clone(), Default::default()),
			Error::<Test>::AssetExists
		);
		// The studio's output takes the registration's place: registering proves nothing.
		let output = cid_of(b"an output someone registered first");
		register(&output, &[&sketch]);
		assert_ok!(Provenance::record_generated(output.clone(), CLIENT, vec![], generation(0)));
		let record = Provenance::asset(&output).unwrap();
		assert!(record.generation.is_some());
		assert!(record.parents.is_empty());
		assert!(Provenance::derivatives(&sketch).is_empty());
		// A studio output is recorded once, and cannot be registered over.
		assert_noop!(
			Provenance::record_generated(output.clone(), CLIENT, vec![], generation(1)),
			Error::<Test>::AssetExists
		);
		assert_noop!(
			Provenance::register_external(origin(CLIENT), output.clone(), Default::default()),
			Error::<Test>::AssetExists
		);
		// Nor can an output name itself as its parent.
		let own = cid_of(b"its own parent");
		register(&own, &[]);
		assert_noop!(
			Provenance::record_generated(own.clone(), CLIENT, vec![own], generation(2)),
			Error::<Test>::DuplicateParent
		);
	});
}

#[test]
fn parents_must_be_recorded_and_named_once() {
	story(|| {
		let sketch = cid_of(b"sketch");
		let study = cid_of(b"study");
		assert_noop!(
			Provenance::register_external(origin(ARTIST), study.clone(), parents(&[&sketch])),
			Error::<Test>::UnknownParent
		);
		register(&sketch, &[]);
		assert_noop!(
			Provenance::register_external(origin(ARTIST), study.clone(), parents(&[&sketch, &sketch])),
			Error::<Test>::DuplicateParent
		);
		let too_many = (0..4u8).map(|n| cid_of(&[n])).collect();
		assert_noop!(
			Provenance::record_generated(study, CLIENT, too_many, generation(0)),
			Error::<Test>::TooManyParents
		);
	});
}

#[test]
fn the_owner_hands_an_asset_on_and_no_one_else_can() {
	story(|| {
		let sketch = cid_of(b"sketch");
		register(&sketch, &[]);
		assert_noop!(
			Provenance::transfer_asset(origin(CLIENT), sketch.clone(), CLIENT),
			Error::<Test>::NotOwner
		);
		assert_ok!(Provenance::transfer_asset(origin(ARTIST), sketch.clone(), CLIENT));
		let record = Provenance::asset(&sketch).unwrap();
		assert_eq!((record.creator, record.owner), (ARTIST, CLIENT));
		System::assert_last_event(
			Event::AssetTransferred { cid: sketch.clone(), from: ARTIST, to: CLIENT }.into(),
		);
		assert_noop!(
			Provenance::transfer_asset(origin(ARTIST), sketch, WORKER),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Provenance::transfer_asset(origin(ARTIST), cid_of(b"nothing"), CLIENT),
			Error::<Test>::UnknownAsset
		);
		assert_noop!(
			Provenance::transfer_asset(RuntimeOrigin::none(), cid_of(b"nothing"), CLIENT),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_generated_output_records_how_it_was_made_and_moves_to_final() {
	story(|| {
		let sketch = cid_of(b"sketch");
		register(&sketch, &[]);
		let output = cid_of(b"png bytes");
		assert_ok!(Provenance::record_generated(
			output.clone(),
			CLIENT,
			vec![sketch.clone()],
			generation(5)
		));
		let record = Provenance::asset(&output).unwrap();
		assert_eq!((record.creator, record.owner), (CLIENT, CLIENT));
		assert_eq!(record.status, AssetStatus::Delivered);
		assert_eq!(record.generation, Some(generation(5)));
		assert_eq!(record.parents.to_vec(), vec![sketch.clone()]);
		System::assert_last_event(
			Event::AssetRecorded { cid: output.clone(), creator: CLIENT, job: Some(5) }.into(),
		);
		assert!(<Provenance as AssetLedger<u64>>::contains(&output));

		<Provenance as AssetLedger<u64>>::set_status(&output, AssetStatus::Final);
		assert_eq!(Provenance::asset(&output).unwrap().status, AssetStatus::Final);
		System::assert_last_event(
			Event::AssetStatusChanged { cid: output, status: AssetStatus::Final }.into(),
		);
		assert_eq!(Provenance::derivatives(&sketch).len(), 1);
	});
}

#[test]
fn lineage_walks_ancestors_nearest_first_each_once_within_depth_and_limit() {
	story(|| {
		// root ← a, root ← b, (a, b) ← c, c ← d: a diamond under a chain.
		let [root, a, b, c, d] = [b"root", b"a___", b"b___", b"c___", b"d___"].map(|n| cid_of(n));
		register(&root, &[]);
		register(&a, &[&root]);
		register(&b, &[&root]);
		register(&c, &[&a, &b]);
		register(&d, &[&c]);

		let ancestors = |cid, depth| -> Vec<(CidBytes, u32)> {
			Provenance::lineage(cid, depth).into_iter().map(|a| (a.cid, a.depth)).collect()
		};
		assert_eq!(ancestors(&d, 0), vec![]);
		assert_eq!(ancestors(&d, 1), vec![(c.clone(), 1)]);
		assert_eq!(
			ancestors(&d, 10),
			vec![(c.clone(), 1), (a.clone(), 2), (b.clone(), 2), (root.clone(), 3)]
		);
		assert_eq!(ancestors(&root, 10), vec![]);
		assert_eq!(ancestors(&cid_of(b"unknown"), 10), vec![]);

		// The mock returns at most five ancestors.
		let mut previous = d.clone();
		for n in 0..5u8 {
			let next = cid_of(&[b'e', n]);
			register(&next, &[&previous]);
			previous = next;
		}
		assert_eq!(Provenance::lineage(&previous, 100).len(), 5);

		let mut derivatives = Provenance::derivatives(&root);
		derivatives.sort();
		let mut expected = vec![a, b];
		expected.sort();
		assert_eq!(derivatives, expected);
	});
}

#[test]
fn derivatives_are_bounded() {
	story(|| {
		let root = cid_of(b"root");
		register(&root, &[]);
		for n in 0..6u8 {
			register(&cid_of(&[n]), &[&root]);
		}
		assert_eq!(Provenance::derivatives(&root).len(), 4);
	});
}

#[test]
fn a_registration_holds_a_deposit_that_a_studio_output_taking_its_place_burns() {
	use frame_support::traits::fungible::{Inspect, InspectHold};
	story(|| {
		let held = || Balances::balance_on_hold(&HoldReason::ExternalAsset.into(), &ARTIST);
		let sketch = cid_of(b"a sketch");
		register(&sketch, &[]);
		assert_eq!(held(), DEPOSIT);
		assert_eq!(ExternalDeposits::<Test>::get(&sketch), Some((ARTIST, DEPOSIT)));
		// Transferring the asset leaves the deposit with its registrar.
		assert_ok!(Provenance::transfer_asset(origin(ARTIST), sketch.clone(), CLIENT));
		assert_eq!(held(), DEPOSIT);
		let issuance = Balances::total_issuance();
		assert_ok!(Provenance::record_generated(sketch.clone(), CLIENT, vec![], generation(0)));
		System::assert_has_event(
			Event::ExternalSuperseded { cid: sketch.clone(), registrar: ARTIST, burned: DEPOSIT }.into(),
		);
		assert_eq!(held(), 0);
		assert_eq!(Balances::total_balance(&ARTIST), ENDOWMENT - DEPOSIT);
		assert_eq!(Balances::total_issuance(), issuance - DEPOSIT);
		assert!(ExternalDeposits::<Test>::get(&sketch).is_none());
		// Nobody registers without the deposit.
		let broke: u64 = 9;
		assert!(Provenance::register_external(origin(broke), cid_of(b"free?"), Default::default()).is_err());
	});
}

#[test]
fn an_output_that_would_descend_from_the_registration_it_replaces_is_refused() {
	story(|| {
		// Someone registers a CID, then a child of it; an output with that CID naming the child
		// as its parent would close a cycle.
		let squatted = cid_of(b"the output's bytes");
		let child = cid_of(b"a child of the squatted CID");
		register(&squatted, &[]);
		register(&child, &[&squatted]);
		assert_noop!(
			Provenance::record_generated(squatted.clone(), CLIENT, vec![child.clone()], generation(0)),
			Error::<Test>::LineageCycle
		);
		// Without that parent, the output takes the registration's place as usual.
		assert_ok!(Provenance::record_generated(squatted.clone(), CLIENT, vec![], generation(0)));
		assert_eq!(Provenance::lineage(&child, 8), vec![Ancestor { cid: squatted, depth: 1 }]);
	});
}
