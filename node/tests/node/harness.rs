//! Starts `studio-node` the way a user does, on free 127.0.0.1 ports, and stops it again.

use std::{
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	time::{Duration, Instant},
};
use subxt::{
	config::RpcConfigFor,
	dynamic::{self, At, Value},
	rpcs::{methods::LegacyRpcMethods, RpcClient},
	tx::Payload,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::Keypair;

/// The node binary cargo built for these tests.
pub const NODE_BINARY: &str = env!("CARGO_BIN_EXE_studio-node");

/// The workspace root, where `chain-specs/` lives.
pub fn workspace_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A binary built beside the node (`studio`, `studio-worker`).
pub fn sibling_binary(name: &str) -> PathBuf {
	let path = Path::new(NODE_BINARY).with_file_name(name);
	assert!(path.exists(), "{} is missing: build the workspace (cargo test --release --workspace)", path.display());
	path
}

/// Runs the `studio` CLI against `node` to completion (bounded): (success, everything it
/// printed).
pub fn studio(node: &Node, args: &[&str]) -> (bool, String) {
	let url = node.url();
	let args: Vec<&str> = ["--url", url.as_str()].into_iter().chain(args.iter().copied()).collect();
	let (status, output) = run_binary_to_exit(&sibling_binary("studio"), &args, Duration::from_secs(300));
	(status.success(), output)
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Polls `check` every half second until it yields a value or `timeout` passes.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Option<T>>,
{
	let deadline = Instant::now() + timeout;
	loop {
		if let Some(value) = check().await {
			return value;
		}
		assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// A running `studio-node` process. Dropping it kills the process.
pub struct Node {
	child: Option<Child>,
	args: Vec<String>,
	/// The node's JSON-RPC port on 127.0.0.1.
	pub rpc_port: u16,
	/// The node's p2p port on 127.0.0.1.
	pub p2p_port: u16,
	log: PathBuf,
}

impl Node {
	/// Starts `studio-node <args>` with its RPC, p2p and Prometheus ports on free loopback
	/// ports. Its output goes to `log`.
	pub fn start(args: &[&str], log: PathBuf) -> Node {
		let rpc_port = free_port();
		let p2p_port = free_port();
		let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
		args.extend([
			"--rpc-port".into(),
			rpc_port.to_string(),
			"--listen-addr".into(),
			format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
			"--prometheus-port".into(),
			free_port().to_string(),
			"--no-telemetry".into(),
			"--no-mdns".into(),
		]);
		let mut node = Node { child: None, args, rpc_port, p2p_port, log };
		node.spawn();
		node
	}

	fn spawn(&mut self) {
		let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
		let child = Command::new(NODE_BINARY)
			.args(&self.args)
			.stdout(Stdio::from(log.try_clone().unwrap()))
			.stderr(Stdio::from(log))
			.spawn()
			.expect("studio-node starts");
		self.child = Some(child);
	}

	/// Stops the node as Ctrl-C does (SIGINT) and waits until it has exited.
	pub fn stop(&mut self) {
		if let Some(child) = self.child.take() {
			interrupt(child, Duration::from_secs(30));
		}
	}

	/// Starts the node again with the same arguments (same ports, same base path).
	pub fn restart(&mut self) {
		self.stop();
		self.spawn();
	}

	/// The node's WebSocket RPC address.
	pub fn url(&self) -> String {
		format!("ws://127.0.0.1:{}", self.rpc_port)
	}

	/// What the node has logged so far.
	pub fn log(&self) -> String {
		std::fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// Raw RPC methods, once the node answers.
	pub async fn rpc(&self) -> LegacyRpcMethods<RpcConfigFor<PolkadotConfig>> {
		let url = self.url();
		let client = wait_for("the node's RPC server", Duration::from_secs(60), || {
			let url = url.clone();
			async move { RpcClient::from_insecure_url(url).await.ok() }
		})
		.await;
		LegacyRpcMethods::new(client)
	}

	/// A subxt client, once the node answers.
	pub async fn client(&self) -> OnlineClient<PolkadotConfig> {
		let url = self.url();
		wait_for("a subxt connection", Duration::from_secs(60), || {
			let url = url.clone();
			async move { OnlineClient::<PolkadotConfig>::from_insecure_url(url).await.ok() }
		})
		.await
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
		show_tail_if_panicking(&self.log);
	}
}

/// Stops `child` as Ctrl-C does (SIGINT), waits up to `grace` for it to exit, then kills it.
pub fn interrupt(mut child: Child, grace: Duration) {
	let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
	let deadline = Instant::now() + grace;
	while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
		std::thread::sleep(Duration::from_millis(100));
	}
	let _ = child.kill();
	let _ = child.wait();
}

/// A failing test shows what its processes said last: the tail of `log`.
pub fn show_tail_if_panicking(log: &Path) {
	if std::thread::panicking() {
		let text = std::fs::read_to_string(log).unwrap_or_default();
		let tail: Vec<&str> = text.lines().rev().take(30).collect();
		eprintln!("--- last lines of {} ---", log.display());
		tail.iter().rev().for_each(|line| eprintln!("{line}"));
	}
}

/// Heights of the node's best and finalized blocks.
pub async fn heights(rpc: &LegacyRpcMethods<RpcConfigFor<PolkadotConfig>>) -> Option<(u64, u64)> {
	let best = rpc.chain_get_header(None).await.ok()??.number;
	let finalized_hash = rpc.chain_get_finalized_head().await.ok()?;
	let finalized = rpc.chain_get_header(Some(finalized_hash)).await.ok()??.number;
	Some((best, finalized))
}

/// Waits until the node has finalized at least `height`; returns the finalized height.
pub async fn wait_for_finalized(
	rpc: &LegacyRpcMethods<RpcConfigFor<PolkadotConfig>>,
	height: u64,
	timeout: Duration,
) -> u64 {
	wait_for(&format!("finalized height {height}"), timeout, || async {
		heights(rpc).await.map(|(_, finalized)| finalized).filter(|f| *f >= height)
	})
	.await
}

/// Runs `studio-node <args>` to completion (bounded by `timeout`), returning its exit status
/// and everything it printed.
pub fn run_to_exit(args: &[&str], timeout: Duration) -> (ExitStatus, String) {
	run_binary_to_exit(Path::new(NODE_BINARY), args, timeout)
}

/// Runs `binary <args>` to completion (bounded by `timeout`), returning its exit status and
/// everything it printed.
pub fn run_binary_to_exit(binary: &Path, args: &[&str], timeout: Duration) -> (ExitStatus, String) {
	let dir = tempfile::tempdir().unwrap();
	let log_path = dir.path().join("out.log");
	let log = std::fs::File::create(&log_path).unwrap();
	let mut child = Command::new(binary)
		.args(args)
		.stdout(Stdio::from(log.try_clone().unwrap()))
		.stderr(Stdio::from(log))
		.spawn()
		.unwrap();
	let deadline = Instant::now() + timeout;
	let status = loop {
		if let Some(status) = child.try_wait().unwrap() {
			break status;
		}
		if Instant::now() > deadline {
			let _ = child.kill();
			let _ = child.wait();
			panic!(
				"{} {args:?} still runs after {timeout:?}: {}",
				binary.display(),
				std::fs::read_to_string(&log_path).unwrap_or_default()
			);
		}
		std::thread::sleep(Duration::from_millis(100));
	};
	(status, std::fs::read_to_string(&log_path).unwrap())
}

/// Signs and submits `call`, waits until it is finalized, and returns its events as
/// (pallet, event, fields).
pub async fn submit(
	client: &OnlineClient<PolkadotConfig>,
	call: &impl Payload,
	signer: &Keypair,
) -> Vec<(String, String, Value)> {
	let events = client
		.tx()
		.await
		.unwrap()
		.sign_and_submit_then_watch_default(call, signer)
		.await
		.unwrap()
		.wait_for_finalized_success()
		.await
		.expect("the extrinsic succeeds");
	events
		.iter()
		.map(Result::unwrap)
		.map(|e| {
			let fields = e.decode_fields_unchecked_as::<Value>().unwrap();
			(e.pallet_name().to_string(), e.event_name().to_string(), fields)
		})
		.collect()
}

/// Signs and submits `call`, which must fail; waits until its block is finalized and returns
/// the dispatch error as text.
pub async fn submit_and_fail(
	client: &OnlineClient<PolkadotConfig>,
	call: &impl Payload,
	signer: &Keypair,
) -> String {
	let outcome = client
		.tx()
		.await
		.unwrap()
		.sign_and_submit_then_watch_default(call, signer)
		.await
		.unwrap()
		.wait_for_finalized_success()
		.await;
	match outcome {
		Ok(_) => panic!("the extrinsic was expected to fail"),
		Err(error) => format!("{error:?}"),
	}
}

/// The `data` of `account` (free, reserved, frozen) at the current finalized block.
pub async fn account_data(client: &OnlineClient<PolkadotConfig>, account: [u8; 32]) -> Value {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<([u8; 32],), Value>("System", "Account");
	let info = at.storage().fetch(address, (account,)).await.unwrap().decode().unwrap();
	info.at("data").expect("account info has data").clone()
}

/// The free balance of `account` at the current finalized block.
pub async fn free_balance(client: &OnlineClient<PolkadotConfig>, account: [u8; 32]) -> u128 {
	let data = account_data(client, account).await;
	data.at("free").and_then(|free| free.as_u128()).expect("account data has a free balance")
}

/// The studio treasury's account.
pub fn treasury() -> [u8; 32] {
	studio_runtime::StudioTreasuryAccount::get().into()
}

/// A script started by a test (`scripts/*.sh`): dropping it sends SIGTERM (which the scripts
/// trap to stop everything they started) and waits, even when an assertion failed first.
pub struct StopOnDrop(pub Child);

impl Drop for StopOnDrop {
	fn drop(&mut self) {
		if let Ok(None) = self.0.try_wait() {
			let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
			let _ = self.0.wait();
		}
	}
}

/// `GET path` on 127.0.0.1:`port`: the whole response, if anything answers.
pub fn http_get(port: u16, path: &str) -> Option<String> {
	use std::io::{Read, Write};
	let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
	write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").ok()?;
	let mut response = String::new();
	stream.read_to_string(&mut response).ok()?;
	Some(response)
}
