//! Files as IPFS keeps them, and the CIDs the studio records for them.
//!
//! The blocks are those of kubo's `ipfs add --cid-version=1 --raw-leaves` with its default
//! chunker and layout: the file cut into 256 KiB chunks, each a `raw` block; a file of one
//! chunk is that block alone (its CID is `bafkrei…`, the sha2-256 of the bytes); a longer file
//! gets a balanced tree of `dag-pb` UnixFS nodes of at most 174 links above its chunks, whose
//! root (`bafybei…`) is the file's CID. `docs/content.md` says how this was checked against an
//! independent implementation.

use cid::{multihash::Multihash, Cid};
use sha2::{Digest, Sha256};

/// The multicodec of raw bytes.
pub const RAW_CODEC: u64 = 0x55;
/// The multicodec of a dag-pb (protobuf) node.
pub const DAG_PB_CODEC: u64 = 0x70;
/// The multihash code of sha2-256.
pub const SHA2_256: u64 = 0x12;
/// kubo's default chunk size (`size-262144`).
pub const CHUNK_SIZE: usize = 262_144;
/// kubo's most links in one node of a balanced file DAG.
pub const MAX_LINKS: usize = 174;
/// UnixFS's type of a file node.
const UNIXFS_FILE: u64 = 2;
/// UnixFS's type of a raw node (older importers' leaves).
const UNIXFS_RAW: u64 = 0;

/// One block: its CID and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
	pub cid: Cid,
	pub data: Vec<u8>,
}

/// Why a block or a file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UnixfsError {
	/// The block's bytes do not hash to its CID.
	#[error("block {0} does not match its CID")]
	Corrupt(Cid),
	/// A codec, hash or node the studio does not read.
	#[error("{0} is not a UnixFS file the studio reads: {1}")]
	Unsupported(Cid, &'static str),
	/// The file is larger than the caller accepts.
	#[error("{0} is larger than {1} bytes")]
	TooLarge(Cid, u64),
}

fn sha2_256_cid(codec: u64, bytes: &[u8]) -> Cid {
	let digest = Sha256::digest(bytes);
	Cid::new_v1(codec, Multihash::<64>::wrap(SHA2_256, &digest).expect("a 32-byte digest fits"))
}

/// Whether `cid` is a kind the studio stores: CIDv1, sha2-256, raw or dag-pb.
pub fn is_studio_cid(cid: &Cid) -> bool {
	cid.version() == cid::Version::V1 &&
		cid.hash().code() == SHA2_256 &&
		matches!(cid.codec(), RAW_CODEC | DAG_PB_CODEC)
}

/// Checks that `data` is the block `cid` names.
pub fn verify(cid: &Cid, data: &[u8]) -> Result<(), UnixfsError> {
	if !is_studio_cid(cid) {
		return Err(UnixfsError::Unsupported(*cid, "not a CIDv1 (raw or dag-pb, sha2-256)"))
	}
	if sha2_256_cid(cid.codec(), data) != *cid {
		return Err(UnixfsError::Corrupt(*cid))
	}
	Ok(())
}

fn varint(buffer: &mut Vec<u8>, mut value: u64) {
	while value >= 0x80 {
		buffer.push(value as u8 | 0x80);
		value >>= 7;
	}
	buffer.push(value as u8);
}

/// A length-delimited protobuf field.
fn bytes_field(buffer: &mut Vec<u8>, field: u64, bytes: &[u8]) {
	varint(buffer, field << 3 | 2);
	varint(buffer, bytes.len() as u64);
	buffer.extend_from_slice(bytes);
}

/// A varint protobuf field.
fn varint_field(buffer: &mut Vec<u8>, field: u64, value: u64) {
	varint(buffer, field << 3);
	varint(buffer, value);
}

/// A subtree of the file: its CID, the bytes of file under it, and its cumulative size (its
/// blocks' bytes, as dag-pb links count it).
#[derive(Clone, Copy)]
struct Subtree {
	cid: Cid,
	file_size: u64,
	tree_size: u64,
}

/// The dag-pb node over `children`, as go-merkledag encodes it: links (hash, empty name,
/// cumulative size) before the UnixFS data (type file, file size, block sizes).
fn file_node(children: &[Subtree]) -> (Vec<u8>, Subtree) {
	let mut node = Vec::new();
	for child in children {
		let mut link = Vec::new();
		bytes_field(&mut link, 1, &child.cid.to_bytes());
		bytes_field(&mut link, 2, b"");
		varint_field(&mut link, 3, child.tree_size);
		bytes_field(&mut node, 2, &link);
	}
	let file_size = children.iter().map(|child| child.file_size).sum();
	let mut unixfs = Vec::new();
	varint_field(&mut unixfs, 1, UNIXFS_FILE);
	varint_field(&mut unixfs, 3, file_size);
	for child in children {
		varint_field(&mut unixfs, 4, child.file_size);
	}
	bytes_field(&mut node, 1, &unixfs);
	let tree_size = node.len() as u64 + children.iter().map(|child| child.tree_size).sum::<u64>();
	let cid = sha2_256_cid(DAG_PB_CODEC, &node);
	(node, Subtree { cid, file_size, tree_size })
}

/// The blocks of `bytes` as kubo adds them with `--cid-version=1 --raw-leaves`, leaves first
/// and the root last.
pub fn file_blocks(bytes: &[u8]) -> Vec<Block> {
	let mut blocks = Vec::new();
	let mut level: Vec<Subtree> = if bytes.is_empty() { vec![&[][..]] } else { bytes.chunks(CHUNK_SIZE).collect() }
		.into_iter()
		.map(|chunk| {
			let cid = sha2_256_cid(RAW_CODEC, chunk);
			blocks.push(Block { cid, data: chunk.to_vec() });
			Subtree { cid, file_size: chunk.len() as u64, tree_size: chunk.len() as u64 }
		})
		.collect();
	// kubo's balanced layout fills each node with up to MAX_LINKS full subtrees of the level
	// below; grouping level by level gives the same tree.
	while level.len() > 1 {
		level = level
			.chunks(MAX_LINKS)
			.map(|children| {
				let (node, subtree) = file_node(children);
				blocks.push(Block { cid: subtree.cid, data: node });
				subtree
			})
			.collect();
	}
	blocks
}

/// The CID kubo's `ipfs add --cid-version=1 --raw-leaves` gives `bytes`: what the studio
/// records for a file.
pub fn file_cid(bytes: &[u8]) -> Cid {
	if bytes.len() <= CHUNK_SIZE {
		return sha2_256_cid(RAW_CODEC, bytes)
	}
	file_blocks(bytes).last().expect("a file has a root").cid
}

/// Reads a protobuf varint from `bytes` at `at`.
fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
	let mut value = 0u64;
	for shift in (0..64).step_by(7) {
		let byte = *bytes.get(*at)?;
		*at += 1;
		value |= u64::from(byte & 0x7f) << shift;
		if byte & 0x80 == 0 {
			return Some(value)
		}
	}
	None
}

/// The fields of a protobuf message: (field number, varint value or bytes).
fn fields(bytes: &[u8]) -> Option<Vec<(u64, Result<u64, &[u8]>)>> {
	let mut at = 0;
	let mut fields = Vec::new();
	while at < bytes.len() {
		let key = read_varint(bytes, &mut at)?;
		let value = match key & 7 {
			0 => Ok(read_varint(bytes, &mut at)?),
			2 => {
				let length = usize::try_from(read_varint(bytes, &mut at)?).ok()?;
				let end = at.checked_add(length).filter(|end| *end <= bytes.len())?;
				let value = &bytes[at..end];
				at = end;
				Err(value)
			},
			_ => return None,
		};
		fields.push((key >> 3, value));
	}
	Some(fields)
}

/// What one block of a file holds: bytes of the file, or links to the blocks holding them.
#[derive(Debug, PartialEq, Eq)]
pub enum FilePart {
	/// File bytes.
	Data(Vec<u8>),
	/// The children, in file order, and the file size the node declares.
	Links { children: Vec<Cid>, file_size: u64 },
}

/// Decodes a verified block of a UnixFS file.
pub fn decode(cid: &Cid, data: &[u8]) -> Result<FilePart, UnixfsError> {
	let unsupported = |why| UnixfsError::Unsupported(*cid, why);
	match cid.codec() {
		RAW_CODEC => return Ok(FilePart::Data(data.to_vec())),
		DAG_PB_CODEC => {},
		_ => return Err(unsupported("neither raw nor dag-pb")),
	}
	let mut children = Vec::new();
	let mut unixfs = None;
	for (field, value) in fields(data).ok_or(unsupported("not a dag-pb node"))? {
		match (field, value) {
			(2, Err(link)) => {
				let hash = fields(link)
					.ok_or(unsupported("a malformed link"))?
					.into_iter()
					.find_map(|(field, value)| (field == 1).then_some(value).and_then(|value| value.err()))
					.ok_or(unsupported("a link without a hash"))?;
				let child = Cid::try_from(hash).map_err(|_| unsupported("a link to an invalid CID"))?;
				children.push(child);
			},
			(1, Err(bytes)) => unixfs = Some(bytes),
			_ => return Err(unsupported("not a dag-pb node")),
		}
	}
	let unixfs = fields(unixfs.ok_or(unsupported("no UnixFS data"))?).ok_or(unsupported("bad UnixFS data"))?;
	let mut kind = None;
	let mut inline = Vec::new();
	let mut file_size = None;
	for (field, value) in unixfs {
		match (field, value) {
			(1, Ok(value)) => kind = Some(value),
			(2, Err(bytes)) => inline = bytes.to_vec(),
			(3, Ok(value)) => file_size = Some(value),
			_ => {},
		}
	}
	if !matches!(kind, Some(UNIXFS_FILE | UNIXFS_RAW)) {
		return Err(unsupported("not a UnixFS file"))
	}
	if children.is_empty() {
		return Ok(FilePart::Data(inline))
	}
	if !inline.is_empty() {
		return Err(unsupported("a node with both data and links"))
	}
	Ok(FilePart::Links { children, file_size: file_size.unwrap_or(0) })
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Deterministic test bytes.
	fn bytes(length: usize) -> Vec<u8> {
		(0..length).map(|i| (i * 31 % 251) as u8).collect()
	}

	/// Reads a file back from its blocks.
	fn read(blocks: &[Block], cid: &Cid) -> Vec<u8> {
		let block = blocks.iter().find(|block| block.cid == *cid).expect("every block is there");
		verify(cid, &block.data).unwrap();
		match decode(cid, &block.data).unwrap() {
			FilePart::Data(data) => data,
			FilePart::Links { children, file_size } => {
				let file: Vec<u8> = children.iter().flat_map(|child| read(blocks, child)).collect();
				assert_eq!(file.len() as u64, file_size);
				file
			},
		}
	}

	#[test]
	fn a_file_of_one_chunk_is_one_raw_block() {
		for length in [0, 1, 1000, CHUNK_SIZE] {
			let file = bytes(length);
			let blocks = file_blocks(&file);
			assert_eq!(blocks.len(), 1);
			assert_eq!(blocks[0].cid.codec(), RAW_CODEC);
			assert_eq!(blocks[0].cid, file_cid(&file));
			assert!(blocks[0].cid.to_string().starts_with("bafkrei"));
		}
		// The empty file, as kubo gives it.
		assert_eq!(file_cid(b"").to_string(), "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
	}

	#[test]
	fn a_longer_file_is_a_balanced_tree_read_back_whole() {
		for length in [CHUNK_SIZE + 1, 5 * CHUNK_SIZE + 17, MAX_LINKS * CHUNK_SIZE + 1] {
			let file = bytes(length);
			let blocks = file_blocks(&file);
			let root = file_cid(&file);
			assert_eq!(blocks.last().unwrap().cid, root);
			assert!(root.to_string().starts_with("bafybei"), "{root}");
			assert_eq!(read(&blocks, &root), file);
		}
		// Past 174 chunks the tree grows a level; the last subtree holds one chunk.
		let blocks = file_blocks(&bytes(MAX_LINKS * CHUNK_SIZE + 1));
		let root = blocks.last().unwrap();
		let FilePart::Links { children, .. } = decode(&root.cid, &root.data).unwrap() else { panic!("a node") };
		assert_eq!(children.len(), 2);
		assert!(children.iter().all(|child| child.codec() == DAG_PB_CODEC));
	}

	#[test]
	fn corrupt_blocks_and_foreign_cids_are_refused() {
		let file = bytes(3 * CHUNK_SIZE);
		let blocks = file_blocks(&file);
		let root = blocks.last().unwrap();
		let mut bad = root.data.clone();
		bad[3] ^= 1;
		assert_eq!(verify(&root.cid, &bad), Err(UnixfsError::Corrupt(root.cid)));
		// A CIDv0 (base58 `Qm…`) is valid IPFS but not what the studio records.
		let v0 = Cid::try_from("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n").unwrap();
		assert!(!is_studio_cid(&v0));
		assert!(matches!(decode(&root.cid, b"\xff\xff"), Err(UnixfsError::Unsupported(..))));
	}
}
