//! Curation through the real binaries, on the chain and worker of the CLI story
//! (`worker::a_client_submits_with_the_studio_cli…`): Alice asks for three finalists with
//! `studio job submit --curate 3`; Bob's worker delivers them (recorded as candidates, each
//! served verified from IPFS); Charlie and Dave stake on different ones with `studio curate
//! stake`; an early `curate close` is refused; the chain closes the curation when it ends, the
//! heavier finalist becomes the design, Charlie (alone on it) takes the whole curation reward
//! and Dave loses nothing but reputation; and the next job of the style is designed with the
//! preference the curation taught.

use crate::{
	harness::{account_data, free_balance, studio, wait_for, Node},
	studio::job_status,
	worker::{account, Worker},
};
use std::{path::Path, time::Duration};
use subxt::dynamic::At;
use studio_runtime::UNIT;
use subxt_signer::sr25519::dev;

pub async fn curation_stories(node: &Node, worker: &Worker, gateway: &str, dir: &Path) {
	let client = node.client().await;
	let alice_dev = ["--suri", "//Alice", "--dev"];
	let alice_before = free_balance(&client, account(&dev::alice())).await;
	let submit = [
		"job", "submit", "--prompt", "an amber painted eye", "--style", "0", "--bounty", "100", "--candidates", "8",
		"--curate", "3", "--curation-period", "20", "--no-wait", "--json",
	];
	let (ok, said) = studio(node, &[&alice_dev[..], &submit[..]].concat());
	assert!(ok, "{said}");
	let job: u64 = serde_json::from_str::<serde_json::Value>(said.lines().last().unwrap()).unwrap()["job"].as_u64().unwrap();
	let (ok, said) = studio(node, &[&alice_dev[..], &["job", "submit", "--prompt", "x", "--style", "0", "--bounty", "100", "--curate", "9", "--no-wait"][..]].concat());
	assert!(!ok && said.contains("InvalidCuration"), "nine finalists are refused: {said}");

	wait_for("the curated job's finalists", Duration::from_secs(240), || {
		let client = client.clone();
		async move { (job_status(&client, job).await == "Curating").then_some(()) }
	})
	.await;
	// The bounty and the 10 % curation reward left Alice's account (and two fees).
	let paid = alice_before - free_balance(&client, account(&dev::alice())).await;
	assert!(paid >= 110 * UNIT && paid < 111 * UNIT, "{paid}");
	let (ok, said) = studio(node, &["curate", "list", "--json", "--gateway", gateway]);
	assert!(ok, "{said}");
	let listed: serde_json::Value = serde_json::from_str(&said).unwrap();
	let curation = listed.as_array().unwrap().iter().find(|row| row["job"] == job).expect("the job's curation");
	let finalists: Vec<String> =
		curation["finalists"].as_array().unwrap().iter().map(|f| f["cid"].as_str().unwrap().to_string()).collect();
	assert_eq!(finalists.len(), 3, "{said}");
	for (index, cid) in finalists.iter().enumerate() {
		let saved = dir.join(format!("finalist-{index}.png"));
		let (ok, said) = studio(node, &["asset", "get", cid, "--gateway", gateway, "-o", saved.to_str().unwrap()]);
		assert!(ok && said.contains("verified"), "finalist {index} is served from IPFS: {said}");
		let (ok, said) = studio(node, &["asset", "show", cid]);
		assert!(ok && said.contains("status: Candidate"), "{said}");
	}

	// Charlie stakes 30 on the last finalist, Dave 10 on the second; too early to close.
	let (charlie, dave) = (dev::charlie(), dev::dave());
	let job_text = job.to_string();
	let (ok, said) = studio(node, &["--suri", "//Charlie", "--dev", "curate", "stake", &job_text, "2", "--amount", "30"]);
	assert!(ok && said.contains("staked 30 STU on finalist 2"), "{said}");
	let (ok, said) = studio(node, &["--suri", "//Dave", "--dev", "curate", "stake", &job_text, "1", "--amount", "10"]);
	assert!(ok, "{said}");
	let (ok, said) = studio(node, &["--suri", "//Dave", "--dev", "curate", "stake", &job_text, "7", "--amount", "10"]);
	assert!(!ok && said.contains("UnknownFinalist"), "{said}");
	let (ok, said) = studio(node, &["--suri", "//Eve", "--dev", "curate", "close", &job_text]);
	assert!(!ok && said.contains("CurationRunning"), "{said}");
	// Read once the finalized state the client sees holds both stakes.
	for (who, held) in [(&charlie, 30 * UNIT), (&dave, 10 * UNIT)] {
		wait_for("the stake's hold in the finalized state", Duration::from_secs(30), || {
			let client = client.clone();
			async move {
				let data = account_data(&client, account(who)).await;
				data.at("reserved").and_then(|v| v.as_u128()).is_some_and(|reserved| reserved >= held).then_some(())
			}
		})
		.await;
	}
	let (charlie_before, dave_before) =
		(free_balance(&client, account(&charlie)).await, free_balance(&client, account(&dave)).await);

	// The chain closes it when it ends: the heavier finalist is the design.
	wait_for("the curation to close", Duration::from_secs(180), || {
		let client = client.clone();
		async move { (job_status(&client, job).await != "Curating").then_some(()) }
	})
	.await;
	let (ok, said) = studio(node, &["job", "show", &job_text]);
	assert!(ok && said.contains(&finalists[2]), "the heavier finalist is the job's output: {said}");
	let (ok, said) = studio(node, &["asset", "show", &finalists[1]]);
	assert!(ok && said.contains("status: Unchosen"), "{said}");
	// Charlie gets its 30 back and the whole 10 UNIT reward; Dave its 10, nothing more.
	assert_eq!(free_balance(&client, account(&charlie)).await - charlie_before, 40 * UNIT);
	assert_eq!(free_balance(&client, account(&dave)).await - dave_before, 10 * UNIT);
	let (ok, said) = studio(node, &["--suri", "//Charlie", "--dev", "curator", "show", "--json"]);
	assert!(ok, "{said}");
	let record: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
	assert_eq!((record["wins"].as_u64(), record["losses"].as_u64()), (Some(1), Some(0)), "{said}");
	assert!(record["multiplier"].as_f64().unwrap() > 1.0, "{said}");

	// The next job of the style is designed along what the curation taught.
	let next = [
		"job", "submit", "--prompt", "an amber painted eye", "--style", "0", "--bounty", "100", "--no-wait", "--json",
	];
	let (ok, said) = studio(node, &[&alice_dev[..], &next[..]].concat());
	assert!(ok, "{said}");
	let next: u64 = serde_json::from_str::<serde_json::Value>(said.lines().last().unwrap()).unwrap()["job"].as_u64().unwrap();
	let line = wait_for("the worker to design the next job", Duration::from_secs(120), || async {
		let log = worker.log();
		log.lines()
			.find(|line| {
				let plain = crate::worker::without_colours(line);
				plain.contains(" designing ") && plain.contains(&format!("job={next} "))
			})
			.map(str::to_string)
	})
	.await;
	let plain = crate::worker::without_colours(&line);
	let length: f64 = plain.split("preference_length=").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
	assert!(length > 0.0, "the style's preference is part of the fitness: {plain}");
}
