//! Validators as operators meet them: a production network started from the operators'
//! genesis file (no sudo key), and a validator that joins the dev chain by a slow vote, authors
//! and finalizes with Alice, and leaves by a fast one.

use crate::{
	governance::{assert_says, studio_as},
	harness::{heights, run_to_exit, studio, wait_for, wait_for_finalized, Node, NODE_BINARY},
};
use std::{path::Path, time::Duration};
use subxt::{dynamic, ext::scale_value::Value};

/// The libp2p peer id of the node key `key` (hex), as `studio-node key inspect-node-key`
/// prints it.
fn peer_id(dir: &Path, key: &str) -> String {
	let file = dir.join(format!("{key}.node-key"));
	std::fs::write(&file, key).unwrap();
	let (status, output) = run_to_exit(&["key", "inspect-node-key", "--file", file.to_str().unwrap()], Duration::from_secs(30));
	assert!(status.success(), "{output}");
	output.lines().last().unwrap().trim().to_string()
}

/// The operators' file for Alice and Bob validating (the dev keys), Charlie, Dave and Eve
/// reviewing.
const GENESIS: &str = r#"
name = "Studio Test Launch"
id = "studio_test_launch"
reviewers = [
	"5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y",
	"5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy",
	"5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw",
]

[[validators]]
account = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
aura = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
grandpa = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu"

[[validators]]
account = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
aura = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
grandpa = "5GoNkf6WdbxCFnPdAnYYQyCjAKPJgLNxXwPjwTh6DGg6gN3E"

[[balances]]
account = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y"
stu = "1000.5"
"#;

#[tokio::test]
async fn a_production_network_starts_from_the_operators_genesis_file_without_sudo() {
	let dir = tempfile::tempdir().unwrap();
	let genesis = dir.path().join("genesis.toml");
	std::fs::write(&genesis, GENESIS).unwrap();
	// A file that would launch a chain nobody can run is refused, naming the file and entry.
	let broken = dir.path().join("broken.toml");
	std::fs::write(&broken, GENESIS.replace("5GoNkf6WdbxCFnPdAnYYQyCjAKPJgLNxXwPjwTh6DGg6gN3E", "0x1234")).unwrap();
	let (status, said) =
		run_to_exit(&["build-spec", "--chain", &format!("production:{}", broken.display()), "--raw"], Duration::from_secs(60));
	assert!(!status.success() && said.contains("broken.toml: validators[1]: grandpa (ed25519) `0x1234` is not 32 bytes"), "{said}");
	let (status, said) = run_to_exit(&["build-spec", "--chain", "production"], Duration::from_secs(60));
	assert!(!status.success() && said.contains("needs the operators' genesis file"), "{said}");

	let output = std::process::Command::new(NODE_BINARY)
		.args(["build-spec", "--chain", &format!("production:{}", genesis.display()), "--raw", "--disable-default-bootnode"])
		.output()
		.unwrap();
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let spec_file = dir.path().join("production.json");
	std::fs::write(&spec_file, &output.stdout).unwrap();
	let spec: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
	assert_eq!((spec["name"].as_str(), spec["chainType"].as_str()), (Some("Studio Test Launch"), Some("Live")));
	let spec_file = spec_file.to_str().unwrap();

	let alice_key = format!("{:064x}", 1);
	let start = |name: &str, key: &str, extra: &[&str]| {
		let base = dir.path().join(name);
		let mut args = vec!["--chain", spec_file, "--validator", "--base-path", base.to_str().unwrap(), "--node-key", key];
		args.extend(extra);
		// The launch's validators put their keys in their keystores, as operators do with
		// `studio-node key insert`; the dev keys stand for theirs here.
		for (scheme, key_type) in [("sr25519", "aura"), ("ed25519", "gran")] {
			let suri = format!("//{}{}", &name[..1].to_uppercase(), &name[1..]);
			let (status, said) = run_to_exit(
				&["key", "insert", "--chain", spec_file, "--base-path", base.to_str().unwrap(), "--scheme", scheme, "--key-type", key_type, "--suri", &suri],
				Duration::from_secs(30),
			);
			assert!(status.success(), "{said}");
		}
		Node::start(&args, dir.path().join(format!("{name}.log")))
	};
	let alice = start("alice", &alice_key, &[]);
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", alice.p2p_port, peer_id(dir.path(), &alice_key));
	let bob = start("bob", &format!("{:064x}", 2), &["--bootnodes", &bootnode]);
	wait_for_finalized(&alice.rpc().await, 3, Duration::from_secs(120)).await;
	wait_for_finalized(&bob.rpc().await, 3, Duration::from_secs(60)).await;

	// No key can act as root: the chain has no sudo key at all.
	let client = alice.client().await;
	let at = client.at_current_block().await.unwrap();
	let sudo_key = at.storage().try_fetch(dynamic::storage::<(), Value>("Sudo", "Key"), ()).await.unwrap();
	assert!(sudo_key.is_none(), "a production chain has no sudo key");
	let (ok, said) = studio(&alice, &["validator", "list"]);
	assert!(ok, "{said}");
	assert_says(&said, &[
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\tvalidating\tsession keys set",
		"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty\tvalidating\tsession keys set",
	]);
	let (ok, said) = studio(&alice, &["gov", "params"]);
	assert!(ok && said.contains("ReviewQuorum"), "{said}");
}

/// How many blocks `node` has authored so far, by its log.
fn authored(node: &Node) -> usize {
	node.log().matches("Prepared block for proposing").count()
}

/// Waits until `validator list` on `node` says `line`.
async fn wait_for_list(node: &Node, line: &str, timeout: Duration) {
	wait_for(&format!("`{line}` in the validator list"), timeout, || async {
		let (ok, said) = studio(node, &["validator", "list"]);
		(ok && said.contains(line)).then_some(())
	})
	.await
}

/// Closes `proposal` once its vote is over (as Eve) and returns what `close` said.
async fn close_after(node: &Node, proposal: &str, voting_ends: u64) -> String {
	wait_for_finalized(&node.rpc().await, voting_ends + 1, Duration::from_secs(120)).await;
	let (ok, said) = studio_as(node, "//Eve", &["gov", "close", proposal]);
	assert!(ok && said.contains("approved"), "{said}");
	said
}

/// Proposes `args` as `proposer`, votes aye with Charlie and Dave; returns the proposal and
/// the end of its vote.
fn propose_and_pass(node: &Node, proposer: &str, args: &[&str]) -> (String, u64) {
	let mut propose = vec!["gov", "propose"];
	propose.extend(args);
	let (ok, said) = studio_as(node, proposer, &propose);
	assert!(ok, "{said}");
	let proposal = said.rsplit("proposal ").next().unwrap().split(' ').next().unwrap().to_string();
	let voting_ends: u64 = said.rsplit("voting ends at block ").next().unwrap().trim().parse().unwrap();
	for voter in ["//Charlie", "//Dave"] {
		let (ok, said) = studio_as(node, voter, &["gov", "vote", &proposal, "--aye", "--amount", "500000"]);
		assert!(ok, "{said}");
	}
	(proposal, voting_ends)
}

#[tokio::test]
async fn a_validator_joins_by_a_slow_vote_authors_and_leaves_by_a_fast_one() {
	let dir = tempfile::tempdir().unwrap();
	let alice_key = format!("{:064x}", 1);
	let alice = Node::start(&["--dev", "--tmp", "--node-key", &alice_key], dir.path().join("alice.log"));
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", alice.p2p_port, peer_id(dir.path(), &alice_key));
	// Bob's own node: its keystore makes his session keys, over its unsafe RPC on loopback.
	let bob = Node::start(
		&["--chain", "dev", "--bob", "--tmp", "--node-key", &format!("{:064x}", 2), "--rpc-methods", "unsafe", "--bootnodes", &bootnode],
		dir.path().join("bob.log"),
	);
	let rpc = alice.rpc().await;
	wait_for_finalized(&rpc, 2, Duration::from_secs(60)).await;
	wait_for_finalized(&bob.rpc().await, 2, Duration::from_secs(60)).await;
	let (bob_account, eve_account, alice_account) = (
		"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
		"5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw",
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
	);

	// A vote cannot add an account without session keys, nor remove the last validator.
	let (ok, said) = studio_as(&alice, "//Charlie", &["gov", "propose", "add-validator", eve_account, "--dry-run"]);
	assert!(!ok && said.contains("StudioGovernance::NoSessionKeys"), "{said}");
	let (ok, said) = studio_as(&alice, "//Charlie", &["gov", "propose", "remove-validator", alice_account, "--dry-run"]);
	assert!(!ok && said.contains("StudioGovernance::TooFewValidators"), "{said}");

	// Bob registers keys his node made, and a slow vote adds him.
	let (ok, said) = studio(&bob, &["--suri", "//Bob", "--dev", "validator", "keys"]);
	assert!(ok && said.contains(&format!("registered for {bob_account}")), "{said}");
	let (proposal, voting_ends) = propose_and_pass(&alice, "//Charlie", &["add-validator", bob_account]);
	let said = close_after(&alice, &proposal, voting_ends).await;
	assert!(said.contains("enacted at block"), "the slow track waits before it acts: {said}");
	wait_for_list(&alice, &format!("{bob_account}\tjoins at the next change"), Duration::from_secs(60)).await;
	wait_for_list(&alice, &format!("{bob_account}\tvalidating\tsession keys set"), Duration::from_secs(120)).await;
	// Bob authors, and blocks finalize with both (GRANDPA needs both of two).
	wait_for("Bob to author a block", Duration::from_secs(60), || async { (authored(&bob) > 0).then_some(()) }).await;
	let (_, finalized) = heights(&rpc).await.unwrap();
	wait_for_finalized(&rpc, finalized + 3, Duration::from_secs(60)).await;

	// A fast vote removes him; after the session change he authors no more.
	let (proposal, voting_ends) = propose_and_pass(&alice, "//Dave", &["remove-validator", bob_account]);
	let said = close_after(&alice, &proposal, voting_ends).await;
	assert!(said.contains("enacted now"), "{said}");
	wait_for("Bob to leave the set", Duration::from_secs(120), || async {
		let (ok, said) = studio(&alice, &["validator", "list"]);
		(ok && !said.contains(bob_account)).then_some(())
	})
	.await;
	let (best, _) = heights(&rpc).await.unwrap();
	let before = authored(&bob);
	wait_for("six more blocks", Duration::from_secs(60), || async { heights(&rpc).await.filter(|(b, _)| *b >= best + 6) }).await;
	assert_eq!(authored(&bob), before, "a removed validator authors nothing");
	let (_, finalized) = heights(&rpc).await.unwrap();
	wait_for_finalized(&rpc, finalized + 2, Duration::from_secs(60)).await;
}
