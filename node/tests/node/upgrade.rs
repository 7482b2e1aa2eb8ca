//! A runtime upgrade by vote on a running chain, through the `studio` CLI: token holders
//! authorize a new runtime's code hash on the slow track, an account that took no part applies
//! it for free, blocks keep finalizing under it, and what the chain held before (parameters,
//! styles, open proposals and their tallies, a job, balances and their freezes) reads the same
//! after.
//!
//! The new runtime is the running one with its embedded spec version raised by one (the
//! `runtime_version` section the node's executor reads when it checks and loads a runtime): a
//! new code blob with a new hash that the node loads as a new runtime, with the same logic, so
//! that everything must read the same after.

use crate::{
	governance::{assert_says, studio_as},
	harness::{account_data, studio, wait_for_finalized, Node},
};
use codec::{Decode, Encode};
use std::{path::PathBuf, time::Duration};
use subxt::PolkadotConfig;
use subxt_signer::sr25519::dev;

/// The dev runtime's upgrade, proposed and voted on.
pub struct ProposedUpgrade {
	proposal: u32,
	voting_ends: u64,
	wasm: PathBuf,
	spec_version: u32,
}

/// The runtime the chain runs now, compressed, as a file in `dir`.
async fn current_code(node: &Node, dir: &std::path::Path) -> (Vec<u8>, PathBuf) {
	let code = node.rpc().await.state_get_storage(b":code", None).await.unwrap().expect("the chain holds its code");
	let path = dir.join("current.compact.compressed.wasm");
	std::fs::write(&path, &code).unwrap();
	(code, path)
}

/// `code` with its embedded spec version raised by one; returns the new code (compressed as
/// the wasm builder compresses it) and its spec version.
fn with_next_spec_version(code: &[u8]) -> (Vec<u8>, u32) {
	let limit = sp_maybe_compressed_blob::CODE_BLOB_BOMB_LIMIT;
	let mut wasm = sp_maybe_compressed_blob::decompress(code, limit).unwrap().into_owned();
	let blob = sc_executor_common::runtime_blob::RuntimeBlob::new(&wasm).unwrap();
	let version = sc_executor::read_embedded_version(&blob).unwrap().expect("the runtime embeds its version");
	// The section starts with spec name, impl name, authoring version and spec version: the
	// spec version is the four bytes after the first three.
	let prefix = (&version.spec_name, &version.impl_name, version.authoring_version).encode();
	let mut section = prefix.clone();
	section.extend(version.spec_version.encode());
	let at = wasm.windows(section.len()).position(|window| window == section).expect("the version section") + prefix.len();
	let next = version.spec_version + 1;
	wasm[at..at + 4].copy_from_slice(&next.encode());
	let patched = sc_executor_common::runtime_blob::RuntimeBlob::new(&wasm).unwrap();
	let read = sc_executor::read_embedded_version(&patched).unwrap().unwrap();
	assert_eq!(read, sp_version::RuntimeVersion { spec_version: next, ..version }, "only the spec version changed");
	assert_eq!(u32::decode(&mut &wasm[at..at + 4]).unwrap(), next);
	(sp_maybe_compressed_blob::compress_strongly(&wasm, limit).unwrap(), next)
}

/// Proposes the upgrade (after the checks a wrong file fails) and votes it through with
/// Charlie's and Dave's tokens.
pub async fn propose(node: &Node, dir: &std::path::Path) -> ProposedUpgrade {
	let (code, current) = current_code(node, dir).await;
	let (next_code, spec_version) = with_next_spec_version(&code);
	let wasm = dir.join("next.compact.compressed.wasm");
	std::fs::write(&wasm, next_code).unwrap();
	let path = |path: &PathBuf| path.to_str().unwrap().to_string();

	// The running runtime again is no upgrade; a file that is no runtime says so.
	let (ok, said) = studio_as(node, "//Dave", &["gov", "propose", "upgrade", &path(&current), "--dry-run"]);
	assert!(!ok && said.contains("an upgrade must raise the spec version"), "{said}");
	let notes = dir.join("notes.wasm");
	std::fs::write(&notes, "not a runtime").unwrap();
	let (ok, said) = studio_as(node, "//Dave", &["gov", "propose", "upgrade", &path(&notes), "--dry-run"]);
	assert!(!ok && said.contains("is not a runtime the chain can take"), "{said}");
	// Nothing is authorized yet: applying fails before anything is signed.
	let (ok, said) = studio_as(node, "//Ferdie", &["runtime", "apply", &path(&wasm)]);
	assert!(!ok && said.contains("no upgrade is authorized"), "{said}");

	let (ok, said) = studio_as(node, "//Dave", &["gov", "propose", "upgrade", &path(&wasm), "--dry-run"]);
	assert!(ok, "{said}");
	assert_says(&said, &[
		&format!("\"studio-runtime\" spec version {} → {spec_version}", spec_version - 1),
		"track Slow: voting for 20 blocks",
		"dry run: the runtime accepts it",
	]);
	let (ok, said) = studio_as(node, "//Dave", &["gov", "propose", "upgrade", &path(&wasm)]);
	assert!(ok && said.contains("on the Slow track"), "{said}");
	let proposal: u32 = said.rsplit("proposal ").next().unwrap().split(' ').next().unwrap().parse().unwrap();
	let voting_ends: u64 = said.rsplit("voting ends at block ").next().unwrap().trim().parse().unwrap();
	for voter in ["//Charlie", "//Dave"] {
		let (ok, said) = studio_as(node, voter, &["gov", "vote", &proposal.to_string(), "--aye", "--amount", "500000"]);
		assert!(ok, "{said}");
	}
	ProposedUpgrade { proposal, voting_ends, wasm, spec_version }
}

/// What the chain holds, read through the CLI and the balances of the dev accounts that voted,
/// proposed or paid.
async fn holdings(node: &Node, client: &subxt::OnlineClient<PolkadotConfig>) -> Vec<String> {
	let mut read: Vec<String> = [&["gov", "params"][..], &["gov", "list"], &["style", "list"], &["job", "show", "0", "--json"]]
		.into_iter()
		.map(|args| {
			let (ok, said) = studio(node, args);
			assert!(ok, "{args:?}: {said}");
			said
		})
		.collect();
	// A job's blocks are shown with their distance from now, which moves on: compare the
	// blocks themselves.
	let mut job: serde_json::Value = serde_json::from_str(read.last().unwrap()).unwrap();
	without_distances(&mut job);
	*read.last_mut().unwrap() = job.to_string();
	for account in [dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::ferdie()] {
		read.push(format!("{:?}", account_data(client, account.public_key().0).await));
	}
	read
}

/// `value` without the `from_now` of the blocks in it.
fn without_distances(value: &mut serde_json::Value) {
	match value {
		serde_json::Value::Object(fields) => {
			fields.remove("from_now");
			fields.values_mut().for_each(without_distances);
		},
		serde_json::Value::Array(items) => items.iter_mut().for_each(without_distances),
		_ => {},
	}
}

/// Closes the vote once over, waits for the enactment, applies the runtime as Ferdie, and
/// checks that blocks keep finalizing and every holding reads the same.
pub async fn apply(node: &Node, client: &subxt::OnlineClient<PolkadotConfig>, upgrade: ProposedUpgrade) {
	let rpc = node.rpc().await;
	wait_for_finalized(&rpc, upgrade.voting_ends + 1, Duration::from_secs(150)).await;
	let (ok, said) = studio_as(node, "//Ferdie", &["gov", "close", &upgrade.proposal.to_string()]);
	assert!(ok && said.contains("approved"), "{said}");
	let enact_at: u64 = said.rsplit("enacted at block ").next().unwrap().trim().parse().unwrap();
	wait_for_finalized(&rpc, enact_at, Duration::from_secs(60)).await;
	let (ok, said) = studio(node, &["runtime", "show"]);
	assert!(ok && said.contains("authorized upgrade: code hash 0x"), "{said}");

	let before = holdings(node, client).await;
	let wasm = upgrade.wasm.to_str().unwrap();
	let (ok, said) = studio_as(node, "//Ferdie", &["runtime", "apply", wasm]);
	assert!(ok, "{said}");
	assert_says(&said, &[&format!("→ {}", upgrade.spec_version), "applied: blocks after the one that included it run"]);
	// Blocks keep finalizing under the new runtime, which the node now reports.
	let (_, finalized) = crate::harness::heights(&rpc).await.unwrap();
	wait_for_finalized(&rpc, finalized + 3, Duration::from_secs(60)).await;
	let (ok, said) = studio(node, &["runtime", "show"]);
	assert!(ok, "{said}");
	assert_says(&said, &[&format!("spec version {}", upgrade.spec_version), "no upgrade is authorized"]);
	let (ok, said) = studio_as(node, "//Ferdie", &["runtime", "apply", wasm]);
	assert!(!ok && said.contains("an upgrade must raise the spec version"), "applied once only: {said}");
	// Everything reads the same, Ferdie's balance included: a successful upgrade is free.
	assert_eq!(holdings(node, client).await, before);
}
