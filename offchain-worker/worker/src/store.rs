//! A folder of files named by their CID, read back only when their bytes still give it: where
//! the offline commands (`generate`, `search`) leave their outputs for a person to open. The
//! worker serving the chain keeps its content on IPFS instead ([`crate::content`]).
//!
//! The CIDs are those IPFS gives a file ([`studio_chain::unixfs::file_cid`]), the ones the chain's
//! provenance pallet records.

use studio_chain::unixfs::{file_cid, is_studio_cid};
use cid::Cid;
use std::{fs, path::PathBuf};

/// Why the store could not keep or return content.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// Nothing is stored under the CID.
	#[error("no content stored under {0}")]
	NotFound(Cid),
	/// The stored bytes no longer hash to their CID.
	#[error("the content stored under {cid} is corrupt: it hashes to {found}")]
	Corrupt { cid: Cid, found: Cid },
	/// The text is not a CID, or not one the studio uses.
	#[error("`{0}` is not a CIDv1 (raw or dag-pb, sha2-256)")]
	InvalidCid(String),
	/// A file could not be read or written.
	#[error("{path}: {source}")]
	Io { path: PathBuf, source: std::io::Error },
}

/// Parses a CID in text (base32 `bafk…` and the other multibase forms), accepting only the
/// kind the studio uses.
pub fn parse_cid(text: &str) -> Result<Cid, StoreError> {
	let cid = Cid::try_from(text).map_err(|_| StoreError::InvalidCid(text.to_owned()))?;
	if !is_studio_cid(&cid) {
		return Err(StoreError::InvalidCid(text.to_owned()))
	}
	Ok(cid)
}

/// Files named by their CID in one directory.
#[derive(Clone, Debug)]
pub struct ContentStore {
	root: PathBuf,
}

impl ContentStore {
	/// Opens (creating if needed) the store in `root`.
	pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
		let root = root.into();
		fs::create_dir_all(&root).map_err(|source| StoreError::Io { path: root.clone(), source })?;
		Ok(Self { root })
	}

	/// Where the content of `cid` lives.
	pub fn path_of(&self, cid: &Cid) -> PathBuf {
		self.root.join(cid.to_string())
	}

	/// Stores `bytes` and returns their CID. Writing goes through a temporary file and a
	/// rename, so a crash never leaves a partial file under a CID.
	pub fn put(&self, bytes: &[u8]) -> Result<Cid, StoreError> {
		let cid = file_cid(bytes);
		let path = self.path_of(&cid);
		if !path.exists() {
			let partial = self.root.join(format!("{cid}.partial"));
			let io = |source| StoreError::Io { path: path.clone(), source };
			fs::write(&partial, bytes).map_err(io)?;
			fs::rename(&partial, &path).map_err(io)?;
		}
		Ok(cid)
	}

	/// The content of `cid`, checked against it.
	pub fn get(&self, cid: &Cid) -> Result<Vec<u8>, StoreError> {
		let path = self.path_of(cid);
		let bytes = match fs::read(&path) {
			Ok(bytes) => bytes,
			Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound(*cid)),
			Err(source) => return Err(StoreError::Io { path, source }),
		};
		let found = file_cid(&bytes);
		if found != *cid {
			return Err(StoreError::Corrupt { cid: *cid, found })
		}
		Ok(bytes)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn content_is_stored_under_its_cid_and_read_back_verified() {
		let dir = tempfile::tempdir().unwrap();
		let store = ContentStore::open(dir.path()).unwrap();
		let cid = store.put(b"an eye").unwrap();
		assert_eq!(cid, file_cid(b"an eye"));
		assert!(cid.to_string().starts_with("bafkrei"), "{cid}");
		assert_eq!(cid.to_bytes().len(), 36);
		assert_eq!(store.get(&cid).unwrap(), b"an eye");
		assert_eq!(parse_cid(&cid.to_string()).unwrap(), cid);
		// Storing again is a no-op.
		assert_eq!(store.put(b"an eye").unwrap(), cid);
	}

	#[test]
	fn corrupt_or_missing_content_is_an_error_that_names_it() {
		let dir = tempfile::tempdir().unwrap();
		let store = ContentStore::open(dir.path()).unwrap();
		let cid = store.put(b"an eye").unwrap();
		fs::write(store.path_of(&cid), b"a nose").unwrap();
		assert!(matches!(store.get(&cid), Err(StoreError::Corrupt { found, .. }) if found == file_cid(b"a nose")));
		let missing = file_cid(b"never stored");
		assert!(matches!(store.get(&missing), Err(StoreError::NotFound(c)) if c == missing));
	}

	#[test]
	fn only_raw_sha2_256_cidv1_text_is_accepted() {
		assert!(parse_cid("not a cid").is_err());
		// A CIDv0 (dag-pb, base58) is valid IPFS but not what the studio stores.
		assert!(parse_cid("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n").is_err());
	}
}
