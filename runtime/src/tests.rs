//! Tests of the runtime's composition: genesis presets, the treasury and where fees go.

use crate::{
	genesis_config_presets, AccountId, Balances, Grandpa, Runtime, RuntimeGenesisConfig,
	StudioTreasuryAccount, StudioTreasuryPalletId, EXISTENTIAL_DEPOSIT,
};
use frame_support::{
	dispatch::DispatchInfo,
	traits::fungible::Inspect,
	weights::Weight,
};
use pallet_transaction_payment::OnChargeTransaction;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::AccountIdConversion, BuildStorage};

/// The genesis state of the named preset, as the node would build it.
pub(crate) fn preset_externalities(preset: &str) -> sp_io::TestExternalities {
	let patch = genesis_config_presets::get_preset(&preset.into()).expect("the preset exists");
	patch_externalities(serde_json::from_slice(&patch).unwrap())
}

/// The genesis state of a genesis patch, as the node would build it.
fn patch_externalities(patch: serde_json::Value) -> sp_io::TestExternalities {
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	json_merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).unwrap();
	config.build_storage().unwrap().into()
}

/// Merges a preset's patch into the default genesis config, as the node's chain spec builder does.
fn json_merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) =>
			for (key, value) in patch {
				json_merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			},
		(base, patch) => *base = patch,
	}
}

fn free_balance(who: &AccountId) -> u128 {
	<Balances as Inspect<AccountId>>::balance(who)
}

#[test]
fn treasury_account_is_derived_from_its_pallet_id() {
	let derived: AccountId = StudioTreasuryPalletId::get().into_account_truncating();
	assert_eq!(StudioTreasuryAccount::get(), derived);
}

#[test]
fn development_preset_has_alice_as_the_only_validator_and_an_open_treasury() {
	preset_externalities(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(Grandpa::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
		assert!(free_balance(&Sr25519Keyring::Bob.to_account_id()) > 0);
		assert_eq!(free_balance(&StudioTreasuryAccount::get()), EXISTENTIAL_DEPOSIT);
	});
}

#[test]
fn local_testnet_preset_has_four_validators() {
	preset_externalities(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4);
		assert_eq!(Grandpa::grandpa_authorities().len(), 4);
		assert_eq!(pallet_validator_set::PlannedValidators::<Runtime>::get().len(), 4);
		assert_eq!(pallet_session::Validators::<Runtime>::get().len(), 4);
	});
}

#[test]
fn production_genesis_has_no_sudo_key_and_the_operators_validators_and_council() {
	use genesis_config_presets::{dev_validator, production_genesis, PRODUCTION_RUNTIME_PRESET};
	use sp_keyring::Ed25519Keyring;
	let [alice, bob, charlie, dave] =
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave].map(|k| k.to_account_id());
	let patch = production_genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice), dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob)],
		vec![(charlie.clone(), 1_000 * crate::UNIT)],
		vec![alice.clone(), bob.clone(), dave.clone()],
	);
	patch_externalities(patch).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 2);
		assert_eq!(Grandpa::grandpa_authorities().len(), 2);
		assert_eq!(pallet_validator_set::PlannedValidators::<Runtime>::get().into_inner(), vec![alice.clone(), bob]);
		assert_eq!(free_balance(&charlie), 1_000 * crate::UNIT);
		assert_eq!(free_balance(&StudioTreasuryAccount::get()), EXISTENTIAL_DEPOSIT);
		let slow = pallet_studio_governance::Tracks::<Runtime>::get(pallet_studio_governance::Track::Slow).unwrap();
		assert_eq!((slow.voting_period, slow.enactment_delay), (7 * crate::DAYS, crate::DAYS));
		assert!(<crate::StudioGovernance as studio_primitives::ReviewerSet<AccountId>>::is_reviewer(&dave));
	});
	// The preset alone is a template with no validator.
	preset_externalities(PRODUCTION_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		assert!(pallet_aura::Authorities::<Runtime>::get().is_empty());
	});
}

#[test]
fn transaction_fees_and_tips_go_to_the_treasury() {
	preset_externalities(DEV_RUNTIME_PRESET).execute_with(|| {
		let alice = Sr25519Keyring::Alice.to_account_id();
		let treasury = StudioTreasuryAccount::get();
		let (alice_before, treasury_before) = (free_balance(&alice), free_balance(&treasury));
		let call = crate::RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
		let info = DispatchInfo { call_weight: Weight::from_parts(1_000, 0), ..Default::default() };
		let (fee, tip) = (3 * EXISTENTIAL_DEPOSIT, EXISTENTIAL_DEPOSIT / 2);

		type Charge = <Runtime as pallet_transaction_payment::Config>::OnChargeTransaction;
		let paid = <Charge as OnChargeTransaction<Runtime>>::withdraw_fee(&alice, &call, &info, fee + tip, tip)
			.expect("Alice can pay");
		<Charge as OnChargeTransaction<Runtime>>::correct_and_deposit_fee(
			&alice,
			&info,
			&Default::default(),
			fee + tip,
			tip,
			paid,
		)
		.unwrap();

		assert_eq!(free_balance(&alice), alice_before - fee - tip);
		assert_eq!(free_balance(&treasury), treasury_before + fee + tip);
	});
}

#[test]
fn a_transfer_costs_the_stated_fee_and_every_call_pays_for_its_measured_weight() {
	use crate::configs::{FEE_PER_BYTE, TRANSFER_WEIGHT_FEE};
	use frame_support::dispatch::GetDispatchInfo;
	type Payment = pallet_transaction_payment::Pallet<Runtime>;
	preset_externalities(DEV_RUNTIME_PRESET).execute_with(|| {
		let bob = Sr25519Keyring::Bob.to_account_id();
		let transfer = crate::RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: bob.into(),
			value: crate::UNIT,
		});
		// A signed transfer as a node sees it: its dispatch info includes the weight of the
		// transaction extensions it passes.
		let extrinsic = crate::fee_tests::signed(transfer);
		let info = extrinsic.get_dispatch_info();
		assert!(info.extension_weight.ref_time() > 0);
		// The weight part, with no length: the stated price, to within the polynomial's rounding.
		let weight_fee = Payment::compute_fee(0, &info, 0);
		assert!(weight_fee.abs_diff(TRANSFER_WEIGHT_FEE) <= 1_000, "{weight_fee}");
		// Each byte adds its price; a tip adds itself.
		assert_eq!(Payment::compute_fee(140, &info, 0) - weight_fee, 140 * FEE_PER_BYTE);
		assert_eq!(Payment::compute_fee(0, &info, 7) - weight_fee, 7);
		// A call that weighs twice as much costs about twice as much.
		let heavier = DispatchInfo { call_weight: info.call_weight.saturating_mul(2), ..info };
		let ratio = Payment::compute_fee(0, &heavier, 0) as f64 / weight_fee as f64;
		assert!(ratio > 1.0 && ratio < 2.0, "{ratio}");
	});
}

#[test]
fn fees_rise_with_full_blocks_and_never_fall_below_the_stated_prices() {
	use frame_support::dispatch::DispatchClass;
	use pallet_transaction_payment::Multiplier;
	use sp_runtime::{traits::{Convert, One}, FixedPointNumber};
	type Update = <Runtime as pallet_transaction_payment::Config>::FeeMultiplierUpdate;
	preset_externalities(DEV_RUNTIME_PRESET).execute_with(|| {
		let weights = <Runtime as frame_system::Config>::BlockWeights::get();
		let full = weights.get(DispatchClass::Normal).max_total.unwrap();
		// An empty block leaves the multiplier at its floor, 1.
		assert_eq!(Update::convert(Multiplier::one()), Multiplier::one());
		assert_eq!(Update::convert(Multiplier::saturating_from_rational(1, 2)), Multiplier::one());
		// A full one raises it, and a run of full blocks keeps raising it.
		frame_system::Pallet::<Runtime>::set_block_consumed_resources(full, 0);
		let after_one = Update::convert(Multiplier::one());
		assert!(after_one > Multiplier::one());
		assert!(Update::convert(after_one) > after_one);
	});
}

#[test]
fn dev_governance_decides_within_seconds_and_has_a_reviewer_council() {
	use pallet_studio_governance::{Reviewers, Track, Tracks};
	use studio_primitives::StudioParams;
	preset_externalities(DEV_RUNTIME_PRESET).execute_with(|| {
		let fast = Tracks::<Runtime>::get(Track::Fast).unwrap();
		assert!(fast.voting_period <= 10 && fast.enactment_delay == 0);
		assert_eq!(Reviewers::<Runtime>::get().len(), 3);
		assert_eq!(<crate::StudioGovernance as StudioParams<u128, u32>>::challenge_window(), 5);
		crate::StudioGovernance::do_try_state().unwrap();
	});
}

#[test]
fn dev_chains_approve_the_workers_default_models_at_genesis() {
	use studio_primitives::{ModelKind, ModelRegistry};
	for preset in [DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET] {
		preset_externalities(preset).execute_with(|| {
			let approved = |model| <crate::StudioGovernance as ModelRegistry>::approved_model(model).unwrap();
			assert_eq!(approved(0).kind, ModelKind::Generator);
			assert_eq!(approved(0).weights_hash, genesis_config_presets::EYE_GENERATOR_SHA256);
			assert_eq!(approved(1).kind, ModelKind::StyleScorer);
			assert_eq!(approved(1).weights_hash, genesis_config_presets::STYLE_CRITIC_SHA256);
			assert_eq!(approved(2).kind, ModelKind::TextEmbedder);
			assert_eq!(approved(2).weights_hash, genesis_config_presets::SEMANTIC_AGENT_SHA256);
			assert_eq!(approved(3).kind, ModelKind::StyleTransfer);
			assert_eq!(approved(3).weights_hash, genesis_config_presets::STYLE_TRANSFER_SHA256);
			assert_eq!(approved(4).kind, ModelKind::LineArt);
			assert_eq!(approved(4).weights_hash, genesis_config_presets::LINE_ART_SHA256);
		});
	}
}

#[test]
fn the_escrow_account_starts_with_the_existential_deposit() {
	preset_externalities(DEV_RUNTIME_PRESET).execute_with(|| {
		assert_eq!(free_balance(&crate::JobEscrow::escrow_account()), EXISTENTIAL_DEPOSIT);
	});
}

/// Limits that must agree across pallets (security review L4, M5).
#[test]
fn limits_shared_between_pallets_agree() {
	use frame_support::traits::Get;
	let limit = |value: u32| value;
	// Every parent a job may name can be recorded with its output.
	assert!(
		limit(<Runtime as pallet_job_escrow::Config>::MaxParents::get()) <=
			limit(<Runtime as pallet_provenance::Config>::MaxParents::get())
	);
	// Every reviewer of the council can vote on an incident.
	assert!(
		limit(<Runtime as pallet_circuit_breaker::Config>::MaxReviewers::get()) >=
			limit(<Runtime as pallet_studio_governance::Config>::MaxReviewers::get())
	);
	// An agent halted just before it left is still bonded when the reviewers decide.
	assert!(
		<Runtime as pallet_job_escrow::Config>::UnbondingDelay::get() >
			<Runtime as pallet_circuit_breaker::Config>::ReviewPeriod::get()
	);
}

/// The worker's and the CLI's chain client is generated from
/// `offchain-worker/chain/metadata/studio.scale`: this test fails when that file no longer matches
/// this runtime. `STUDIO_BLESS_METADATA=1` rewrites it (then rebuild the worker). It lives here,
/// not in the worker, so that blessing needs no build of a client that the new metadata is yet
/// to make compile.
#[test]
fn the_workers_checked_in_metadata_matches_the_runtime() {
	let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../offchain-worker/chain/metadata/studio.scale");
	let fresh = Runtime::metadata_at_version(16).expect("the runtime serves metadata v16").to_vec();
	if std::env::var_os("STUDIO_BLESS_METADATA").is_some() {
		std::fs::write(&path, &fresh).unwrap();
		return
	}
	let checked_in = std::fs::read(&path).expect("offchain-worker/chain/metadata/studio.scale is checked in");
	assert!(
		checked_in == fresh,
		"{} is stale: the runtime's metadata changed; run `STUDIO_BLESS_METADATA=1 cargo test --release -p studio-runtime --lib metadata` and rebuild the worker",
		path.display()
	);
}

#[test]
fn a_block_that_ends_a_session_still_takes_transactions() {
	use crate::{configs::SessionPeriod, Executive, Header, RuntimeCall, UncheckedExtrinsic};
	use codec::Encode;
	use sp_runtime::{generic::SignedPayload, traits::Header as _};
	preset_externalities(LOCAL_TESTNET_RUNTIME_PRESET).execute_with(|| {
		let ends_session = SessionPeriod::get();
		frame_system::Pallet::<Runtime>::set_block_number(ends_session - 1);
		let header = Header::new(ends_session, Default::default(), Default::default(), [1; 32].into(), Default::default());
		Executive::initialize_block(&header);
		assert_eq!(pallet_session::CurrentIndex::<Runtime>::get(), 1, "the block ended the session");
		// The rotation is charged what it measured (four validators here), not the whole block
		// the session pallet's own hook would book.
		let used = frame_system::Pallet::<Runtime>::block_weight().total();
		let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		assert!(used.ref_time() * 50 < block.ref_time(), "{used:?} of {block:?}");

		// A transfer Alice signs goes into that block.
		let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: Sr25519Keyring::Bob.to_account_id().into(),
			value: crate::UNIT,
		});
		let extension = crate::configs::wallet_extension();
		let payload = SignedPayload::new(call.clone(), extension.clone()).expect("the extensions' implicit data");
		let signature = payload.using_encoded(|bytes| Sr25519Keyring::Alice.sign(bytes));
		let transfer =
			UncheckedExtrinsic::new_signed(call, Sr25519Keyring::Alice.to_account_id().into(), signature.into(), extension);
		assert_eq!(Executive::apply_extrinsic(transfer), Ok(Ok(())));
	});
}
