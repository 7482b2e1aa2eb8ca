//! Reads PyTorch's legacy (pre-1.6) serialization, which candle cannot load directly.
//!
//! The file is five pickles followed by raw data: a magic number, the protocol version, a
//! `sys_info` dict (byte order, type sizes), the object itself (here a state dict whose tensors
//! refer to storages by key through persistent ids), and the list of storage keys in file
//! order. Then, for each key, the storage's element count (little-endian `u64`) and its
//! elements, little-endian. Tensors are views into storages (offset, size, stride): some are
//! stored transposed, so they are gathered into contiguous order here. No torch needed; the
//! pickles are read with candle's pickle machine.

use candle_core::{
	pickle::{Object, Stack},
	Device, Tensor,
};
use std::{
	collections::HashMap,
	io::BufRead,
};

/// What can be wrong with a legacy checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum LegacyTorchError {
	/// A pickle could not be read.
	#[error("reading the checkpoint's pickles: {0}")]
	Pickle(#[from] candle_core::Error),
	/// The raw storage data could not be read.
	#[error("reading the checkpoint's storages: {0}")]
	Io(#[from] std::io::Error),
	/// The file is not laid out as a legacy checkpoint.
	#[error("not a legacy PyTorch checkpoint: {0}")]
	Format(String),
	/// A storage of a type the studio's models do not use.
	#[error("storage type {0} is not supported")]
	UnsupportedStorage(String),
}

/// The element types the studio's checkpoints use.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Element {
	F32,
	I64,
}

impl Element {
	fn size(self) -> usize {
		match self {
			Element::F32 => 4,
			Element::I64 => 8,
		}
	}
}

/// A tensor as the state dict describes it: a strided view into a storage.
struct View {
	storage: String,
	element: Element,
	offset: usize,
	size: Vec<usize>,
	stride: Vec<usize>,
}

fn format_error(what: &str, found: &Object) -> LegacyTorchError {
	LegacyTorchError::Format(format!("{what}, found {found:?}"))
}

fn read_pickle<R: BufRead>(reader: &mut R) -> Result<Object, LegacyTorchError> {
	let mut stack = Stack::empty();
	stack.read_loop(reader)?;
	Ok(stack.finalize()?)
}

fn usizes(object: Object) -> Result<Vec<usize>, LegacyTorchError> {
	match object {
		Object::Tuple(items) => items
			.into_iter()
			.map(|item| match item {
				Object::Int(value) if value >= 0 => Ok(value as usize),
				Object::Long(value) if value >= 0 => Ok(value as usize),
				other => Err(format_error("a size or stride", &other)),
			})
			.collect(),
		other => Err(format_error("a tuple of sizes", &other)),
	}
}

/// Reads the view of one state-dict entry: `_rebuild_tensor_v2(storage, offset, size, stride,
/// …)`.
fn view(value: Object) -> Result<View, LegacyTorchError> {
	let Object::Reduce { callable, args } = value else {
		return Err(format_error("a rebuilt tensor", &value))
	};
	match *callable {
		Object::Class { ref class_name, .. } if class_name == "_rebuild_tensor_v2" => {},
		other => return Err(format_error("_rebuild_tensor_v2", &other)),
	}
	let Object::Tuple(mut args) = *args else { return Err(LegacyTorchError::Format("tensor arguments".into())) };
	if args.len() < 4 {
		return Err(LegacyTorchError::Format("tensor arguments".into()))
	}
	let stride = usizes(args.remove(3))?;
	let size = usizes(args.remove(2))?;
	let offset = match args.remove(1) {
		Object::Int(value) if value >= 0 => value as usize,
		other => return Err(format_error("a storage offset", &other)),
	};
	let Object::PersistentLoad(id) = args.remove(0) else {
		return Err(LegacyTorchError::Format("a storage reference".into()))
	};
	let Object::Tuple(mut id) = *id else { return Err(LegacyTorchError::Format("a storage id".into())) };
	if id.len() < 3 {
		return Err(LegacyTorchError::Format("a storage id".into()))
	}
	let storage = match id.remove(2) {
		Object::Unicode(key) => key,
		other => return Err(format_error("a storage key", &other)),
	};
	let element = match id.remove(1) {
		Object::Class { class_name, .. } if class_name == "FloatStorage" => Element::F32,
		Object::Class { class_name, .. } if class_name == "LongStorage" => Element::I64,
		Object::Class { class_name, .. } => return Err(LegacyTorchError::UnsupportedStorage(class_name)),
		other => return Err(format_error("a storage type", &other)),
	};
	Ok(View { storage, element, offset, size, stride })
}

/// Copies the view's elements out of `storage` in row-major order.
fn gather(view: &View, storage: &[u8]) -> Result<Vec<u8>, LegacyTorchError> {
	let width = view.element.size();
	let count: usize = view.size.iter().product();
	let mut out = Vec::with_capacity(count * width);
	let mut index = vec![0usize; view.size.len()];
	for _ in 0..count {
		let element = view.offset + index.iter().zip(&view.stride).map(|(i, s)| i * s).sum::<usize>();
		let bytes = storage
			.get(element * width..(element + 1) * width)
			.ok_or_else(|| LegacyTorchError::Format(format!("a view reaches past storage {}", view.storage)))?;
		out.extend_from_slice(bytes);
		for dim in (0..index.len()).rev() {
			index[dim] += 1;
			if index[dim] < view.size[dim] {
				break
			}
			index[dim] = 0;
		}
	}
	Ok(out)
}

/// Reads every tensor of a legacy checkpoint holding a state dict, in the state dict's order.
pub fn read_state_dict<R: BufRead>(reader: &mut R) -> Result<Vec<(String, Tensor)>, LegacyTorchError> {
	match read_pickle(reader)? {
		Object::Long(_) | Object::Int(_) => {},
		other => return Err(format_error("the magic number", &other)),
	}
	match read_pickle(reader)? {
		Object::Int(1001) => {},
		other => return Err(format_error("protocol version 1001", &other)),
	}
	let sys_info = read_pickle(reader)?;
	let little_endian = matches!(&sys_info, Object::Dict(entries) if entries.iter().any(|(k, v)| {
		*k == Object::Unicode("little_endian".into()) && *v == Object::Bool(true)
	}));
	if !little_endian {
		return Err(format_error("a little-endian checkpoint", &sys_info))
	}
	let entries = match read_pickle(reader)? {
		Object::Dict(entries) => entries,
		Object::Build { callable, .. } => match *callable {
			Object::Dict(entries) => entries,
			other => return Err(format_error("a state dict", &other)),
		},
		other => return Err(format_error("a state dict", &other)),
	};
	let mut views = Vec::with_capacity(entries.len());
	for (name, value) in entries {
		let Object::Unicode(name) = name else { return Err(format_error("a tensor name", &name)) };
		// PyTorch keeps module versions under `_metadata`; the pickle machine merges it into
		// the dict. It holds no tensors.
		if name == "_metadata" {
			continue
		}
		views.push((name, view(value)?));
	}
	let keys = match read_pickle(reader)? {
		Object::List(keys) => keys,
		other => return Err(format_error("the storage keys", &other)),
	};
	let element_of: HashMap<&str, Element> =
		views.iter().map(|(_, view)| (view.storage.as_str(), view.element)).collect();
	let mut storages: HashMap<String, Vec<u8>> = HashMap::new();
	for key in keys {
		let Object::Unicode(key) = key else { return Err(format_error("a storage key", &key)) };
		let mut count = [0u8; 8];
		reader.read_exact(&mut count)?;
		let element = element_of.get(key.as_str()).copied().unwrap_or(Element::F32);
		let mut data = vec![0u8; u64::from_le_bytes(count) as usize * element.size()];
		reader.read_exact(&mut data)?;
		storages.insert(key, data);
	}

	let mut tensors = Vec::with_capacity(views.len());
	for (name, view) in views {
		let storage = storages
			.get(&view.storage)
			.ok_or_else(|| LegacyTorchError::Format(format!("storage {} is missing", view.storage)))?;
		let bytes = gather(&view, storage)?;
		let tensor = match view.element {
			Element::F32 => {
				let values = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
				Tensor::from_vec(values.collect::<Vec<_>>(), view.size.clone(), &Device::Cpu)?
			},
			Element::I64 => {
				let values = bytes.chunks_exact(8).map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")));
				Tensor::from_vec(values.collect::<Vec<_>>(), view.size.clone(), &Device::Cpu)?
			},
		};
		tensors.push((name, tensor));
	}
	Ok(tensors)
}

/// Reads every tensor of a checkpoint in the legacy format from `bytes`.
pub fn read_state_dict_from(bytes: &[u8]) -> Result<Vec<(String, Tensor)>, LegacyTorchError> {
	read_state_dict(&mut std::io::Cursor::new(bytes))
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A view with strides (1, 2) over a 2×3 storage laid out column-major reads back
	/// row-major.
	#[test]
	fn transposed_views_are_gathered_in_row_major_order() {
		let storage: Vec<u8> = [1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0].iter().flat_map(|v| v.to_le_bytes()).collect();
		let view = View {
			storage: "0".into(),
			element: Element::F32,
			offset: 0,
			size: vec![2, 3],
			stride: vec![1, 2],
		};
		let bytes = gather(&view, &storage).unwrap();
		let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
		assert_eq!(values, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
	}

	#[test]
	fn a_view_past_its_storage_is_an_error() {
		let view = View { storage: "0".into(), element: Element::F32, offset: 5, size: vec![2], stride: vec![1] };
		assert!(matches!(gather(&view, &[0u8; 16]), Err(LegacyTorchError::Format(_))));
	}

	#[test]
	fn a_zip_checkpoint_is_not_mistaken_for_a_legacy_one() {
		let zip_magic = b"PK\x03\x04rest of a zip file";
		assert!(read_state_dict_from(zip_magic).is_err());
	}
}
