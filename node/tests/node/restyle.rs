//! Restyling a client's own images through the real binaries, on the chain and worker of the
//! CLI story (`worker::a_client_submits_with_the_studio_cli…`): the client stylizes its settled
//! design in a DAO style and turns that into line art with `studio job stylize` / `lineart`
//! (each output's parent is its input, so the lineage grows by a generation each time); a
//! non-image, someone else's image and a content that is not a recorded asset are refused
//! before any money moves; a content nobody uploaded makes the worker give its claim back
//! without a slash.

use crate::{
	harness::{free_balance, run_binary_to_exit, studio, submit, submit_and_fail, wait_for, workspace_root, Node, NODE_BINARY},
	studio::{cid_of, event, field_u128, BOUNTY},
	worker::{account, bond_of, models_dir, worker_to_exit},
};
use std::{path::Path, time::Duration};
use subxt::dynamic::{self, At, Value};
use subxt_signer::sr25519::dev;

/// The style-transfer and line-art models of the dev chains.
pub const STYLE_TRANSFER: u32 = 3;
pub const LINE_ART: u32 = 4;
/// The dev chains' "ink wash" stylize style.
const INK_WASH: u128 = 3;

/// A CID's text form.
fn cid_text(cid: &[u8]) -> String {
	cid::Cid::try_from(cid).unwrap().to_string()
}

/// The PNG's width and height, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
	assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
	let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
	(be(16), be(20))
}

/// A stylize job spec on `content` at strength 80 %, due in 200 blocks.
async fn stylize_spec(node: &Node, content: &[u8], style: u128, (width, height): (u32, u32)) -> Value {
	let (best, _) = crate::harness::heights(&node.rpc().await).await.unwrap();
	Value::named_composite([
		(
			"kind",
			Value::named_variant("Stylize", [("content", Value::from_bytes(content)), ("strength", Value::u128(800_000))]),
		),
		("model", Value::u128(STYLE_TRANSFER.into())),
		("style", Value::u128(style)),
		("prompt", Value::unnamed_variant("Text", [Value::from_bytes(b"in ink wash")])),
		("parents", Value::unnamed_composite([])),
		("seed", Value::u128(0)),
		(
			"output",
			Value::named_composite([
				("format", Value::unnamed_variant("Png", [])),
				("width", Value::u128(width.into())),
				("height", Value::u128(height.into())),
			]),
		),
		("candidates", Value::u128(4)),
		("deadline", Value::u128(u128::from(best) + 200)),
		("on_rejection", Value::unnamed_variant("Refund", [])),
		("curation", Value::unnamed_variant("None", [])),
	])
}

/// The stories, on `node` with Bob's worker (registered for models 0, 3 and 4) serving
/// `gateway`; `design` is a 128×128 design Alice owns, settled.
pub async fn restyle_stories(node: &Node, gateway: &str, dir: &Path, design: &Path) {
	let client = node.client().await;
	let alice = ["--suri", "//Alice", "--dev"];
	let run = |args: &[&str]| studio(node, &[&alice[..], args].concat());

	// Refused before any money moves: not an image; someone else's image.
	let notes = dir.join("brief.txt");
	std::fs::write(&notes, "make it pop").unwrap();
	let before = free_balance(&client, account(&dev::alice())).await;
	let (ok, said) = run(&["job", "stylize", notes.to_str().unwrap(), "--style", "ink wash", "--bounty", "50"]);
	assert!(!ok && said.contains("brief.txt cannot be restyled") && said.contains("not a PNG or JPEG"), "{said}");
	let (ok, said) = studio(node, &["--suri", "//Dave", "--dev", "job", "lineart", design.to_str().unwrap(), "--bounty", "50", "--gateway", gateway]);
	assert!(!ok && said.contains("you can restyle only your own images"), "{said}");
	let (ok, said) = run(&["job", "stylize", design.to_str().unwrap(), "--style", "amber painterly", "--bounty", "50"]);
	assert!(!ok && said.contains("has no basis blend"), "{said}");
	assert_eq!(free_balance(&client, account(&dev::alice())).await, before, "nothing moved");

	// Stylized in a DAO style: the output is the design's child, its size, in the style.
	let stylized = dir.join("stylized.png");
	let (ok, said) = run(&[
		"job", "stylize", design.to_str().unwrap(), "--style", "ink wash", "--strength", "0.8", "--bounty", "50",
		"--gateway", gateway, "-o", stylized.to_str().unwrap(), "--json",
	]);
	assert!(ok, "{said}");
	for step in ["claimed by", "delivered by", "settled"] {
		assert!(said.contains(step), "no `{step}` in\n{said}");
	}
	let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
	let stylized_cid = report["cid"].as_str().unwrap().to_string();
	let stylized_png = std::fs::read(&stylized).unwrap();
	assert_eq!(png_size(&stylized_png), png_size(&std::fs::read(design).unwrap()));
	assert_ne!(stylized_png, std::fs::read(design).unwrap());

	// Its line art: a third generation, which `asset lineage` prints.
	let lines = dir.join("lines.png");
	let (ok, said) = run(&[
		"job", "lineart", stylized.to_str().unwrap(), "--bounty", "50", "--gateway", gateway, "-o",
		lines.to_str().unwrap(), "--json",
	]);
	assert!(ok, "{said}");
	let report: serde_json::Value = serde_json::from_str(said.lines().last().unwrap()).unwrap();
	let lines_cid = report["cid"].as_str().unwrap().to_string();
	// The web studio shows each input → output pair and the style's blend with its sample.
	let web = workspace_root().join("offchain-worker/web");
	let shots = Path::new(NODE_BINARY).parent().unwrap().parent().unwrap().join("web-studio");
	std::fs::create_dir_all(&shots).unwrap();
	let screenshot = shots.join("restyle.png");
	let page = format!("{gateway}/");
	let check = web.join("tests/check-page.mjs");
	let args = [
		check.to_str().unwrap(), "--page", &page, "--cid", &lines_cid, "--restyle", "1=Stylize", "--restyle", "2=LineArt",
		"--blend", "3", "--screenshot", screenshot.to_str().unwrap(), "--timeout", "120",
	];
	let (status, said) = run_binary_to_exit(Path::new("node"), &args, Duration::from_secs(180));
	println!("web studio screenshot: {}", screenshot.display());
	assert!(status.success(), "the page does not show the restyles ({}):\n{said}", screenshot.display());

	let (ok, said) = studio(node, &["asset", "lineage", &lines_cid]);
	assert!(ok, "{said}");
	let tree: Vec<&str> = said.lines().collect();
	assert!(tree[0].starts_with(&lines_cid) && tree[0].contains("final"), "{said}");
	assert!(tree[1].starts_with(&format!("└── {stylized_cid}")), "{said}");
	let design_cid = cid_text(&cid_of(&std::fs::read(design).unwrap()));
	assert!(tree[2].trim_start().starts_with(&format!("└── {design_cid}")), "{said}");

	// A content that is not a recorded asset never makes a job.
	let alice_key = dev::alice();
	let unrecorded = crate::studio::cid_of(b"never registered");
	let spec = stylize_spec(node, &unrecorded, INK_WASH, (128, 128)).await;
	let call = dynamic::transaction("JobEscrow", "submit_job", (spec, Value::u128(BOUNTY)));
	let error = submit_and_fail(&client, &call, &alice_key).await;
	assert!(error.contains("UnknownContentAsset"), "{error}");

	// A content registered but never uploaded: Bob cannot fetch it, gives the claim back within
	// the grace and keeps his whole bond; Alice takes her bounty back.
	let bond = bond_of(&client, &dev::bob()).await;
	let store = dir.join("unsent");
	let models = models_dir().display().to_string();
	let made = ["--models-dir", &models, "generate", "--class", "gray", "--seed", "7", "--candidates", "1", "--store"];
	let (ok, said) = worker_to_exit(&[&made[..], &[store.to_str().unwrap()]].concat(), Duration::from_secs(120));
	assert!(ok, "{said}");
	let missing = said.lines().last().unwrap().trim().to_string();
	let (ok, said) = run(&["asset", "register", &missing, "--no-upload"]);
	assert!(ok, "{said}");
	let missing_cid = cid_of(&std::fs::read(&missing).unwrap());
	let spec = stylize_spec(node, &missing_cid, INK_WASH, (128, 128)).await;
	let submitted = submit(&client, &dynamic::transaction("JobEscrow", "submit_job", (spec, Value::u128(BOUNTY))), &alice_key).await;
	let job = field_u128(event(&submitted, "JobEscrow", "JobSubmitted"), "job") as u64;
	// Given back: open again, and Bob barred from it (what `release_claim` alone does).
	wait_for(&format!("Bob to give job {job} back"), Duration::from_secs(120), || async {
		let at = client.at_current_block().await.unwrap();
		let address = dynamic::storage::<(u64,), Value>("JobEscrow", "Jobs");
		let info = at.storage().fetch(address, (job,)).await.unwrap().decode().unwrap();
		let barred = info.at("barred").and_then(|barred| barred.at(0)).map(crate::studio::bytes_in);
		let (status, _) = crate::worker::status_of(&client, job).await;
		(status == "Open" && barred == Some(account(&dev::bob()).to_vec())).then_some(())
	})
	.await;
	assert_eq!(bond_of(&client, &dev::bob()).await, bond, "no slash for a content nobody serves");
	let (ok, said) = run(&["job", "cancel", &job.to_string()]);
	assert!(ok, "{said}");
}
