//! The `studio` binary as people type it, where no chain is needed to answer: what it refuses
//! before it signs or connects, and what it says when the node cannot be reached. Everything
//! that acts on a chain is tested end to end against the real node (`node/tests`).

use std::{
	net::TcpListener,
	process::{Command, Output},
};

const STUDIO: &str = env!("CARGO_BIN_EXE_studio");

/// A WebSocket address on 127.0.0.1 where nothing listens: a port taken and let go.
fn unreachable_node() -> String {
	let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
	format!("ws://127.0.0.1:{port}")
}

fn studio(args: &[&str]) -> Output {
	Command::new(STUDIO).args(args).output().expect("the studio binary runs")
}

#[test]
fn an_unreachable_node_is_named_and_nothing_is_sent() {
	let url = unreachable_node();
	let out = studio(&["--url", &url, "job", "list"]);
	let said = String::from_utf8_lossy(&out.stderr);
	assert!(!out.status.success(), "{said}");
	assert!(said.contains(&format!("cannot connect to the node at {url}")), "{said}");
}

#[test]
fn malformed_amounts_are_refused_before_anything_connects() {
	let url = unreachable_node();
	for (bond, why) in [("12.5x", "is not an amount in STU"), ("0.0000000000001", "at most 12 decimals"), (".", "at most 12 decimals")] {
		let out = studio(&["--url", &url, "--suri", "//Bob", "--dev", "worker", "register", "--bond", bond, "--models", "0"]);
		let said = String::from_utf8_lossy(&out.stderr);
		assert!(!out.status.success(), "{bond}: {said}");
		assert!(said.contains(why) && !said.contains("cannot connect"), "{bond}: {said}");
	}
	let too_large = format!("{}", u128::MAX);
	let out = studio(&["--url", &url, "--suri", "//Bob", "--dev", "worker", "register", "--bond", &too_large, "--models", "0"]);
	assert!(String::from_utf8_lossy(&out.stderr).contains("is too large"));
}
