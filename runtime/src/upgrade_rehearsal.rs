//! The runtime upgrade rehearsal (`--features try-runtime`): this build's runtime upgrades a
//! chain's state the way the node would apply it, and every check `try-runtime` makes must hold —
//! the migrations' pre- and post-upgrade checks, every pallet's on-chain storage version equal to
//! its code's (a forgotten migration), the whole state decoding with this build's types (a
//! changed layout without a migration), every pallet's `try_state` invariants — and running the
//! upgrade twice changes nothing the second time.
//!
//! The state is a snapshot of a running chain when `STUDIO_TRY_UPGRADE_URI` names one of its
//! nodes (`scripts/try-upgrade.sh` takes the snapshot from a dev chain it fills with jobs, assets
//! and votes, or from the node you name), else the dev preset's genesis state.

use crate::{tests::preset_externalities, Block, Executive, Runtime, VERSION};
use frame_support::{
	traits::{GetStorageVersion, StorageVersion},
	weights::Weight,
};
use frame_try_runtime::UpgradeCheckSelect;
use sp_genesis_builder::DEV_RUNTIME_PRESET;

/// The node whose state the rehearsal takes, over its WebSocket RPC (`ws://127.0.0.1:9944`).
const SNAPSHOT_URI: &str = "STUDIO_TRY_UPGRADE_URI";

/// A running chain's state as raw trie nodes and its root.
type RawSnapshot = (Vec<(Vec<u8>, (Vec<u8>, i32))>, sp_core::H256);

/// The state to upgrade: the named node's chain at its finalized head (scraped once, shared by
/// every test), or the dev preset's genesis.
fn chain_state() -> sp_io::TestExternalities {
	static SNAPSHOT: std::sync::OnceLock<Option<RawSnapshot>> = std::sync::OnceLock::new();
	match SNAPSHOT.get_or_init(|| std::env::var(SNAPSHOT_URI).ok().map(|uri| snapshot_of(&uri))) {
		Some((storage, root)) =>
			sp_io::TestExternalities::from_raw_snapshot(storage.clone(), *root, VERSION.state_version()),
		None => preset_externalities(DEV_RUNTIME_PRESET),
	}
}

/// The finalized state of the chain whose node answers at `uri`.
fn snapshot_of(uri: &str) -> RawSnapshot {
	use frame_remote_externalities::{Builder, Mode, OnlineConfig};
	let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
	let snapshot = runtime.block_on(Builder::<Block>::new().mode(Mode::Online(OnlineConfig::from(uri.to_owned()))).build());
	let snapshot = snapshot.unwrap_or_else(|error| panic!("cannot take a snapshot of {uri}: {error:?}"));
	println!("rehearsing the upgrade on a snapshot of {uri} at block #{}", snapshot.header.number);
	// The same trie, taken under sp-io's hasher type (both are blake2-256).
	snapshot.inner_ext.into_raw_snapshot()
}

/// Applies this runtime's upgrade to `state` with every check, as `try-runtime
/// on-runtime-upgrade` does: the weight it declares, or why it failed.
fn upgrade(state: &mut sp_io::TestExternalities) -> Result<Weight, sp_runtime::TryRuntimeError> {
	state.execute_with(|| Executive::try_runtime_upgrade(UpgradeCheckSelect::All))
}

fn state_root(state: &mut sp_io::TestExternalities) -> Vec<u8> {
	state.execute_with(|| sp_io::storage::root(VERSION.state_version()))
}

#[test]
fn this_runtime_upgrades_the_chain_with_every_check_passing_and_a_second_run_changes_nothing() {
	let mut state = chain_state();
	let weight = upgrade(&mut state).unwrap_or_else(|error| panic!("the upgrade fails its checks: {error:?}"));
	let max_block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	println!("the upgrade declares {weight} (a block holds {max_block})");
	assert!(weight.all_lte(max_block), "the upgrade ({weight}) does not fit in one block ({max_block})");
	state.execute_with(|| {
		let recorded = frame_system::LastRuntimeUpgrade::<Runtime>::get().expect("recorded by the upgrade");
		assert_eq!(recorded.spec_version, codec::Compact(VERSION.spec_version));
	});
	// Idempotent: the upgrade applied again (a node restarting mid-upgrade) leaves the state as is.
	let before = state_root(&mut state);
	upgrade(&mut state).unwrap_or_else(|error| panic!("the second run fails its checks: {error:?}"));
	assert_eq!(state_root(&mut state), before, "a second run of the upgrade changed the state");
}

#[test]
fn a_pallet_whose_migration_was_forgotten_fails_the_rehearsal() {
	let mut state = chain_state();
	state.execute_with(|| {
		assert_eq!(pallet_provenance::Pallet::<Runtime>::on_chain_storage_version(), StorageVersion::new(1));
		// The chain is one version behind the code, as when a layout change ships without its
		// migration.
		StorageVersion::new(0).put::<pallet_provenance::Pallet<Runtime>>();
	});
	let refused = upgrade(&mut state).expect_err("a storage version behind the code must fail");
	assert!(format!("{refused:?}").contains("storage version"), "{refused:?}");
}

#[test]
fn state_this_runtime_cannot_decode_fails_the_rehearsal() {
	let mut state = chain_state();
	state.execute_with(|| {
		// A job record in a layout this build does not know (as after a type change without a
		// migration).
		let key = pallet_job_escrow::Jobs::<Runtime>::hashed_key_for(u64::MAX);
		sp_io::storage::set(&key, &[0xff; 3]);
	});
	let refused = upgrade(&mut state).expect_err("undecodable state must fail");
	assert!(format!("{refused:?}").to_lowercase().contains("decode"), "{refused:?}");
}
