//! The four-validator local network (`chain-specs/local.json`): finality with all four, with
//! one stopped (3 of 4 > 2/3), and catch-up of the stopped one after its restart.

use crate::harness::{heights, run_to_exit, wait_for, wait_for_finalized, workspace_root, Node};
use std::{path::Path, time::Duration};

/// The libp2p peer id of the node key in `key_file`, as `studio-node key inspect-node-key`
/// prints it.
fn peer_id(key_file: &Path) -> String {
	let (status, output) = run_to_exit(
		&["key", "inspect-node-key", "--file", key_file.to_str().unwrap()],
		Duration::from_secs(30),
	);
	assert!(status.success(), "{output}");
	output.lines().last().unwrap().trim().to_string()
}

#[tokio::test]
async fn four_validators_finalize_and_survive_the_loss_of_one() {
	let dir = tempfile::tempdir().unwrap();
	let spec = workspace_root().join("chain-specs/local.json");
	let spec = spec.to_str().unwrap();
	// Validators need a persistent network identity: …01 for Alice, …02 for Bob and so on.
	let node_key = |index: u8| format!("{index:064x}");
	let alice_key = dir.path().join("alice.key");
	std::fs::write(&alice_key, node_key(1)).unwrap();

	let start = |index: u8, name: &str, extra: Vec<String>| {
		let base = dir.path().join(name);
		let mut args = vec![
			"--chain".to_string(),
			spec.to_string(),
			format!("--{name}"),
			"--base-path".into(),
			base.to_str().unwrap().to_string(),
			"--node-key".into(),
			node_key(index),
		];
		args.extend(extra);
		let args: Vec<&str> = args.iter().map(String::as_str).collect();
		Node::start(&args, dir.path().join(format!("{name}.log")))
	};
	let alice = start(1, "alice", vec![]);
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", alice.p2p_port, peer_id(&alice_key));
	let mut others: Vec<Node> = ["bob", "charlie", "dave"]
		.iter()
		.zip(2..)
		.map(|(name, index)| start(index, name, vec!["--bootnodes".into(), bootnode.clone()]))
		.collect();
	// Bob and Charlie stay in `others`, running until the test ends.
	let mut dave = others.pop().unwrap();

	let alice_rpc = alice.rpc().await;
	let dave_rpc = dave.rpc().await;
	wait_for_finalized(&alice_rpc, 3, Duration::from_secs(120)).await;
	wait_for_finalized(&dave_rpc, 3, Duration::from_secs(60)).await;

	// Three of four validators are more than two thirds: finality goes on without Dave.
	dave.stop();
	let (_, finalized_without_dave) = heights(&alice_rpc).await.unwrap();
	wait_for_finalized(&alice_rpc, finalized_without_dave + 3, Duration::from_secs(90)).await;

	// Dave comes back and catches up with the finalized head.
	dave.restart();
	let dave_rpc = dave.rpc().await;
	let (_, network_finalized) = heights(&alice_rpc).await.unwrap();
	wait_for("Dave to catch up", Duration::from_secs(120), || async {
		heights(&dave_rpc).await.filter(|(_, f)| *f >= network_finalized)
	})
	.await;
}

#[tokio::test]
async fn local_testnet_script_prints_endpoints_runs_a_worker_and_stops_everything_it_started() {
	use crate::harness::{http_get, StopOnDrop};
	use std::io::{BufRead, BufReader};
	use std::process::{Command, Stdio};

	let dir = tempfile::tempdir().unwrap();
	let script = Command::new(workspace_root().join("scripts/local-testnet.sh"))
		.args(["--no-build", "--workers", "1", "--base-dir", dir.path().to_str().unwrap()])
		.env("STUDIO_NODE", crate::harness::NODE_BINARY)
		.env("STUDIO_WORKER", crate::harness::sibling_binary("studio-worker"))
		.env("STUDIO_MODELS_DIR", crate::worker::models_dir())
		.stdout(Stdio::piped())
		.stderr(Stdio::null())
		.spawn()
		.unwrap();
	let mut script = StopOnDrop(script);
	let mut stdout = BufReader::new(script.0.stdout.take().unwrap()).lines().map(Result::unwrap);
	let endpoints: Vec<String> = stdout
		.by_ref()
		.take(4)
		.filter_map(|line| line.split_whitespace().nth(2).map(str::to_string))
		.filter(|word| word.starts_with("ws://127.0.0.1:"))
		.collect();
	assert_eq!(endpoints.len(), 4, "the script prints four RPC endpoints");
	// The worker line comes once the network answers and the worker is registered.
	let worker = stdout.next().expect("a line about the worker");
	assert!(worker.starts_with("worker1  //Alice//stash via ws://127.0.0.1:"), "{worker}");
	let gateway = worker.split_whitespace().find(|word| word.starts_with("http://127.0.0.1:")).expect("a gateway").to_string();
	let gateway_port: u16 = gateway.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();

	let rpc = subxt::rpcs::methods::LegacyRpcMethods::<
		subxt::config::RpcConfigFor<subxt::PolkadotConfig>,
	>::new(
		wait_for("the first node's RPC", Duration::from_secs(60), || async {
			subxt::rpcs::RpcClient::from_insecure_url(&endpoints[0]).await.ok()
		})
		.await,
	);
	wait_for_finalized(&rpc, 1, Duration::from_secs(120)).await;
	drop(rpc);
	// The worker follows its validator and serves the web studio.
	wait_for("the worker's gateway to report a connected chain", Duration::from_secs(120), || async {
		let metrics = http_get(gateway_port, "/metrics")?;
		metrics.contains("studio_worker_chain_connected 1").then_some(())
	})
	.await;
	assert!(http_get(gateway_port, "/").is_some_and(|page| page.contains("<html")), "the web studio is served");

	// The script stops its nodes on Ctrl-C (SIGINT) and on SIGTERM alike. The test sends
	// SIGTERM: a test run started in the background inherits SIGINT as ignored, and a shell
	// cannot trap a signal ignored on entry.
	Command::new("kill").args(["-TERM", &script.0.id().to_string()]).status().unwrap();
	let status = wait_for("the script to exit", Duration::from_secs(30), || {
		let exited = script.0.try_wait().unwrap();
		async move { exited }
	})
	.await;
	assert_eq!(status.code(), Some(143), "the script exits as stopped by SIGTERM");
	assert!(http_get(gateway_port, "/metrics").is_none(), "the worker still answers after the script stopped");
	for endpoint in &endpoints {
		let port = endpoint.rsplit(':').next().unwrap();
		assert!(
			std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err(),
			"a node still answers on {endpoint} after the script stopped"
		);
	}
}
