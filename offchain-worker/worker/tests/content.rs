//! The studio's content network in one process: real IPFS nodes (rust-ipfs, bitswap over TCP on
//! 127.0.0.1) as the workers run them, and the CIDs compared with an independent UnixFS
//! implementation.

use clap::Parser;
use std::{path::Path, process::Command, time::Duration};
use studio_chain::unixfs::{file_cid, CHUNK_SIZE, MAX_LINKS};
use studio_worker::content::{ContentArgs, ContentError, ContentNode};

#[derive(Parser)]
struct Args {
	#[command(flatten)]
	content: ContentArgs,
}

/// A node with its repo in `dir`, listening on a free loopback port, giving up fetches after
/// `timeout` seconds.
async fn node(dir: &Path, timeout: u64) -> ContentNode {
	let args = Args::parse_from(["test", "--fetch-timeout", &timeout.to_string()]).content;
	ContentNode::start(dir, &args, None).await.unwrap()
}

/// Deterministic bytes of `length`, different for each `salt`.
fn bytes(length: usize, salt: u8) -> Vec<u8> {
	(0..length).map(|i| (i as u64 * 2_654_435_761 >> 7) as u8 ^ salt).collect()
}

/// The block files of a node's repo.
fn block_files(dir: &Path) -> Vec<std::path::PathBuf> {
	let blocks = dir.join("ipfs").join("blockstore");
	std::fs::read_dir(blocks)
		.unwrap()
		.flat_map(|shard| std::fs::read_dir(shard.unwrap().path()).into_iter().flatten())
		.map(|file| file.unwrap().path())
		.filter(|path| path.extension().is_some_and(|extension| extension == "data"))
		.collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn content_added_on_one_node_is_fetched_verified_by_another_and_outlives_it() {
	let (a_dir, b_dir, c_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
	let (a, b) = (node(a_dir.path(), 10).await, node(b_dir.path(), 10).await);
	b.dial(&a.address().await.unwrap()).await.unwrap();
	// A one-block PNG-sized output, and a file of several chunks (a UnixFS DAG).
	let small = bytes(40_000, 1);
	let large = bytes(3 * CHUNK_SIZE + 5, 2);
	let (small_cid, large_cid) = (a.add(&small).await.unwrap(), a.add(&large).await.unwrap());
	assert_eq!((small_cid, large_cid), (file_cid(&small), file_cid(&large)));

	// B fetches both from A over bitswap and keeps them pinned.
	assert_eq!(b.get(&small_cid, u64::MAX).await.unwrap(), small);
	b.pin(&large_cid, false).await.unwrap();
	// A limit below the file's size refuses it whole.
	assert!(matches!(b.get(&large_cid, 1000).await, Err(ContentError::Invalid(_))));
	b.pin(&small_cid, false).await.unwrap();

	// A goes away for good; a third node gets the design from B.
	a.stop().await;
	let c = node(c_dir.path(), 10).await;
	c.dial(&b.address().await.unwrap()).await.unwrap();
	assert_eq!(c.get(&large_cid, u64::MAX).await.unwrap(), large);
	assert_eq!(c.get(&small_cid, u64::MAX).await.unwrap(), small);

	// A block corrupted on B's disk is never served: B throws it away and takes C's good copy.
	for path in block_files(b_dir.path()) {
		std::fs::write(path, b"bit rot").unwrap();
	}
	assert_eq!(b.get(&large_cid, u64::MAX).await.unwrap(), large);
	assert_eq!(b.get(&small_cid, u64::MAX).await.unwrap(), small);
	c.stop().await;
	b.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn content_nobody_has_is_a_clear_error_within_the_timeout() {
	let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
	let (a, b) = (node(a_dir.path(), 2).await, node(b_dir.path(), 2).await);
	b.dial(&a.address().await.unwrap()).await.unwrap();
	let nowhere = file_cid(b"nobody stored this");
	let started = std::time::Instant::now();
	let error = b.get(&nowhere, u64::MAX).await.unwrap_err();
	assert!(started.elapsed() < Duration::from_secs(10), "bounded: {:?}", started.elapsed());
	assert!(matches!(error, ContentError::NotAvailable { cid, .. } if cid == nowhere), "{error}");
	assert!(error.to_string().contains("is not available"), "{error}");

	// Corrupt and the only copy: a clear error, not the bad bytes.
	let cid = a.add(&bytes(1000, 3)).await.unwrap();
	for path in block_files(a_dir.path()) {
		std::fs::write(path, b"bit rot").unwrap();
	}
	assert!(matches!(a.get(&cid, u64::MAX).await, Err(ContentError::NotAvailable { .. })));
	a.stop().await;
	b.stop().await;
}

/// Verifiers drawn together fetch one output from its worker at the same moment. Every one of
/// them gets it, and so does anyone who asks later: rust-ipfs 0.14.1's bitswap stopped serving a
/// block for good when a second peer's request came after the first peer's block was sent
/// (patched in vendor/rust-ipfs).
#[tokio::test(flavor = "multi_thread")]
async fn peers_fetching_one_output_at_the_same_moment_all_get_it() {
	const FETCHERS: usize = 4;
	const OUTPUTS: u8 = 8;
	let maker_dir = tempfile::tempdir().unwrap();
	let maker = node(maker_dir.path(), 10).await;
	let maker_address = maker.address().await.unwrap();
	let mut dirs = Vec::new();
	let mut fetchers = Vec::new();
	for _ in 0..=FETCHERS {
		let dir = tempfile::tempdir().unwrap();
		let fetcher = node(dir.path(), 10).await;
		fetcher.dial(&maker_address).await.unwrap();
		dirs.push(dir);
		fetchers.push(fetcher);
	}
	let late = fetchers.pop().unwrap();
	let outputs: Vec<Vec<u8>> = (0..OUTPUTS).map(|salt| bytes(30_000, salt)).collect();
	let mut cids = Vec::new();
	for output in &outputs {
		cids.push(maker.add(output).await.unwrap());
	}
	for (cid, output) in cids.iter().zip(&outputs) {
		let fetched = futures::future::join_all(fetchers.iter().map(|fetcher| fetcher.get(cid, u64::MAX))).await;
		for (index, fetched) in fetched.into_iter().enumerate() {
			assert_eq!(&fetched.unwrap_or_else(|error| panic!("fetcher {index}: {error}")), output);
		}
	}
	// A peer asking afterwards is still served every output by the maker.
	for (cid, output) in cids.iter().zip(&outputs) {
		assert_eq!(&late.get(cid, u64::MAX).await.unwrap_or_else(|error| panic!("asked later: {error}")), output);
	}
	for fetcher in fetchers {
		fetcher.stop().await;
	}
	late.stop().await;
	maker.stop().await;
}

/// The CIDs the studio records are those of kubo's `ipfs add --cid-version=1 --raw-leaves`,
/// as ipfs-unixfs-importer computes them independently — through the web studio's own
/// `file-cid.js` (`web/tests/unixfs-cids.mjs`), which checks uploads and downloads in the
/// browser — for every size the studio produces and the chunk and layout boundaries around them.
#[test]
fn cids_equal_an_independent_unixfs_importer() {
	let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
	let script = web.join("tests/unixfs-cids.mjs");
	assert!(
		web.join("node_modules/ipfs-unixfs-importer").is_dir(),
		"install the JavaScript dependencies first: npm ci --prefix offchain-worker/web"
	);
	let dir = tempfile::tempdir().unwrap();
	let sizes = [0, 1, 20_000, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3_000_000, MAX_LINKS * CHUNK_SIZE, MAX_LINKS * CHUNK_SIZE + 1];
	let files: Vec<_> = sizes
		.iter()
		.enumerate()
		.map(|(index, size)| {
			let path = dir.path().join(format!("{size}.bin"));
			std::fs::write(&path, bytes(*size, index as u8)).unwrap();
			path
		})
		.collect();
	let output = Command::new("node").arg(&script).args(&files).output().expect("node runs");
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let theirs: Vec<String> =
		String::from_utf8(output.stdout).unwrap().lines().map(|line| line.split('\t').next().unwrap().to_owned()).collect();
	let ours: Vec<String> = files.iter().map(|path| file_cid(&std::fs::read(path).unwrap()).to_string()).collect();
	assert_eq!(ours, theirs, "sizes {sizes:?}");
}
