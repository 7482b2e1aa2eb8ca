//! A runtime's wasm as the chain takes it for an upgrade: the blake2-256 hash governance
//! authorizes, and the version it carries (the `runtime_version` custom section that
//! `sp_version::runtime_version` embeds at build time), read without running the code, as the
//! node's executor reads it when it checks an upgrade.

use codec::Decode;
use sp_version::RuntimeVersion;
use std::{ops::Range, path::Path};

/// The custom section holding a runtime's SCALE-encoded [`RuntimeVersion`].
pub const VERSION_SECTION: &str = "runtime_version";

/// A runtime's code, as it will be submitted.
pub struct RuntimeCode {
	/// The bytes as submitted (compressed or not).
	pub bytes: Vec<u8>,
	/// blake2-256 of `bytes`: what `AuthorizeUpgrade` names.
	pub code_hash: [u8; 32],
	/// The version the code carries.
	pub version: RuntimeVersion,
}

/// Why a file is not a runtime the chain could take.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeCodeError {
	/// The file could not be read.
	#[error("{path}: {source}")]
	Read { path: std::path::PathBuf, source: std::io::Error },
	/// zstd-compressed, but not within the node's limits.
	#[error("the compressed runtime does not decompress within the node's limit: {0}")]
	Decompress(sp_maybe_compressed_blob::Error),
	/// Not a wasm module.
	#[error("not a wasm module: {0}")]
	NotWasm(&'static str),
	/// A wasm module without a runtime version.
	#[error("the wasm carries no `{VERSION_SECTION}` section: it is not a runtime built with substrate-wasm-builder")]
	NoVersion,
	/// The version section does not decode.
	#[error("the runtime's version does not decode: {0}")]
	BadVersion(codec::Error),
}

/// One section of a wasm module.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Section {
	/// A custom section's name; none for the others.
	name: Option<String>,
	/// A custom section's contents after its name; any other section's payload.
	contents: Range<usize>,
}

/// The wasm module's magic number and version 1.
const WASM_HEADER: [u8; 8] = *b"\0asm\x01\0\0\0";

/// Reads `path` as a runtime.
pub fn read(path: &Path) -> Result<RuntimeCode, RuntimeCodeError> {
	let bytes = std::fs::read(path).map_err(|source| RuntimeCodeError::Read { path: path.to_owned(), source })?;
	inspect(bytes)
}

/// The hash and version of a runtime's code (zstd-compressed as the wasm builder makes it, or
/// plain wasm).
pub fn inspect(bytes: Vec<u8>) -> Result<RuntimeCode, RuntimeCodeError> {
	let wasm = sp_maybe_compressed_blob::decompress(&bytes, sp_maybe_compressed_blob::CODE_BLOB_BOMB_LIMIT)
		.map_err(RuntimeCodeError::Decompress)?;
	let section = sections(&wasm)?
		.into_iter()
		.find(|section| section.name.as_deref() == Some(VERSION_SECTION))
		.ok_or(RuntimeCodeError::NoVersion)?;
	let version = RuntimeVersion::decode(&mut &wasm[section.contents]).map_err(RuntimeCodeError::BadVersion)?;
	let code_hash = sp_crypto_hashing::blake2_256(&bytes);
	Ok(RuntimeCode { bytes, code_hash, version })
}

/// The sections of a wasm module, in order.
fn sections(wasm: &[u8]) -> Result<Vec<Section>, RuntimeCodeError> {
	let body = wasm.strip_prefix(&WASM_HEADER[..]).ok_or(RuntimeCodeError::NotWasm("no wasm version 1 header"))?;
	let mut sections = Vec::new();
	let mut at = WASM_HEADER.len();
	let mut rest = body;
	while let Some((&id, after_id)) = rest.split_first() {
		let (size, size_len) = leb128_u32(after_id)?;
		let start = at + 1 + size_len;
		let end = start.checked_add(size as usize).filter(|end| *end <= wasm.len()).ok_or(RuntimeCodeError::NotWasm("a section runs past the end"))?;
		let (name, contents) = if id == 0 {
			let (name_len, name_len_len) = leb128_u32(&wasm[start..end])?;
			let name_start = start + name_len_len;
			let name_end = name_start.checked_add(name_len as usize).filter(|e| *e <= end).ok_or(RuntimeCodeError::NotWasm("a custom section's name runs past it"))?;
			let name = std::str::from_utf8(&wasm[name_start..name_end]).map_err(|_| RuntimeCodeError::NotWasm("a custom section's name is not UTF-8"))?;
			(Some(name.to_owned()), name_end..end)
		} else {
			(None, start..end)
		};
		sections.push(Section { name, contents });
		rest = &wasm[end..];
		at = end;
	}
	Ok(sections)
}

/// An unsigned LEB128 `u32` at the start of `bytes`, with its length.
fn leb128_u32(bytes: &[u8]) -> Result<(u32, usize), RuntimeCodeError> {
	let mut value = 0u32;
	for (i, byte) in bytes.iter().take(5).enumerate() {
		value |= ((byte & 0x7f) as u32) << (7 * i);
		if byte & 0x80 == 0 {
			return Ok((value, i + 1))
		}
	}
	Err(RuntimeCodeError::NotWasm("a bad LEB128 length"))
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::Encode;

	/// `value` as unsigned LEB128.
	fn leb128(mut value: u32) -> Vec<u8> {
		let mut out = Vec::new();
		loop {
			let byte = (value & 0x7f) as u8;
			value >>= 7;
			if value == 0 {
				out.push(byte);
				return out
			}
			out.push(byte | 0x80);
		}
	}

	/// A module with a type section and a `runtime_version` custom section.
	fn module(version: &RuntimeVersion) -> Vec<u8> {
		let mut wasm = WASM_HEADER.to_vec();
		wasm.extend([1, 1, 0]);
		let mut custom = leb128(VERSION_SECTION.len() as u32);
		custom.extend(VERSION_SECTION.as_bytes());
		custom.extend(version.encode());
		wasm.push(0);
		wasm.extend(leb128(custom.len() as u32));
		wasm.extend(custom);
		wasm
	}

	#[test]
	fn a_runtimes_version_and_hash_are_read_compressed_or_not() {
		let version = RuntimeVersion { spec_name: "studio".into(), spec_version: 300, ..Default::default() };
		let wasm = module(&version);
		let plain = inspect(wasm.clone()).unwrap();
		assert_eq!((plain.version.spec_name.as_ref(), plain.version.spec_version), ("studio", 300));
		assert_eq!(plain.code_hash, sp_crypto_hashing::blake2_256(&wasm));
		let compressed = sp_maybe_compressed_blob::compress_strongly(&wasm, 1 << 20).unwrap();
		let read = inspect(compressed.clone()).unwrap();
		assert_eq!((read.version.spec_name.as_ref(), read.version.spec_version), ("studio", 300));
		// The hash is of the bytes as submitted: the compressed ones.
		assert_eq!(read.code_hash, sp_crypto_hashing::blake2_256(&compressed));
		let sections = sections(&wasm).unwrap();
		assert_eq!(sections.iter().map(|s| s.name.as_deref()).collect::<Vec<_>>(), [None, Some(VERSION_SECTION)]);
		assert_eq!(sections[1].contents.end, wasm.len());
	}

	#[test]
	fn what_is_not_a_runtime_says_why() {
		assert!(matches!(inspect(b"not wasm".to_vec()), Err(RuntimeCodeError::NotWasm(_))));
		let mut no_version = WASM_HEADER.to_vec();
		no_version.extend([1, 1, 0]);
		assert!(matches!(inspect(no_version.clone()), Err(RuntimeCodeError::NoVersion)));
		let mut cut = no_version;
		cut.extend([1, 9, 0]);
		assert!(matches!(inspect(cut), Err(RuntimeCodeError::NotWasm(_))));
		assert_eq!(leb128(624_485), [0xe5, 0x8e, 0x26]);
		assert_eq!(leb128_u32(&[0xe5, 0x8e, 0x26]).unwrap(), (624_485, 3));
	}
}
