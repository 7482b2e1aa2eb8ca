//! The float32 datasets of an HDF5 file written with the library's earliest format (what h5py
//! writes by default, and so Keras' `.weights.h5`), read without an HDF5 library.
//!
//! The reader follows the file's own records: the version-0 superblock gives the root group's
//! symbol table; a group's symbol table is a version-1 B-tree of symbol-table nodes (`SNOD`)
//! whose names sit in the group's local heap (`HEAP`); an object header (version 1) holds a
//! dataset's dataspace (its shape), datatype and layout (where its bytes are). Only contiguous,
//! unfiltered, little-endian float32 datasets are read; anything else is refused with the
//! dataset's name, never guessed.

use candle_core::{Device, Tensor};

/// Why an HDF5 file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Hdf5Error {
	/// No superblock at any of the places HDF5 puts one.
	#[error("not an HDF5 file (no superblock signature)")]
	NotHdf5,
	/// A structure HDF5 defines, but in a version this reader does not follow.
	#[error("{what} version {version} is not supported (only the earliest file format is)")]
	Version { what: &'static str, version: u8 },
	/// A record does not carry its signature, or points outside the file.
	#[error("corrupt HDF5 file: {0}")]
	Corrupt(String),
	/// A dataset is not stored as this reader needs.
	#[error("dataset {name}: {reason}")]
	Unsupported { name: String, reason: &'static str },
}

const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";
const MESSAGE_DATASPACE: u16 = 0x0001;
const MESSAGE_DATATYPE: u16 = 0x0003;
const MESSAGE_LAYOUT: u16 = 0x0008;
const MESSAGE_FILTERS: u16 = 0x000B;
const MESSAGE_CONTINUATION: u16 = 0x0010;
const MESSAGE_SYMBOL_TABLE: u16 = 0x0011;
/// Guards against a cyclic or absurdly deep file.
const MAX_DEPTH: usize = 32;

/// The file, with the sizes of its addresses and lengths.
struct File<'a> {
	bytes: &'a [u8],
	offset_size: usize,
	length_size: usize,
}

/// What an object header says.
#[derive(Default)]
struct Object {
	/// The group's B-tree and local heap.
	symbol_table: Option<(u64, u64)>,
	shape: Option<Vec<usize>>,
	/// (class, size in bytes, big-endian).
	datatype: Option<(u8, u32, bool)>,
	/// Contiguous storage: (address, size in bytes); `None` for any other layout.
	contiguous: Option<(u64, u64)>,
	has_layout: bool,
	filtered: bool,
}

impl<'a> File<'a> {
	fn slice(&self, at: u64, length: usize) -> Result<&'a [u8], Hdf5Error> {
		let at = usize::try_from(at).map_err(|_| self.outside(at))?;
		at.checked_add(length)
			.filter(|end| *end <= self.bytes.len())
			.map(|end| &self.bytes[at..end])
			.ok_or_else(|| self.outside(at as u64))
	}

	fn outside(&self, at: u64) -> Hdf5Error {
		Hdf5Error::Corrupt(format!("address {at} is outside the file of {} bytes", self.bytes.len()))
	}

	fn uint(&self, at: u64, size: usize) -> Result<u64, Hdf5Error> {
		Ok(self.slice(at, size)?.iter().rev().fold(0u64, |value, byte| value << 8 | u64::from(*byte)))
	}

	fn expect_signature(&self, at: u64, signature: &[u8; 4]) -> Result<(), Hdf5Error> {
		if self.slice(at, 4)? != signature {
			return Err(Hdf5Error::Corrupt(format!(
				"expected {} at {at}",
				String::from_utf8_lossy(signature)
			)))
		}
		Ok(())
	}

	/// The object header at `at` (version 1), following continuation blocks.
	fn object(&self, at: u64) -> Result<Object, Hdf5Error> {
		let version = self.slice(at, 1)?[0];
		if version != 1 {
			return Err(Hdf5Error::Version { what: "object header", version })
		}
		let messages = self.uint(at + 2, 2)?;
		let size = self.uint(at + 8, 4)?;
		let mut blocks = vec![(at + 16, size)];
		let (mut object, mut seen) = (Object::default(), 0);
		while let Some((start, size)) = blocks.pop() {
			let mut cursor = start;
			while cursor + 8 <= start + size && seen < messages {
				let kind = self.uint(cursor, 2)? as u16;
				let length = self.uint(cursor + 2, 2)?;
				let data = cursor + 8;
				match kind {
					MESSAGE_SYMBOL_TABLE => {
						let heap = self.uint(data + self.offset_size as u64, self.offset_size)?;
						object.symbol_table = Some((self.uint(data, self.offset_size)?, heap));
					},
					MESSAGE_DATASPACE => object.shape = Some(self.dataspace(data)?),
					MESSAGE_DATATYPE => {
						let class_and_version = self.slice(data, 1)?[0];
						let big_endian = self.slice(data + 1, 1)?[0] & 1 == 1;
						object.datatype = Some((class_and_version & 0x0f, self.uint(data + 4, 4)? as u32, big_endian));
					},
					MESSAGE_LAYOUT => {
						object.has_layout = true;
						let version = self.slice(data, 1)?[0];
						if version != 3 {
							return Err(Hdf5Error::Version { what: "data layout message", version })
						}
						if self.slice(data + 1, 1)?[0] == 1 {
							let address = self.uint(data + 2, self.offset_size)?;
							let size = self.uint(data + 2 + self.offset_size as u64, self.length_size)?;
							object.contiguous = Some((address, size));
						}
					},
					MESSAGE_FILTERS => object.filtered = true,
					MESSAGE_CONTINUATION => blocks.push((
						self.uint(data, self.offset_size)?,
						self.uint(data + self.offset_size as u64, self.length_size)?,
					)),
					_ => {},
				}
				seen += 1;
				cursor = data + length;
			}
		}
		Ok(object)
	}

	/// A dataspace message's dimensions.
	fn dataspace(&self, at: u64) -> Result<Vec<usize>, Hdf5Error> {
		let header = self.slice(at, 2)?;
		let (version, rank) = (header[0], header[1] as u64);
		let dims_at = match version {
			1 => at + 8,
			2 => at + 4,
			version => return Err(Hdf5Error::Version { what: "dataspace message", version }),
		};
		(0..rank)
			.map(|i| self.uint(dims_at + i * self.length_size as u64, self.length_size).map(|d| d as usize))
			.collect()
	}

	/// The (name, object header address) of every member of the group whose symbol table is
	/// the B-tree at `btree` with names in the local heap at `heap`.
	fn members(&self, btree: u64, heap: u64) -> Result<Vec<(String, u64)>, Hdf5Error> {
		self.expect_signature(heap, b"HEAP")?;
		let names_at = self.uint(heap + 8 + 2 * self.length_size as u64, self.offset_size)?;
		let mut members = Vec::new();
		let mut nodes = vec![(btree, 0usize)];
		while let Some((node, depth)) = nodes.pop() {
			if depth > MAX_DEPTH {
				return Err(Hdf5Error::Corrupt("a group's B-tree is deeper than any real file's".into()))
			}
			self.expect_signature(node, b"TREE")?;
			let level = self.slice(node + 5, 1)?[0];
			let entries = self.uint(node + 6, 2)?;
			// Keys (heap offsets, `length_size` bytes) and children alternate after the siblings.
			let first_key = node + 8 + 2 * self.offset_size as u64;
			let stride = (self.length_size + self.offset_size) as u64;
			for entry in 0..entries {
				let child = self.uint(first_key + self.length_size as u64 + entry * stride, self.offset_size)?;
				if level > 0 {
					nodes.push((child, depth + 1));
					continue
				}
				self.expect_signature(child, b"SNOD")?;
				let symbols = self.uint(child + 6, 2)?;
				let entry_size = (2 * self.offset_size + 24) as u64;
				for symbol in 0..symbols {
					let at = child + 8 + symbol * entry_size;
					let name_offset = self.uint(at, self.offset_size)?;
					let header = self.uint(at + self.offset_size as u64, self.offset_size)?;
					members.push((self.heap_name(names_at + name_offset)?, header));
				}
			}
		}
		Ok(members)
	}

	/// The null-terminated name at `at`.
	fn heap_name(&self, at: u64) -> Result<String, Hdf5Error> {
		let rest = self.slice(at, 0).map(|_| &self.bytes[at as usize..])?;
		let end = rest.iter().position(|byte| *byte == 0).ok_or_else(|| self.outside(at))?;
		Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
	}

	/// Every dataset under the group at `header`, with its path below `prefix`.
	fn walk(&self, header: u64, prefix: &str, depth: usize, out: &mut Vec<(String, Tensor)>) -> Result<(), Hdf5Error> {
		if depth > MAX_DEPTH {
			return Err(Hdf5Error::Corrupt("groups nest deeper than any real file's".into()))
		}
		let Some((btree, heap)) = self.object(header)?.symbol_table else {
			return Err(Hdf5Error::Corrupt(format!("group {prefix:?} has no symbol table")))
		};
		for (name, member) in self.members(btree, heap)? {
			let path = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
			let object = self.object(member)?;
			if object.symbol_table.is_some() {
				self.walk(member, &path, depth + 1, out)?;
			} else if object.has_layout {
				out.push(self.dataset(path, object)?);
			}
		}
		Ok(())
	}

	fn dataset(&self, name: String, object: Object) -> Result<(String, Tensor), Hdf5Error> {
		let unsupported = |reason| Hdf5Error::Unsupported { name: name.clone(), reason };
		if object.filtered {
			return Err(unsupported("it is filtered (compressed)"))
		}
		if object.datatype != Some((1, 4, false)) {
			return Err(unsupported("it is not little-endian float32"))
		}
		let shape = object.shape.ok_or_else(|| unsupported("it has no dataspace"))?;
		let (address, size) = object.contiguous.ok_or_else(|| unsupported("it is not stored contiguously"))?;
		let count: usize = shape.iter().product();
		if size != 4 * count as u64 {
			return Err(unsupported("its storage does not match its shape"))
		}
		let values = self
			.slice(address, 4 * count)?
			.chunks_exact(4)
			.map(|chunk| f32::from_le_bytes(chunk.try_into().expect("four bytes")))
			.collect();
		let tensor = Tensor::from_vec(values, shape, &Device::Cpu).expect("the length matches the shape");
		Ok((name, tensor))
	}
}

/// Every float32 dataset of the file, by its path (`group/…/name`), as CPU tensors in the
/// file's (row-major) layout.
pub fn read_datasets(bytes: &[u8]) -> Result<Vec<(String, Tensor)>, Hdf5Error> {
	let base = [0usize, 512, 1024, 2048, 4096]
		.into_iter()
		.find(|at| bytes.get(*at..at + 8) == Some(SIGNATURE))
		.ok_or(Hdf5Error::NotHdf5)?;
	let version = bytes[base + 8];
	if version != 0 {
		return Err(Hdf5Error::Version { what: "superblock", version })
	}
	let file = File { bytes, offset_size: bytes[base + 13] as usize, length_size: bytes[base + 14] as usize };
	if !(1..=8).contains(&file.offset_size) || !(1..=8).contains(&file.length_size) {
		return Err(Hdf5Error::Corrupt("address or length sizes outside 1..8".into()))
	}
	// After the fixed fields and four addresses comes the root group's symbol-table entry:
	// its link name offset, then its object header's address.
	let root_entry = (base + 24 + 4 * file.offset_size) as u64;
	let root = file.uint(root_entry + file.offset_size as u64, file.offset_size)?;
	let mut datasets = Vec::new();
	file.walk(root, "", 0, &mut datasets)?;
	Ok(datasets)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_file_that_is_not_hdf5_or_is_cut_short_is_refused() {
		assert_eq!(read_datasets(b"PK\x03\x04 a zip, not hdf5").unwrap_err(), Hdf5Error::NotHdf5);
		let mut header = SIGNATURE.to_vec();
		header.extend([0, 0, 0, 0, 0, 8, 8, 0]);
		header.extend([0; 16]);
		assert!(matches!(read_datasets(&header), Err(Hdf5Error::Corrupt(_))));
		header[8] = 2;
		assert_eq!(read_datasets(&header).unwrap_err(), Hdf5Error::Version { what: "superblock", version: 2 });
	}
}
