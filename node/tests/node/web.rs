//! The web studio as people use it: headless Chromium (Debian's `chromium` through
//! `playwright-core`) opens the page the worker's gateway serves, which reads the real node
//! over its RPC, and people act from it with the dev keys the page offers on a dev chain
//! (`tests/act-page.mjs`): Alice's refused orders move no money; her order, a drifting
//! design, trips Bob's breaker; reviewers Charlie and Dave resume him from the incident's row;
//! Alice accepts the result early and downloads it checked against its CID; she proposes a
//! parameter change and Eve's vote moves its tally; an oversized upload is refused and her own
//! image is stylized, and she challenges the result; Eve stakes on a finalist of Alice's curated
//! job and her pick wins. The chain is then checked for each of these, and the page for what it
//! shows (the delivered image, its provenance, the incident). Bob then stops for good and the
//! page, served by an archival worker's gateway, still shows the design (fetched over IPFS).
//! The screenshots are kept in the target dir.

use crate::{
	harness::{run_binary_to_exit, submit, wait_for, workspace_root, Node, NODE_BINARY},
	restyle::STYLE_TRANSFER,
	studio::{event, field_u128, job_status, register_worker, BOND},
	worker::{wait_for_status, without_colours, Worker, AMBER_PAINTERLY, EYE_GENERATOR, GRAYSCALE_ETCHING, RED_PROMPT},
};
use std::{path::Path, time::Duration};
use subxt::dynamic::{self, At, Value};
use subxt_signer::sr25519::dev;

/// The dev chains' "ink wash" stylize style.
const INK_WASH: u32 = 3;

/// A studio parameter's value at the best block.
async fn parameter(client: &subxt::OnlineClient<subxt::PolkadotConfig>, name: &str) -> u128 {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(Value,), Value>("StudioGovernance", "ParameterValues");
	let value = at.storage().fetch(address, (Value::unnamed_variant(name, []),)).await.unwrap().decode().unwrap();
	value.as_u128().expect("a parameter is a number")
}

/// A storage entry of `pallet` keyed by one number, decoded.
async fn entry(client: &subxt::OnlineClient<subxt::PolkadotConfig>, pallet: &str, item: &str, key: u64) -> Value {
	let at = client.at_current_block().await.unwrap();
	let address = dynamic::storage::<(u64,), Value>(pallet, item);
	at.storage().fetch(address, (key,)).await.unwrap().decode().unwrap()
}

/// The variant name of `value`.
fn variant(value: &Value) -> String {
	match &value.value {
		subxt::ext::scale_value::ValueDef::Variant(variant) => variant.name.clone(),
		other => panic!("a variant, not {other:?}"),
	}
}

#[tokio::test]
async fn people_act_from_the_web_studio_and_it_shows_what_they_did() {
	let web = workspace_root().join("offchain-worker/web");
	assert!(
		web.join("dist/index.html").is_file() && web.join("node_modules/playwright-core").is_dir(),
		"the web studio is not built: run `npm ci && npm run build` in {}",
		web.display()
	);
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let bob = dev::bob();
	// Bob generates and restyles: his capabilities take the style-transfer model too.
	let capabilities = Value::unnamed_composite([Value::u128(EYE_GENERATOR), Value::u128(STYLE_TRANSFER.into())]);
	let registration = dynamic::transaction("JobEscrow", "register_worker", (Value::u128(BOND), capabilities));
	event(&submit(&client, &registration, &bob).await, "JobEscrow", "WorkerRegistered");
	let mut worker = Worker::start_with_studio_cli(&node, "//Bob", dir.path(), "bob", Some(&web.join("dist")));

	let shots = Path::new(NODE_BINARY).parent().unwrap().parent().unwrap().join("web-studio");
	std::fs::create_dir_all(&shots).unwrap();
	let page = format!("http://127.0.0.1:{}/", worker.gateway);
	// A loosening, on the slow track (the dev chain's 20 blocks leave time to vote): the
	// deviation limit up by 1 % (of a largest step of 10 %).
	let limit = parameter(&client, "MaxStyleDeviation").await;
	let act = web.join("tests/act-page.mjs");
	let acts = shots.join("acts");
	let args = [
		act.to_str().unwrap().to_owned(),
		"--page".into(),
		page.clone(),
		"--red-prompt".into(),
		std::str::from_utf8(RED_PROMPT).unwrap().into(),
		"--grayscale-style".into(),
		GRAYSCALE_ETCHING.to_string(),
		"--stylize-style".into(),
		INK_WASH.to_string(),
		"--curated-style".into(),
		AMBER_PAINTERLY.to_string(),
		"--propose".into(),
		format!("MaxStyleDeviation={}", limit + 10_000),
		"--max-side".into(),
		"1024".into(),
		"--shots".into(),
		acts.display().to_string(),
		"--timeout".into(),
		"540".into(),
	];
	let args: Vec<&str> = args.iter().map(String::as_str).collect();
	let (status, said) = run_binary_to_exit(Path::new("node"), &args, Duration::from_secs(600));
	println!("the acts' screenshots: {}", acts.display());
	assert!(status.success(), "people could not act from the page (screenshots in {}):\n{said}", acts.display());
	let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
	println!("the acts: {report}");
	// A fresh client: the first one sat idle through the acts.
	let client = node.client().await;
	let number = |name: &str| report[name].as_str().and_then(|n| n.parse::<u64>().ok()).unwrap_or_else(|| panic!("{name} in {report}"));

	// What the page said it did is what the chain holds.
	let refused = report["refused"].as_array().unwrap();
	assert!(refused[0].as_str().unwrap().contains("MinBounty"), "{report}");
	assert!(refused[1].as_str().unwrap().contains("MaxPromptLength"), "{report}");
	assert!(refused[2].as_str().unwrap().contains("MaxImageSide"), "{report}");
	assert!(report["cost"].as_str().unwrap().contains("fee now"), "{report}");
	assert!(report["chainRefusal"].as_str().unwrap().starts_with("StudioGovernance::TooManyProposalsByAccount: "), "{report}");
	let (job, incident, proposal, restyle) = (number("job"), number("incident"), number("proposal"), number("restyleJob"));
	// (The page shows best blocks; the chain is read here at finalized ones.)
	let fields = wait_for_status(&client, job, "Settled", Duration::from_secs(60)).await;
	let cid = report["cid"].as_str().unwrap().to_owned();
	let output = crate::studio::bytes_of(&fields, "output");
	assert_eq!(cid::Cid::try_from(output.as_slice()).unwrap().to_string(), cid, "the page downloaded the job's output");
	assert!(report["downloaded"]["bytes"].as_u64().unwrap() > 100, "{report}");
	let record = entry(&client, "CircuitBreaker", "Incidents", incident).await;
	assert_eq!(variant(record.at("status").unwrap()), "Resumed");
	let voted = wait_for("Eve's vote to be final", Duration::from_secs(60), || {
		let client = client.clone();
		async move {
			let voted = entry(&client, "StudioGovernance", "Proposals", proposal).await;
			(field_u128(voted.at("tally").unwrap(), "ayes") > 0).then_some(voted)
		}
	})
	.await;
	assert_eq!(field_u128(voted.at("tally").unwrap(), "ayes"), 1_000 * studio_runtime::UNIT, "Eve's vote");
	assert_eq!(variant(voted.at("track").unwrap()), "Slow", "the page's verdict: {}", report["verdict"]);
	assert_eq!(report["verdict"]["track"], "Slow");
	assert_eq!(report["eveFrozen"].as_str().unwrap(), (1_000 * studio_runtime::UNIT).to_string(), "Eve's vote is frozen");
	wait_for("the stylized upload to be final", Duration::from_secs(60), || {
		let client = client.clone();
		async move {
			let restyled = job_status(&client, restyle).await;
			(restyled == "Delivered" || restyled == "Settled").then_some(())
		}
	})
	.await;
	// Eve's stake won the curation (she was its only curator); Alice's challenge is under way
	// or decided.
	assert!(report["eveRoles"].as_str().unwrap().contains("1 won"), "{report}");
	let curated = number("curatedJob");
	wait_for("the curated job's choice to be final", Duration::from_secs(60), || {
		let client = client.clone();
		async move { matches!(job_status(&client, curated).await.as_str(), "Delivered" | "Settled").then_some(()) }
	})
	.await;
	let challenged = number("challenged");
	wait_for(&format!("Alice's challenge of job {challenged} to be final"), Duration::from_secs(60), || {
		let client = client.clone();
		async move {
			let at = client.at_current_block().await.unwrap();
			let read = |item: &'static str| dynamic::storage::<(u64,), Value>("JobEscrow", item);
			let verification = at.storage().try_fetch(read("Verifications"), (challenged,)).await.unwrap();
			let verdict = at.storage().try_fetch(read("Verdicts"), (challenged,)).await.unwrap();
			(verification.is_some() || verdict.is_some()).then_some(())
		}
	})
	.await;
	assert_eq!(report["phoneOverflow"], 0, "the page fits a phone's width: {}", report["phoneOverflowing"]);

	// The page, as a browser shows it.
	let screenshot = shots.join("delivered-and-incident.png");
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
		assert_eq!(report["incident"]["id"].as_u64(), Some(incident), "{report}");
		assert_eq!(report["incident"]["status"], "Resumed", "{report}");
		assert!(std::fs::metadata(screenshot).unwrap().len() > 10_000, "a real screenshot");
	};
	show(&page, &screenshot);

	// Bob stops for good; Charlie, an archival worker, pinned the outputs from him, and the page
	// his gateway serves still shows it.
	let charlie = dev::charlie();
	register_worker(&client, EYE_GENERATOR, &charlie).await;
	let dist = web.join("dist");
	let archive = Worker::start_with(&node, "//Charlie", dir.path(), "charlie", &["--archive", "--web", dist.to_str().unwrap()]);
	wait_for("the archive to pin the design", Duration::from_secs(90), || async {
		let log = without_colours(&archive.log());
		log.lines().any(|line| line.contains("archived a studio output") && line.contains(&cid)).then_some(())
	})
	.await;
	worker.kill();
	show(&format!("http://127.0.0.1:{}/", archive.gateway), &shots.join("after-its-worker-stopped.png"));
}
