//! The float initializers of an ONNX model, read straight from its protobuf.
//!
//! ONNX is protobuf: `ModelProto.graph` is field 7; `GraphProto.initializer` field 5; a
//! `TensorProto` has `dims` (1, int64, packed or not), `data_type` (2; 1 is f32), `float_data`
//! (4, packed f32), `name` (8) and `raw_data` (9, little-endian). Only the initializers are
//! read: the worker runs its own port of the network, not the graph. A tensor stored outside
//! the file (`external_data`, field 13) or of another type is refused.

use candle_core::{Device, Tensor};

/// Why an ONNX file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OnnxError {
	/// The bytes end inside a field.
	#[error("the ONNX protobuf ends inside a field at byte {0}")]
	Truncated(usize),
	/// A wire type protobuf does not define.
	#[error("unknown protobuf wire type {0}")]
	WireType(u64),
	/// An initializer is not float32, or its data lies outside the file.
	#[error("initializer {name}: {reason}")]
	Unsupported { name: String, reason: &'static str },
	/// An initializer's data does not fill its shape.
	#[error("initializer {name} holds {found} values, its shape {shape:?} needs {expected}")]
	Size { name: String, shape: Vec<usize>, expected: usize, found: usize },
}

/// A protobuf field's payload.
enum Value<'a> {
	Varint(u64),
	Bytes(&'a [u8]),
	Fixed,
}

/// Reads protobuf fields one after another.
struct Fields<'a> {
	bytes: &'a [u8],
	at: usize,
}

impl<'a> Fields<'a> {
	fn new(bytes: &'a [u8]) -> Self {
		Self { bytes, at: 0 }
	}

	fn varint(&mut self) -> Result<u64, OnnxError> {
		let mut value = 0u64;
		for shift in (0..64).step_by(7) {
			let byte = *self.bytes.get(self.at).ok_or(OnnxError::Truncated(self.at))?;
			self.at += 1;
			value |= u64::from(byte & 0x7f) << shift;
			if byte & 0x80 == 0 {
				return Ok(value)
			}
		}
		Err(OnnxError::Truncated(self.at))
	}

	fn take(&mut self, length: usize) -> Result<&'a [u8], OnnxError> {
		let end = self.at.checked_add(length).filter(|end| *end <= self.bytes.len());
		let end = end.ok_or(OnnxError::Truncated(self.at))?;
		let slice = &self.bytes[self.at..end];
		self.at = end;
		Ok(slice)
	}

	/// The next field: its number and payload, or `None` at the end.
	fn next_field(&mut self) -> Result<Option<(u64, Value<'a>)>, OnnxError> {
		if self.at >= self.bytes.len() {
			return Ok(None)
		}
		let key = self.varint()?;
		let value = match key & 7 {
			0 => Value::Varint(self.varint()?),
			1 => {
				self.take(8)?;
				Value::Fixed
			},
			2 => {
				let length = self.varint()? as usize;
				Value::Bytes(self.take(length)?)
			},
			5 => {
				self.take(4)?;
				Value::Fixed
			},
			other => return Err(OnnxError::WireType(other)),
		};
		Ok(Some((key >> 3, value)))
	}
}

/// Every initializer of the model in `bytes`, by name, as f32 tensors on the CPU.
pub fn read_initializers(bytes: &[u8]) -> Result<Vec<(String, Tensor)>, OnnxError> {
	let mut tensors = Vec::new();
	let mut model = Fields::new(bytes);
	while let Some((field, value)) = model.next_field()? {
		let (7, Value::Bytes(graph)) = (field, value) else { continue };
		let mut graph = Fields::new(graph);
		while let Some((field, value)) = graph.next_field()? {
			if let (5, Value::Bytes(tensor)) = (field, value) {
				tensors.push(read_tensor(tensor)?);
			}
		}
	}
	Ok(tensors)
}

fn read_tensor(bytes: &[u8]) -> Result<(String, Tensor), OnnxError> {
	let (mut name, mut shape, mut data_type, mut raw, mut floats) = (String::new(), vec![], 0, None, vec![]);
	let mut external = false;
	let mut fields = Fields::new(bytes);
	while let Some((field, value)) = fields.next_field()? {
		match (field, value) {
			(1, Value::Varint(dim)) => shape.push(dim as usize),
			(1, Value::Bytes(packed)) => {
				let mut dims = Fields::new(packed);
				while dims.at < packed.len() {
					shape.push(dims.varint()? as usize);
				}
			},
			(2, Value::Varint(kind)) => data_type = kind,
			(4, Value::Bytes(packed)) => floats.extend(le_floats(packed)),
			(8, Value::Bytes(text)) => name = String::from_utf8_lossy(text).into_owned(),
			(9, Value::Bytes(data)) => raw = Some(data),
			(13, _) => external = true,
			_ => {},
		}
	}
	let unsupported = |reason| OnnxError::Unsupported { name: name.clone(), reason };
	if external {
		return Err(unsupported("its data is stored outside the file"))
	}
	if data_type != 1 {
		return Err(unsupported("not float32"))
	}
	let values = match raw {
		Some(raw) if raw.len() % 4 == 0 => le_floats(raw).collect(),
		Some(_) => return Err(unsupported("raw data is not a whole number of float32")),
		None => floats,
	};
	let expected: usize = shape.iter().product();
	if values.len() != expected {
		return Err(OnnxError::Size { name, shape, expected, found: values.len() })
	}
	let tensor = Tensor::from_vec(values, shape, &Device::Cpu).expect("the length matches the shape");
	Ok((name, tensor))
}

fn le_floats(bytes: &[u8]) -> impl Iterator<Item = f32> + '_ {
	bytes.chunks_exact(4).map(|chunk| f32::from_le_bytes(chunk.try_into().expect("four bytes")))
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A protobuf length-delimited field.
	fn field(number: u64, payload: &[u8]) -> Vec<u8> {
		let mut out = vec![(number << 3 | 2) as u8, payload.len() as u8];
		out.extend_from_slice(payload);
		out
	}

	fn tensor(name: &str, dims: &[u8], data_type: u8, raw: &[f32]) -> Vec<u8> {
		let mut out = field(1, dims);
		out.extend([2 << 3, data_type]);
		out.extend(field(8, name.as_bytes()));
		let raw: Vec<u8> = raw.iter().flat_map(|v| v.to_le_bytes()).collect();
		out.extend(field(9, &raw));
		out
	}

	fn model(tensors: &[Vec<u8>]) -> Vec<u8> {
		let graph: Vec<u8> = tensors.iter().flat_map(|t| field(5, t)).collect();
		// An ir_version varint before the graph, as exporters write it.
		let mut out = vec![1 << 3, 8];
		out.extend(field(7, &graph));
		out
	}

	#[test]
	fn initializers_are_read_with_their_names_and_shapes() {
		let bytes = model(&[tensor("a.w", &[2, 3], 1, &[1., 2., 3., 4., 5., 6.]), tensor("b", &[1], 1, &[7.])]);
		let tensors = read_initializers(&bytes).unwrap();
		assert_eq!(tensors.len(), 2);
		assert_eq!(tensors[0].0, "a.w");
		assert_eq!(tensors[0].1.dims(), &[2, 3]);
		assert_eq!(tensors[0].1.flatten_all().unwrap().to_vec1::<f32>().unwrap(), vec![1., 2., 3., 4., 5., 6.]);
		assert_eq!(tensors[1].1.to_vec1::<f32>().unwrap(), vec![7.]);
	}

	#[test]
	fn a_tensor_of_the_wrong_size_type_or_a_truncated_file_is_refused() {
		let short = model(&[tensor("a", &[2, 3], 1, &[1., 2.])]);
		assert!(matches!(read_initializers(&short), Err(OnnxError::Size { expected: 6, found: 2, .. })));
		let int8 = model(&[tensor("q", &[1], 3, &[1.])]);
		assert!(matches!(read_initializers(&int8), Err(OnnxError::Unsupported { reason: "not float32", .. })));
		let whole = model(&[tensor("a", &[1], 1, &[1.])]);
		assert!(matches!(read_initializers(&whole[..whole.len() - 2]), Err(OnnxError::Truncated(_))));
	}
}
