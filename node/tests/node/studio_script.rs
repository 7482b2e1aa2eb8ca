//! The README's first command, `scripts/studio.sh`, as a newcomer runs it: it starts a dev
//! node and a worker serving the web studio, prints what to try, the printed command designs
//! and delivers an image, and a signal stops everything it started.

use crate::{
	harness::{free_port, http_get, sibling_binary, wait_for, workspace_root, StopOnDrop, NODE_BINARY},
	worker::models_dir,
};
use std::{
	io::{BufRead, BufReader, Read},
	process::{Command, Stdio},
	time::Duration,
};

#[tokio::test]
async fn the_studio_script_starts_node_worker_and_web_studio_and_its_try_line_delivers_a_design() {
	let (rpc_port, gateway_port) = (free_port(), free_port());
	let script = Command::new(workspace_root().join("scripts/studio.sh"))
		.args(["--no-build", "--no-open"])
		.env("STUDIO_NODE", NODE_BINARY)
		.env("STUDIO_WORKER", sibling_binary("studio-worker"))
		.env("STUDIO_MODELS_DIR", models_dir())
		.env("STUDIO_RPC_PORT", rpc_port.to_string())
		.env("STUDIO_GATEWAY", format!("127.0.0.1:{gateway_port}"))
		.stdout(Stdio::null())
		.stderr(Stdio::piped())
		.spawn()
		.unwrap();
	let mut script = StopOnDrop(script);
	let mut said = Vec::new();
	let mut lines = BufReader::new(script.0.stderr.take().unwrap()).lines().map(Result::unwrap);
	let try_line = lines
		.by_ref()
		.inspect(|line| said.push(line.clone()))
		.find_map(|line| line.split_once("try: ").map(|(_, command)| command.to_string()))
		.unwrap_or_else(|| panic!("no `try:` line in\n{}", said.join("\n")));
	std::thread::spawn(move || lines.for_each(drop)); // keeps the pipe drained
	let said = said.join("\n");
	assert!(said.contains(&format!("web studio: http://127.0.0.1:{gateway_port}/")), "{said}");

	// The web studio and its config: the page reads the chain from the node the worker uses.
	let page = http_get(gateway_port, "/").expect("the gateway answers");
	assert!(page.starts_with("HTTP/1.1 200") && page.contains("<html"), "{page}");
	let config = http_get(gateway_port, "/config.json").unwrap();
	assert!(config.contains(&format!("\"rpc\":\"ws://127.0.0.1:{rpc_port}\"")), "{config}");

	// The printed command, run as printed: submitted, designed, delivered, settled, saved.
	let dir = tempfile::tempdir().unwrap();
	let mut run = Command::new("bash").args(["-c", &try_line]).current_dir(dir.path()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
	let finished = wait_for("the printed job to settle", Duration::from_secs(300), || {
		let done = run.try_wait().unwrap();
		async move { done }
	})
	.await;
	let mut output = String::new();
	run.stdout.take().unwrap().read_to_string(&mut output).unwrap();
	run.stderr.take().unwrap().read_to_string(&mut output).unwrap();
	assert!(finished.success(), "`{try_line}` failed:\n{output}");
	assert!(output.contains("settled") && dir.path().join("eye.png").is_file(), "{output}");

	// A signal stops the node and the worker.
	Command::new("kill").args(["-TERM", &script.0.id().to_string()]).status().unwrap();
	let status = wait_for("the script to exit", Duration::from_secs(60), || {
		let exited = script.0.try_wait().unwrap();
		async move { exited }
	})
	.await;
	assert_eq!(status.code(), Some(143), "the script exits as stopped by SIGTERM");
	for port in [rpc_port, gateway_port] {
		assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "something still answers on port {port}");
	}
}
