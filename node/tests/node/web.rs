//! The web studio as a visitor sees it: headless Chromium (Debian's `chromium` through
//! `playwright-core`) opens the page the worker's gateway serves, which reads the real node
//! over its RPC. A drifting design trips the breaker; once two reviewers resume the agent,
//! the delivered image, its provenance and the incident are on the page. Bob then stops for
//! good and the page, served by an archival worker's gateway, still shows the design (fetched
//! over IPFS). The screenshots are kept in the target dir.

use crate::{
	harness::{run_binary_to_exit, submit, workspace_root, Node, NODE_BINARY},
	studio::{bytes_of, event, field_u128, job_spec, register_worker, submit_job, Ask},
	worker::{wait_for_status, Worker, EYE_GENERATOR, GRAYSCALE_ETCHING, RED_PROMPT},
};
use std::{path::Path, time::Duration};
use subxt::dynamic::{self, Value};
use subxt_signer::sr25519::dev;

#[tokio::test]
async fn the_web_studio_shows_a_delivered_design_with_its_provenance_and_the_incident_it_caused() {
	let web = workspace_root().join("offchain-worker/web");
	assert!(
		web.join("dist/index.html").is_file() && web.join("node_modules/playwright-core").is_dir(),
		"the web studio is not built: run `npm ci && npm run build` in {}",
		web.display()
	);
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let bob = dev::bob();
	register_worker(&client, EYE_GENERATOR, &bob).await;
	let mut worker = Worker::start_with_studio_cli(&node, "//Bob", dir.path(), "bob", Some(&web.join("dist")));

	// A red eye in the grayscale style trips Bob's breaker; two reviewers resume him.
	let spec = job_spec(&rpc, EYE_GENERATOR, GRAYSCALE_ETCHING, RED_PROMPT, Ask { parents: &[], seed: 2, candidates: 8 }).await;
	let job = submit_job(&client, spec, &dev::alice()).await;
	let quarantined = wait_for_status(&client, job, "Quarantined", Duration::from_secs(180)).await;
	let incident = field_u128(&quarantined, "incident");
	let resume = dynamic::transaction("CircuitBreaker", "review", (incident, Value::unnamed_variant("Resume", [])));
	submit(&client, &resume, &dev::charlie()).await;
	event(&submit(&client, &resume, &dev::dave()).await, "CircuitBreaker", "Resumed");
	let delivered = wait_for_status(&client, job, "Delivered", Duration::from_secs(60)).await;
	let cid = cid::Cid::try_from(bytes_of(&delivered, "output").as_slice()).unwrap().to_string();

	// The page, as a browser shows it.
	let shots = Path::new(NODE_BINARY).parent().unwrap().parent().unwrap().join("web-studio");
	std::fs::create_dir_all(&shots).unwrap();
	let screenshot = shots.join("delivered-and-incident.png");
	let page = format!("http://127.0.0.1:{}/", worker.gateway);
	let bob_address = subxt::utils::AccountId32(bob.public_key().0).to_string();
	let check = web.join("tests/check-page.mjs");
	let show = |page: &str, screenshot: &Path| {
		let args = [
			check.to_str().unwrap(),
			"--page",
			page,
			"--cid",
			&cid,
			"--prompt",
			std::str::from_utf8(RED_PROMPT).unwrap(),
			"--incident-agent",
			&bob_address,
			"--screenshot",
			screenshot.to_str().unwrap(),
			"--timeout",
			"120",
		];
		let (status, said) = run_binary_to_exit(Path::new("node"), &args, Duration::from_secs(180));
		println!("web studio screenshot: {}", screenshot.display());
		assert!(status.success(), "the page does not show the design and the incident ({}):\n{said}", screenshot.display());
		let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
		assert_eq!(report["card"]["imageLoaded"], true, "{report}");
		assert_eq!(report["card"]["prompt"], "a vivid red eye", "{report}");
		assert_eq!(report["incident"]["id"].as_u64(), Some(incident as u64), "{report}");
		assert_eq!(report["incident"]["status"], "Resumed", "{report}");
		assert!(std::fs::metadata(screenshot).unwrap().len() > 10_000, "a real screenshot");
	};
	show(&page, &screenshot);

	// Bob stops for good; Charlie, an archival worker, pinned the design from him, and the page
	// his gateway serves still shows it.
	let charlie = dev::charlie();
	register_worker(&client, EYE_GENERATOR, &charlie).await;
	let dist = web.join("dist");
	let archive = Worker::start_with(&node, "//Charlie", dir.path(), "charlie", &["--archive", "--web", dist.to_str().unwrap()]);
	archive.wait_for_metric("studio_worker_content_pins", 1.0).await;
	worker.kill();
	show(&format!("http://127.0.0.1:{}/", archive.gateway), &shots.join("after-its-worker-stopped.png"));
}
