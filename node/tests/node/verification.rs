//! Verified results through the real binaries: one dev node, three honest `studio-worker`
//! daemons (Bob, Charlie, Dave) with the real models, a liar (Ferdie) and a lazy verifier (Eve)
//! driven by hand. Four stories share the chain: an audit catches a forged result; a client's
//! challenge of an honest result loses its deposit; a worker whose output vanished with it
//! loses the verification; a verifier silent after committing loses its part while the others
//! decide. At the end the web studio (headless Chromium) shows each result's verification and
//! the liar's incident.

use crate::{
	harness::{run_binary_to_exit, studio, submit, wait_for, workspace_root, Node, NODE_BINARY},
	studio::{bytes_of, cid_of, field_u128, job_spec, permill, register_worker, set_field, submit_job, Ask, BOUNTY},
	worker::{
		account, bond_of, models_dir, wait_for_status, worker_to_exit, EventLog, Worker, AMBER_PAINTERLY,
		AMBER_PROMPT, EYE_GENERATOR,
	},
};
use std::{path::Path, time::Duration};
use studio_runtime::{dev_styles::DEV_STYLES, genesis_config_presets::EYE_GENERATOR_SHA256};
use subxt::{
	dynamic::{self, At, Value},
	ext::scale_value::ValueDef,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::{dev, Keypair};

/// Root sets governed parameters at once (`force_enact`), in one batch.
async fn set_parameters(client: &OnlineClient<PolkadotConfig>, parameters: &[(&str, u128)]) {
	let enact = |(name, value): &(&str, u128)| {
		let action = Value::named_variant(
			"SetParameter",
			[("parameter", Value::unnamed_variant(*name, [])), ("value", Value::u128(*value))],
		);
		Value::unnamed_variant("StudioGovernance", [Value::named_variant("force_enact", [("action", action)])])
	};
	let batch = Value::unnamed_variant(
		"Utility",
		[Value::named_variant("batch_all", [("calls", Value::unnamed_composite(parameters.iter().map(enact)))])],
	);
	submit(client, &dynamic::transaction("Sudo", "sudo", (batch,)), &dev::alice()).await;
}

/// The name of a variant value.
fn variant(value: &Value) -> String {
	match &value.value {
		ValueDef::Variant(variant) => variant.name.clone(),
		other => panic!("not a variant: {other:?}"),
	}
}

/// The `JobEscrow::ResultVerified` event of `job`, once it comes: (outcome, confirming, revealed).
async fn verdict(events: &EventLog, job: u64, timeout: Duration) -> (String, u128, u128) {
	wait_for(&format!("the verdict on job {job}"), timeout, || async {
		events.find("JobEscrow", "ResultVerified").into_iter().find(|(_, fields)| field_u128(fields, "job") == job as u128).map(
			|(_, fields)| {
				(variant(fields.at("outcome").unwrap()), field_u128(&fields, "confirming"), field_u128(&fields, "revealed"))
			},
		)
	})
	.await
}

/// The accounts `JobEscrow::<name>` events of `job` name in their `field`.
fn accounts_in(events: &EventLog, name: &str, job: u64, field: &str) -> Vec<[u8; 32]> {
	events
		.find("JobEscrow", name)
		.into_iter()
		.filter(|(_, fields)| field_u128(fields, "job") == job as u128)
		.map(|(_, fields)| bytes_of(&fields, field).try_into().expect("an account"))
		.collect()
}

/// The worker that delivered `job`, once it is delivered.
async fn delivered_by(client: &OnlineClient<PolkadotConfig>, job: u64) -> [u8; 32] {
	let delivered = wait_for_status(client, job, "Delivered", Duration::from_secs(180)).await;
	bytes_of(&delivered, "worker").try_into().expect("an account")
}

#[tokio::test]
async fn verifiers_catch_a_liar_uphold_an_honest_result_and_outlast_a_vanished_output_and_a_silent_verifier() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	let rpc = node.rpc().await;
	let events = EventLog::start(&client).await;
	let (alice, ferdie, eve) = (dev::alice(), dev::ferdie(), dev::eve());
	let web = workspace_root().join("offchain-worker/web");
	assert!(
		web.join("dist/index.html").is_file() && web.join("node_modules/playwright-core").is_dir(),
		"the web studio is not built: run `npm ci && npm run build` in {}",
		web.display()
	);
	let dist = web.join("dist");
	let honest: [(Keypair, &str); 3] = [(dev::bob(), "//Bob"), (dev::charlie(), "//Charlie"), (dev::dave(), "//Dave")];

	// Every result audited; windows long enough to act from finalized blocks.
	set_parameters(&client, &[("AuditProbability", 1_000_000), ("ChallengeWindow", 40), ("ClaimTimeout", 60)]).await;
	for (worker, _) in &honest {
		register_worker(&client, EYE_GENERATOR, worker).await;
	}
	register_worker(&client, EYE_GENERATOR, &ferdie).await;

	// Story 1 — a liar. Ferdie claims Alice's job before the honest daemons run.
	let mut spec = job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, Ask { parents: &[], seed: 7, candidates: 4 }).await;
	set_field(&mut spec, "on_rejection", Value::unnamed_variant("Refund", []));
	let lied_to = submit_job(&client, spec, &alice).await;
	submit(&client, &dynamic::transaction("JobEscrow", "claim_job", (Value::u128(lied_to.into()),)), &ferdie).await;
	let mut workers: Vec<Worker> = honest
		.iter()
		.map(|(_, suri)| {
			let args = ["--fetch-timeout", "8", "--web", dist.to_str().unwrap()];
			Worker::start_with(&node, suri, dir.path(), &suri[2..].to_lowercase(), &args)
		})
		.collect();
	// Each has joined the content network (dialled the others' published addresses) once it
	// follows blocks.
	for worker in &workers {
		wait_for("the worker to follow blocks", Duration::from_secs(90), || async {
			(worker.metric_now("studio_worker_finalized_block").unwrap_or(0.0) > 0.0).then_some(())
		})
		.await;
	}
	// The forgery: a real design, but for another prompt and seed, reported as a perfect fit.
	let reference = serde_json::to_string(&DEV_STYLES[AMBER_PAINTERLY as usize].2.to_vec()).unwrap();
	let models = models_dir();
	let forged_store = dir.path().join("forged");
	let (ok, printed) = worker_to_exit(
		&[
			"--models-dir", models.to_str().unwrap(), "search", "--prompt", "a vivid red eye", "--reference", &reference,
			"--seed", "99", "--candidates", "2", "--rounds", "0", "--store", forged_store.to_str().unwrap(),
		],
		Duration::from_secs(120),
	);
	assert!(ok, "{printed}");
	let searched: serde_json::Value = serde_json::from_str(printed.lines().rev().find(|line| line.starts_with('{')).unwrap()).unwrap();
	let forged = std::fs::read(searched["path"].as_str().unwrap()).unwrap();
	let forged_path = dir.path().join("forged.png");
	std::fs::write(&forged_path, &forged).unwrap();
	// Ferdie has no IPFS node: he registers the bytes and uploads them to Bob's gateway, so the
	// verifiers can fetch and measure them.
	let bob_gateway = format!("http://127.0.0.1:{}", workers[0].gateway);
	let (ok, said) = studio(&node, &["--suri", "//Ferdie", "--dev", "asset", "register", forged_path.to_str().unwrap(), "--gateway", &bob_gateway]);
	assert!(ok && said.contains("uploaded"), "{said}");
	let report = Value::named_composite([
		("output", Value::from_bytes(cid_of(&forged))),
		("style_deviation", permill(0)),
		("quality", permill(950_000)),
		("weights_hash", Value::from_bytes(EYE_GENERATOR_SHA256)),
		("settings", Value::from_bytes(serde_json::to_vec(&searched["settings"]).unwrap())),
		("candidates_tried", Value::u128(4)),
	]);
	let ferdie_bond = bond_of(&client, &ferdie).await;
	submit(&client, &dynamic::transaction("JobEscrow", "submit_result", (Value::u128(lied_to.into()), report)), &ferdie).await;
	let (outcome, confirming, revealed) = verdict(&events, lied_to, Duration::from_secs(150)).await;
	assert_eq!((outcome.as_str(), confirming, revealed), ("Falls", 0, 3), "every honest verifier refutes it");
	wait_for_status(&client, lied_to, "Refunded", Duration::from_secs(30)).await;
	let refunded = events.find("JobEscrow", "JobRefunded");
	assert!(refunded.iter().any(|(_, fields)| field_u128(fields, "job") == lied_to as u128 && field_u128(fields, "amount") == BOUNTY));
	assert_eq!(accounts_in(&events, "MisreportSlashed", lied_to, "worker"), vec![account(&ferdie)]);
	assert_eq!(bond_of(&client, &ferdie).await, ferdie_bond / 2, "half the liar's bond");
	let mut rewarded = accounts_in(&events, "VerifierRewarded", lied_to, "verifier");
	rewarded.sort();
	let mut expected: Vec<[u8; 32]> = honest.iter().map(|(worker, _)| account(worker)).collect();
	expected.sort();
	assert_eq!(rewarded, expected, "the honest verifiers are paid");
	let tripped = events.find("CircuitBreaker", "Tripped");
	assert!(
		tripped.iter().any(|(_, fields)| variant(fields.at("cause").unwrap()) == "Misreport"),
		"the liar is halted with a Misreport incident: {tripped:?}"
	);

	// Story 2 — the client challenges an honest result, which stands.
	set_parameters(&client, &[("AuditProbability", 0)]).await;
	let honest_job = submit_job(
		&client,
		job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, Ask { parents: &[], seed: 8, candidates: 4 }).await,
		&alice,
	)
	.await;
	let maker = delivered_by(&client, honest_job).await;
	let honest_output = bytes_of(&wait_for_status(&client, honest_job, "Delivered", Duration::from_secs(10)).await, "output");
	let (ok, said) = studio(&node, &["--suri", "//Alice", "--dev", "job", "challenge", &honest_job.to_string()]);
	assert!(ok && said.contains("challenged"), "{said}");
	let (outcome, confirming, revealed) = verdict(&events, honest_job, Duration::from_secs(150)).await;
	assert_eq!((outcome.as_str(), confirming, revealed), ("Stands", 2, 2));
	wait_for_status(&client, honest_job, "Settled", Duration::from_secs(30)).await;
	let ended = events.find("JobEscrow", "ChallengeEnded");
	assert!(ended.iter().any(|(_, fields)| field_u128(fields, "job") == honest_job as u128 && field_u128(fields, "returned") == 0));
	let settled = events.find("JobEscrow", "JobSettled");
	let (_, paid) = settled.iter().find(|(_, fields)| field_u128(fields, "job") == honest_job as u128).unwrap();
	assert_eq!(bytes_of(paid, "worker"), maker.to_vec());
	assert_eq!(field_u128(paid, "payment"), BOUNTY - BOUNTY / 20, "the worker is paid in full");

	// Story 3 — a worker's output vanishes with it: the verification falls, the job is re-done.
	let vanished_job = submit_job(
		&client,
		job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, Ask { parents: &[], seed: 9, candidates: 4 }).await,
		&alice,
	)
	.await;
	let gone = delivered_by(&client, vanished_job).await;
	let gone_index = honest.iter().position(|(worker, _)| account(worker) == gone).unwrap();
	workers[gone_index].kill();
	let (ok, said) = studio(&node, &["--suri", "//Alice", "--dev", "job", "challenge", &vanished_job.to_string()]);
	assert!(ok, "{said}");
	let (outcome, _, revealed) = verdict(&events, vanished_job, Duration::from_secs(150)).await;
	assert_eq!((outcome.as_str(), revealed), ("Falls", 2), "both remaining verifiers find it unavailable");
	assert_eq!(accounts_in(&events, "MisreportSlashed", vanished_job, "worker"), vec![gone]);
	let redone_by = delivered_by(&client, vanished_job).await;
	assert_ne!(redone_by, gone, "another worker re-does the job");

	// Story 4 — Eve, drawn to verify, commits and goes silent; the other verifier decides.
	register_worker(&client, EYE_GENERATOR, &eve).await;
	let quiet_job = submit_job(
		&client,
		job_spec(&rpc, EYE_GENERATOR, AMBER_PAINTERLY, AMBER_PROMPT, Ask { parents: &[], seed: 10, candidates: 4 }).await,
		&alice,
	)
	.await;
	delivered_by(&client, quiet_job).await;
	let (ok, said) = studio(&node, &["--suri", "//Alice", "--dev", "job", "challenge", &quiet_job.to_string()]);
	assert!(ok, "{said}");
	let drawn = wait_for("verifiers drawn", Duration::from_secs(30), || async {
		events
			.find("JobEscrow", "VerifiersDrawn")
			.into_iter()
			.find(|(_, fields)| field_u128(fields, "job") == quiet_job as u128)
			.map(|(_, fields)| fields)
	})
	.await;
	let verifiers = bytes_of(&drawn, "verifiers");
	assert!(verifiers.chunks(32).any(|chunk| chunk == account(&eve)), "Eve is drawn: {drawn}");
	let eve_bond = bond_of(&client, &eve).await;
	submit(
		&client,
		&dynamic::transaction("JobEscrow", "commit_finding", (Value::u128(quiet_job.into()), Value::from_bytes([7u8; 32]))),
		&eve,
	)
	.await;
	let (ok, shown) = studio(&node, &["job", "show", &quiet_job.to_string()]);
	assert!(ok && shown.contains("verification: challenged by") && shown.contains("committed"), "{shown}");
	let (outcome, confirming, revealed) = verdict(&events, quiet_job, Duration::from_secs(180)).await;
	assert_eq!((outcome.as_str(), confirming, revealed), ("Stands", 1, 1));
	assert_eq!(accounts_in(&events, "VerifierAbsent", quiet_job, "verifier"), vec![account(&eve)]);
	assert_eq!(bond_of(&client, &eve).await, eve_bond - eve_bond / 50, "2 % of the silent verifier's bond");

	// The web studio, served by a worker still running, shows each result's verification and
	// the liar's incident.
	let live = (0..honest.len()).find(|index| *index != gone_index).unwrap();
	let page = format!("http://127.0.0.1:{}/", workers[live].gateway);
	let shots = Path::new(NODE_BINARY).parent().unwrap().parent().unwrap().join("web-studio");
	std::fs::create_dir_all(&shots).unwrap();
	let screenshot = shots.join("verification.png");
	let honest_cid = cid::Cid::try_from(honest_output.as_slice()).unwrap().to_string();
	let ferdie_address = subxt::utils::AccountId32(account(&ferdie)).to_string();
	let states = [(lied_to, "fallen"), (honest_job, "verified"), (vanished_job, "fallen"), (quiet_job, "verified")]
		.map(|(job, state)| format!("{job}={state}"));
	let check = web.join("tests/check-page.mjs");
	let mut args = vec![check.to_str().unwrap(), "--page", &page, "--cid", &honest_cid, "--incident-agent", &ferdie_address];
	for state in &states {
		args.extend(["--verification", state.as_str()]);
	}
	args.extend(["--screenshot", screenshot.to_str().unwrap(), "--timeout", "120"]);
	let (status, said) = run_binary_to_exit(Path::new("node"), &args, Duration::from_secs(180));
	println!("web studio screenshot: {}", screenshot.display());
	assert!(status.success(), "the page does not show the verifications ({}):\n{said}", screenshot.display());
	let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
	assert!(report["incident"]["cause"].as_str().unwrap_or_default().contains("reported 0"), "{report}");
	drop(workers);
}
