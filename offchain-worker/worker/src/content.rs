//! The worker's IPFS node (rust-ipfs: libp2p with bitswap): where the studio's content lives.
//!
//! Every output the worker makes and every upload it accepts is added as kubo would add it
//! (see [`studio_chain::unixfs`]) and pinned; any CID is fetched local first, then from the peers the
//! node is connected to (the other workers, whose addresses are on chain), every block checked
//! against its CID, within a bounded time. A block found corrupt on disk is thrown away and
//! fetched again from a peer; it is never served.

use crate::metrics::Metrics;
use studio_chain::unixfs::{self, FilePart, UnixfsError};
use cid::Cid;
use rust_ipfs::{Block, Ipfs, Keypair, Multiaddr, PeerId, Protocol, UninitializedIpfsDefault};
use std::{
	collections::BTreeMap,
	path::{Path, PathBuf},
	sync::{Arc, Mutex},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// How the node runs.
#[derive(clap::Args, Clone, Debug)]
pub struct ContentArgs {
	/// Where the node listens for other IPFS nodes (loopback unless you mean to publish;
	/// port 0 picks a free one).
	#[arg(long, default_value = "/ip4/127.0.0.1/tcp/0")]
	pub ipfs_listen: Multiaddr,
	/// The address other workers dial, published on chain (default: the first listening
	/// address). Set it to the public address when the node listens on 0.0.0.0 behind NAT.
	#[arg(long)]
	pub ipfs_announce: Option<Multiaddr>,
	/// How long a fetch from peers may take before it fails as not available, in seconds.
	#[arg(long, default_value_t = 20)]
	pub fetch_timeout: u64,
	/// How long the worker keeps its own outputs and the uploads it accepted pinned, in days.
	#[arg(long, default_value_t = 30)]
	pub retention_days: u64,
	/// Pin every studio output recorded on chain (those delivered before the worker started
	/// too), fetched from the workers holding it, and keep it forever: an archival worker.
	#[arg(long)]
	pub archive: bool,
	/// The disk the repo may use: past it, unpinned blocks (fetched for others, expired pins)
	/// are garbage-collected.
	#[arg(long, default_value_t = 10.0)]
	pub max_store_gb: f64,
}

/// Why content could not be kept or returned.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
	/// Neither this node nor any connected peer gave the content in time.
	#[error("{cid} is not available: not stored here and no peer sent it within {waited:?}")]
	NotAvailable { cid: Cid, waited: Duration },
	/// A block failed its check, or the CID is not one the studio stores.
	#[error(transparent)]
	Invalid(#[from] UnixfsError),
	/// The IPFS node failed.
	#[error("the IPFS node: {0}")]
	Node(String),
	/// A file of the repo could not be read or written.
	#[error("{path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
}

fn node_error(error: impl std::fmt::Display) -> ContentError {
	ContentError::Node(error.to_string())
}

/// The pins the worker holds and since when (seconds since the epoch); archived pins never
/// expire. Kept in `pins.json` beside the repo.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct PinLedger {
	pins: BTreeMap<String, PinEntry>,
}

#[derive(Clone, Copy, serde::Serialize, serde::Deserialize)]
struct PinEntry {
	since: u64,
	archived: bool,
}

fn now() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// A running IPFS node and the worker's pins. Cheap to clone.
#[derive(Clone)]
pub struct ContentNode {
	ipfs: Ipfs,
	repo: PathBuf,
	announce: Option<Multiaddr>,
	fetch_timeout: Duration,
	retention: Duration,
	max_store_bytes: u64,
	archive: bool,
	ledger: Arc<Mutex<PinLedger>>,
	metrics: Option<Metrics>,
}

/// The node's identity, kept in `<dir>/identity.key` so that its peer id (and with it the
/// address on chain) survives restarts.
fn identity(dir: &Path) -> Result<Keypair, ContentError> {
	let path = dir.join("identity.key");
	let io = |source| ContentError::Io { path: path.clone(), source };
	match std::fs::read(&path) {
		Ok(bytes) => Keypair::from_protobuf_encoding(&bytes).map_err(node_error),
		Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
			let keypair = Keypair::generate_ed25519();
			std::fs::create_dir_all(dir).map_err(io)?;
			std::fs::write(&path, keypair.to_protobuf_encoding().map_err(node_error)?).map_err(io)?;
			Ok(keypair)
		},
		Err(error) => Err(io(error)),
	}
}

impl ContentNode {
	/// Starts the node with its repo in `dir` (created if needed).
	pub async fn start(dir: &Path, args: &ContentArgs, metrics: Option<Metrics>) -> Result<Self, ContentError> {
		let keypair = identity(dir)?;
		let repo = dir.join("ipfs");
		let ipfs = UninitializedIpfsDefault::new()
			.set_path(&repo)
			.set_keypair(&keypair)
			.with_identify(Default::default())
			.with_bitswap()
			.with_ping(Default::default())
			.set_listening_addrs(vec![args.ipfs_listen.clone()])
			.start()
			.await
			.map_err(node_error)?;
		let ledger_path = dir.join("pins.json");
		let ledger = match std::fs::read(&ledger_path) {
			Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_default(),
			Err(_) => PinLedger::default(),
		};
		let node = Self {
			ipfs,
			repo: dir.to_owned(),
			announce: args.ipfs_announce.clone(),
			fetch_timeout: Duration::from_secs(args.fetch_timeout.max(1)),
			retention: Duration::from_secs(args.retention_days.saturating_mul(86_400)),
			max_store_bytes: (args.max_store_gb.max(0.0) * 1e9) as u64,
			archive: args.archive,
			ledger: Arc::new(Mutex::new(ledger)),
			metrics,
		};
		tracing::info!(peer = %node.peer_id(), repo = %repo.display(), archive = node.archive, "IPFS node started");
		Ok(node)
	}

	/// The node's peer id.
	pub fn peer_id(&self) -> PeerId {
		self.ipfs.keypair().public().to_peer_id()
	}

	/// Whether the node pins every delivered output it sees.
	pub fn is_archive(&self) -> bool {
		self.archive
	}

	/// Where other nodes dial this one, ending in `/p2p/<peer id>`: the announced address, or
	/// the first one it listens on.
	pub async fn address(&self) -> Result<Multiaddr, ContentError> {
		let address = match &self.announce {
			Some(address) => address.clone(),
			None => {
				// Listening starts in the background: wait briefly for the first address.
				let deadline = Instant::now() + Duration::from_secs(10);
				loop {
					let addresses = self.ipfs.listening_addresses().await.map_err(node_error)?;
					if let Some(address) = addresses.into_iter().next() {
						break address
					}
					if Instant::now() > deadline {
						return Err(ContentError::Node("the node listens on no address".into()))
					}
					tokio::time::sleep(Duration::from_millis(50)).await;
				}
			},
		};
		Ok(match address.iter().last() {
			Some(Protocol::P2p(_)) => address,
			_ => address.with(Protocol::P2p(self.peer_id())),
		})
	}

	/// Dials the node at `address` (a multiaddr ending in `/p2p/<peer id>`), unless it is this
	/// one or already connected.
	pub async fn dial(&self, address: &Multiaddr) -> Result<(), ContentError> {
		let Some(Protocol::P2p(peer)) = address.iter().last() else {
			return Err(ContentError::Node(format!("{address} names no peer")))
		};
		if peer == self.peer_id() || self.ipfs.is_connected(peer).await.unwrap_or(false) {
			return Ok(())
		}
		let mut transport = address.clone();
		transport.pop();
		self.ipfs.add_peer((peer, transport)).await.map_err(node_error)?;
		tokio::time::timeout(self.fetch_timeout, self.ipfs.connect(peer))
			.await
			.map_err(|_| ContentError::Node(format!("dialling {address} timed out")))?
			.map_err(node_error)?;
		Ok(())
	}

	/// Adds `bytes` as a file, pins it and returns its CID.
	pub async fn add(&self, bytes: &[u8]) -> Result<Cid, ContentError> {
		let blocks = unixfs::file_blocks(bytes);
		for block in &blocks {
			self.put_block(&block.cid, &block.data).await?;
		}
		let cid = blocks.last().expect("a file has a root").cid;
		self.pin(&cid, self.archive).await?;
		Ok(cid)
	}

	async fn put_block(&self, cid: &Cid, data: &[u8]) -> Result<(), ContentError> {
		let block = Block::new(*cid, data.to_vec()).map_err(|_| UnixfsError::Corrupt(*cid))?;
		self.ipfs.put_block(&block).await.map_err(node_error)?;
		Ok(())
	}

	/// Pins `cid` (fetching what is missing) and records it in the ledger: `archived` pins
	/// never expire.
	pub async fn pin(&self, cid: &Cid, archived: bool) -> Result<(), ContentError> {
		// Fetch first, so that the pin finds every block local.
		self.get(cid, u64::MAX).await?;
		if !self.ipfs.is_pinned(cid).await.map_err(node_error)? {
			self.ipfs.insert_pin(cid).recursive().local().await.map_err(node_error)?;
		}
		let entry = PinEntry { since: now(), archived: archived || self.archive };
		let mut ledger = self.ledger.lock().expect("not poisoned");
		ledger.pins.entry(cid.to_string()).and_modify(|kept| kept.archived |= entry.archived).or_insert(entry);
		if let Some(metrics) = &self.metrics {
			metrics.content_pins.set(ledger.pins.len() as i64);
		}
		self.save(&ledger)
	}

	fn save(&self, ledger: &PinLedger) -> Result<(), ContentError> {
		let path = self.repo.join("pins.json");
		let partial = self.repo.join("pins.json.partial");
		let io = |source| ContentError::Io { path: path.clone(), source };
		std::fs::write(&partial, serde_json::to_vec(ledger).expect("serializable")).map_err(io)?;
		std::fs::rename(&partial, &path).map_err(io)
	}

	/// The file `cid`, local first and then from peers, every block checked, no larger than
	/// `max_bytes`; fails as not available after the fetch timeout.
	pub async fn get(&self, cid: &Cid, max_bytes: u64) -> Result<Vec<u8>, ContentError> {
		if !unixfs::is_studio_cid(cid) {
			return Err(UnixfsError::Unsupported(*cid, "not a CIDv1 (raw or dag-pb, sha2-256)").into())
		}
		let started = Instant::now();
		let fetched = tokio::time::timeout(self.fetch_timeout, self.file(*cid, max_bytes)).await;
		if let Some(metrics) = &self.metrics {
			metrics.content_fetch_seconds.observe(started.elapsed().as_secs_f64());
		}
		fetched.map_err(|_| ContentError::NotAvailable { cid: *cid, waited: self.fetch_timeout })?
	}

	async fn file(&self, root: Cid, max_bytes: u64) -> Result<Vec<u8>, ContentError> {
		let mut file = Vec::new();
		// Depth first, children in order: the stack holds what is still to read, next on top.
		let mut pending = vec![root];
		while let Some(cid) = pending.pop() {
			let data = self.block(&cid).await?;
			match unixfs::decode(&cid, &data)? {
				FilePart::Data(data) => {
					file.extend_from_slice(&data);
					if file.len() as u64 > max_bytes {
						return Err(UnixfsError::TooLarge(root, max_bytes).into())
					}
				},
				FilePart::Links { children, file_size } => {
					if cid == root && file_size > max_bytes {
						return Err(UnixfsError::TooLarge(root, max_bytes).into())
					}
					pending.extend(children.into_iter().rev());
				},
			}
		}
		Ok(file)
	}

	/// One block, verified: from the repo when it holds a good copy, otherwise from peers. A
	/// copy in the repo that fails its check is deleted first, so that the good one can land.
	async fn block(&self, cid: &Cid) -> Result<Vec<u8>, ContentError> {
		match self.ipfs.repo().get_block_now(cid).await {
			Ok(Some(block)) if unixfs::verify(cid, block.data()).is_ok() => return Ok(block.data().to_vec()),
			Ok(None) => {},
			_ => {
				tracing::warn!(%cid, "a block in the repo fails its check: deleting it and fetching it from peers");
				if let Some(metrics) = &self.metrics {
					metrics.content_corrupt_blocks.inc();
				}
				self.delete_block_file(cid)?;
			},
		}
		let peers = self.ipfs.connected().await.map_err(node_error)?;
		let block = self
			.ipfs
			.get_block(cid)
			.providers(peers)
			.timeout(self.fetch_timeout)
			.await
			.map_err(|_| ContentError::NotAvailable { cid: *cid, waited: self.fetch_timeout })?;
		unixfs::verify(cid, block.data())?;
		Ok(block.data().to_vec())
	}

	/// Deletes the file holding `cid`'s block in the repo (pinned or not): the repo would
	/// otherwise keep the bad copy and refuse the good one as already stored.
	fn delete_block_file(&self, cid: &Cid) -> Result<(), ContentError> {
		let blocks = self.repo.join("ipfs").join("blockstore");
		let name = format!("{cid}.data");
		let shards = std::fs::read_dir(&blocks).map_err(|source| ContentError::Io { path: blocks.clone(), source })?;
		for shard in shards.flatten() {
			let path = shard.path().join(&name);
			match std::fs::remove_file(&path) {
				Ok(()) => return Ok(()),
				Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
				Err(source) => return Err(ContentError::Io { path, source }),
			}
		}
		Ok(())
	}

	/// Expires the pins older than the retention period (archived pins stay), then, when the
	/// repo is over its disk budget, removes every unpinned block. Updates the metrics.
	pub async fn maintain(&self) -> Result<(), ContentError> {
		let oldest = now().saturating_sub(self.retention.as_secs());
		let expired: Vec<String> = {
			let ledger = self.ledger.lock().expect("not poisoned");
			ledger.pins.iter().filter(|(_, pin)| !pin.archived && pin.since < oldest).map(|(cid, _)| cid.clone()).collect()
		};
		for text in &expired {
			if let Ok(cid) = Cid::try_from(text.as_str()) {
				if self.ipfs.is_pinned(&cid).await.unwrap_or(false) {
					self.ipfs.remove_pin(&cid).recursive().await.map_err(node_error)?;
				}
			}
		}
		if !expired.is_empty() {
			let mut ledger = self.ledger.lock().expect("not poisoned");
			for text in &expired {
				ledger.pins.remove(text);
			}
			self.save(&ledger)?;
			tracing::info!(expired = expired.len(), "unpinned content past its retention");
		}
		let stored = self.ipfs.repo().get_total_size().await.map_err(node_error)? as u64;
		if stored > self.max_store_bytes {
			let removed = self.ipfs.gc().await.map_err(node_error)?;
			tracing::info!(stored, budget = self.max_store_bytes, removed = removed.len(), "garbage-collected unpinned blocks");
		}
		if let Some(metrics) = &self.metrics {
			use futures::StreamExt;
			let blocks = self.ipfs.repo().list_blocks().await.count().await;
			metrics.content_blocks.set(blocks as i64);
			metrics.content_stored_bytes.set(self.ipfs.repo().get_total_size().await.unwrap_or(0) as i64);
			let pinned = self.ledger.lock().expect("not poisoned").pins.len();
			metrics.content_pins.set(pinned as i64);
			metrics.content_peers.set(self.ipfs.connected().await.map_or(0, |peers| peers.len()) as i64);
		}
		Ok(())
	}

	/// Stops the node.
	pub async fn stop(self) {
		self.ipfs.exit_daemon().await
	}
}
