//! Studio governance as token holders meet it: the `studio` CLI against the real node. A dry
//! run shows a change's track, bounds and step and the runtime's verdict; dev accounts
//! propose, vote on and close a tightening change, and the new value is read back; a new
//! style's reference is computed from example images by the worker's critic and proposed; and
//! a runtime upgrade is voted and applied on the same chain (`upgrade`).

use crate::{
	harness::{studio, wait_for, Node},
	worker::{models_dir, worker_to_exit},
};
use std::time::Duration;

/// Runs the CLI signed with the dev key `suri`.
pub(crate) fn studio_as(node: &Node, suri: &str, args: &[&str]) -> (bool, String) {
	studio(node, &[&["--suri", suri, "--dev"][..], args].concat())
}

pub(crate) fn assert_says(said: &str, lines: &[&str]) {
	for line in lines {
		assert!(said.contains(line), "no `{line}` in\n{said}");
	}
}

#[tokio::test]
async fn token_holders_change_a_parameter_and_propose_a_style_with_the_studio_cli() {
	let dir = tempfile::tempdir().unwrap();
	let node = Node::start(&["--dev", "--tmp"], dir.path().join("node.log"));
	let client = node.client().await;
	wait_for("a block past genesis", Duration::from_secs(60), || {
		let client = client.clone();
		async move { (client.stream_best_blocks().await.ok()?.next().await?.ok()?.number() >= 2).then_some(()) }
	})
	.await;
	// A client's open job, which the upgrade must leave as it is.
	let (ok, said) = studio_as(&node, "//Eve", &[
		"job", "submit", "--prompt", "an amber painted eye", "--style", "0", "--bounty", "10", "--deadline-in", "2000", "--no-wait",
	]);
	assert!(ok, "{said}");

	// Dry runs show the plan and the runtime's verdict, and submit nothing.
	let (ok, said) = studio_as(&node, "//Alice", &["gov", "propose", "param", "max-style-deviation", "50000", "--dry-run"]);
	assert!(ok, "{said}");
	assert_says(&said, &[
		"set MaxStyleDeviation from 100000 to 50000 (parts per million)",
		"bounds [10000, 600000]; a step of 50000 of at most 100000: within its bounds",
		"tightens the studio",
		"track Fast: voting for 10 blocks, turnout ≥ 1.0% of the issuance, approval ≥ 50.0%, enacted 0 blocks after passing",
		"deposit 10 STU held until it closes",
		"dry run: the runtime accepts it",
	]);
	let (ok, said) = studio_as(&node, "//Alice", &["gov", "propose", "param", "MaxStyleDeviation", "250000", "--dry-run"]);
	assert!(!ok, "{said}");
	assert_says(&said, &["a step of 150000 of at most 100000: REFUSED: StepTooLarge", "track Slow", "StudioGovernance::StepTooLarge"]);
	let (ok, said) = studio_as(&node, "//Alice", &["gov", "propose", "param", "Speed", "1"]);
	assert!(!ok && said.contains("no parameter `Speed`; the parameters are MaxStyleDeviation,"), "{said}");
	let (ok, said) = studio(&node, &["gov", "list"]);
	assert!(ok && said.trim().is_empty(), "a dry run submits nothing: {said}");

	// The proposal; Alice and Bob vote at once, well within the fast track's ten blocks.
	let (ok, said) = studio_as(&node, "//Alice", &["gov", "propose", "param", "MaxStyleDeviation", "50000"]);
	assert!(ok && said.contains("proposal 0 on the Fast track"), "{said}");
	let voting_ends: u64 = said.rsplit("voting ends at block ").next().unwrap().trim().parse().unwrap();
	let votes = std::thread::scope(|scope| {
		let alice = scope.spawn(|| studio_as(&node, "//Alice", &["gov", "vote", "0", "--aye", "--amount", "600000"]));
		let bob = scope.spawn(|| studio_as(&node, "//Bob", &["gov", "vote", "0", "--nay", "--amount", "100000"]));
		[alice.join().unwrap(), bob.join().unwrap()]
	});
	for (ok, said) in votes {
		assert!(ok && said.contains("on proposal 0 with"), "{said}");
	}
	// The upgrade's slow vote runs beside the rest of the story.
	let upgrade = crate::upgrade::propose(&node, dir.path()).await;
	let (ok, said) = studio(&node, &["gov", "list"]);
	assert!(ok, "{said}");
	assert_says(&said, &["set MaxStyleDeviation to 50000", "Fast track", "ayes 600000 STU / nays 100000 STU"]);

	wait_for("the end of the voting period", Duration::from_secs(90), || {
		let client = client.clone();
		async move {
			let best = client.stream_best_blocks().await.ok()?.next().await?.ok()?;
			(best.number() > voting_ends).then_some(())
		}
	})
	.await;
	let (ok, said) = studio_as(&node, "//Charlie", &["gov", "close", "0"]);
	assert!(ok && said.contains("proposal 0 approved (ayes 600000 STU / nays 100000 STU): enacted now"), "{said}");
	let (ok, said) = studio(&node, &["gov", "params"]);
	assert!(ok && said.contains("MaxStyleDeviation\t50000\t"), "{said}");
	let (ok, said) = studio_as(&node, "//Bob", &["gov", "vote", "0", "--aye", "--amount", "1"]);
	assert!(!ok && said.contains("StudioGovernance::UnknownProposal"), "a closed proposal takes no votes: {said}");
	let (ok, said) = studio_as(&node, "//Bob", &["gov", "unlock"]);
	assert!(ok, "{said}");

	// A style from example images, measured by the worker's own critic.
	let (models, examples) = (models_dir().display().to_string(), dir.path().join("examples"));
	let (ok, said) = worker_to_exit(
		&["--models-dir", &models, "generate", "--class", "green", "--candidates", "4", "--seed", "7", "--store", examples.to_str().unwrap()],
		Duration::from_secs(120),
	);
	assert!(ok, "{said}");
	let images: Vec<String> = said.lines().filter(|line| line.contains("examples")).map(|l| l.trim().to_string()).collect();
	assert_eq!(images.len(), 4, "{said}");
	let add = |extra: &[&str]| {
		let mut args = vec!["style", "add", "--name", "moss study", "--models-dir", &models, "--from"];
		args.extend(images.iter().map(String::as_str));
		args.extend(extra);
		studio_as(&node, "//Alice", &args)
	};
	let (ok, said) = add(&["--dry-run"]);
	assert!(ok, "{said}");
	assert_says(&said, &[
		"add style \"moss study\": a reference of 68 components from 4 examples",
		"track Slow: voting for 20 blocks",
		"dry run: the runtime accepts it",
	]);
	let (ok, said) = add(&[]);
	assert!(ok && said.contains("proposal 2 on the Slow track"), "{said}");
	let (ok, said) = studio(&node, &["gov", "list"]);
	assert!(ok && said.contains("add style \"moss study\" (68 components)"), "{said}");
	let notes = dir.path().join("notes.txt");
	std::fs::write(&notes, "not a picture").unwrap();
	let (ok, said) = studio_as(&node, "//Alice", &["style", "add", "--name", "x", "--from", notes.to_str().unwrap(), "--dry-run"]);
	assert!(!ok && said.contains("notes.txt is not an image the studio reads"), "{said}");
	let (ok, said) = studio(&node, &["style", "list"]);
	assert!(ok && said.contains("0\tamber painterly\tactive\tgenerator's style\t68 components"), "{said}");
	assert!(ok && said.contains("3\tink wash\tactive\tstylize blend 2:0.7,14:0.3\t68 components"), "{said}");

	crate::upgrade::apply(&node, &client, upgrade).await;
}
