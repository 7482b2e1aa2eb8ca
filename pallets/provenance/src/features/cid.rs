//! Which content identifiers the studio accepts.
//!
//! Only CIDv1 in binary form with a sha2-256 multihash and the `raw` or `dag-pb` codec: what the
//! worker's content store and IPFS produce for single files. Parsing is the `cid` crate's.

use cid::{CidGeneric, Version};

/// The multicodec of raw bytes.
pub const RAW_CODEC: u64 = 0x55;
/// The multicodec of a dag-pb (UnixFS) node.
pub const DAG_PB_CODEC: u64 = 0x70;
/// The multihash code of sha2-256.
pub const SHA2_256_CODE: u64 = 0x12;

/// Why bytes are not an acceptable CID.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CidProblem {
	/// Not a CID at all (bad varints, truncated digest …).
	Malformed,
	/// Bytes follow the CID.
	TrailingBytes,
	/// A CIDv0: the studio wants CIDv1.
	NotVersion1,
	/// A codec other than raw or dag-pb.
	UnsupportedCodec,
	/// A hash other than a 32-byte sha2-256.
	UnsupportedHash,
}

/// The raw-codec CIDv1 of content whose sha2-256 is `digest`: what the worker's store makes.
pub fn raw_cid(digest: [u8; 32]) -> studio_primitives::CidBytes {
	let prefix = [0x01, RAW_CODEC as u8, SHA2_256_CODE as u8, 32];
	studio_primitives::CidBytes::try_from([&prefix[..], &digest[..]].concat()).expect("36 bytes fit")
}

/// Checks that `bytes` are exactly one CIDv1 with a sha2-256 multihash and the raw or dag-pb
/// codec.
pub fn validate_cid(bytes: &[u8]) -> Result<(), CidProblem> {
	let mut rest = bytes;
	let cid = CidGeneric::<32>::read_bytes(&mut rest).map_err(|_| CidProblem::Malformed)?;
	if !rest.is_empty() {
		return Err(CidProblem::TrailingBytes);
	}
	if cid.version() != Version::V1 {
		return Err(CidProblem::NotVersion1);
	}
	if cid.codec() != RAW_CODEC && cid.codec() != DAG_PB_CODEC {
		return Err(CidProblem::UnsupportedCodec);
	}
	if cid.hash().code() != SHA2_256_CODE || cid.hash().size() != 32 {
		return Err(CidProblem::UnsupportedHash);
	}
	Ok(())
}
