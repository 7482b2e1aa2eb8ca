//! Turning a generator's output into PNG bytes, and marking PNG bytes with text.

use candle_core::{DType, Result, Tensor};

/// Why an image could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
	/// The tensor is not 3 × height × width.
	#[error("expected an image tensor of 3 × height × width, got {0:?}")]
	Shape(Vec<usize>),
	/// A tensor operation failed.
	#[error(transparent)]
	Tensor(#[from] candle_core::Error),
	/// PNG encoding failed.
	#[error("encoding the PNG: {0}")]
	Png(#[from] png::EncodingError),
	/// The bytes are not a PNG the studio makes.
	#[error("not an 8-bit RGB PNG: {0}")]
	NotAnRgbPng(String),
	/// A keyword or text that a PNG text chunk cannot hold.
	#[error("not PNG text: {0}")]
	Text(&'static str),
}

/// The eight bytes every PNG starts with.
const PNG_SIGNATURE: [u8; 8] = *b"\x89PNG\r\n\x1a\n";

/// RGB bytes (height × width × 3) of an image tensor (3 × height × width in [−1, 1]), mapped
/// as the generator's authors do: `clip((x + 1) / 2 · 256, 0, 255)`.
pub fn rgb_bytes(image: &Tensor) -> std::result::Result<(u32, u32, Vec<u8>), ImageError> {
	let dims = image.dims().to_vec();
	let [3, height, width] = dims[..] else { return Err(ImageError::Shape(dims)) };
	let scaled = ((image.to_dtype(DType::F32)? + 1.0)? * 128.0)?.clamp(0f32, 255f32)?;
	let interleaved: Result<Vec<f32>> = scaled.permute((1, 2, 0))?.flatten_all()?.to_vec1();
	let bytes = interleaved?.into_iter().map(|v| v as u8).collect();
	Ok((width as u32, height as u32, bytes))
}

/// PNG bytes of an image tensor (3 × height × width in [−1, 1]). The encoder settings are
/// fixed, so the same tensor always gives the same bytes.
pub fn png_bytes(image: &Tensor) -> std::result::Result<Vec<u8>, ImageError> {
	let (width, height, rgb) = rgb_bytes(image)?;
	let mut out = Vec::new();
	{
		let mut encoder = png::Encoder::new(&mut out, width, height);
		encoder.set_color(png::ColorType::Rgb);
		encoder.set_depth(png::BitDepth::Eight);
		encoder.set_compression(png::Compression::Default);
		encoder.set_filter(png::FilterType::Sub);
		let mut writer = encoder.write_header()?;
		writer.write_image_data(&rgb)?;
	}
	Ok(out)
}

/// `png` with a `tEXt` chunk (`keyword`, `text`) inserted right after its header (`IHDR`):
/// every other chunk, hence every pixel, is unchanged; only the bytes, hence the CID, differ.
/// `keyword` must be 1 to 79 printable ASCII characters and `text` printable ASCII (PNG text is
/// Latin-1 without NUL).
pub fn with_text_chunk(png: &[u8], keyword: &str, text: &str) -> std::result::Result<Vec<u8>, ImageError> {
	// The signature, then IHDR: its length (13), its type, its 13 bytes of data and its CRC.
	const HEADER_END: usize = 8 + 4 + 4 + 13 + 4;
	if png.len() < HEADER_END || !png.starts_with(&PNG_SIGNATURE) || png[8..16] != *b"\0\0\0\x0dIHDR" {
		return Err(ImageError::NotAnRgbPng("no PNG signature and header".into()))
	}
	let printable = |s: &str| s.bytes().all(|byte| (b' '..=b'~').contains(&byte));
	if !(1..=79).contains(&keyword.len()) || !printable(keyword) {
		return Err(ImageError::Text("a keyword is 1 to 79 printable ASCII characters"))
	}
	if !printable(text) {
		return Err(ImageError::Text("the text must be printable ASCII"))
	}
	// The chunk's type and data, which its CRC covers.
	let mut chunk = b"tEXt".to_vec();
	chunk.extend_from_slice(keyword.as_bytes());
	chunk.push(0);
	chunk.extend_from_slice(text.as_bytes());
	let length = u32::try_from(chunk.len() - 4).map_err(|_| ImageError::Text("the text is too long"))?;
	let mut marked = Vec::with_capacity(png.len() + chunk.len() + 8);
	marked.extend_from_slice(&png[..HEADER_END]);
	marked.extend_from_slice(&length.to_be_bytes());
	marked.extend_from_slice(&chunk);
	marked.extend_from_slice(&crc32fast::hash(&chunk).to_be_bytes());
	marked.extend_from_slice(&png[HEADER_END..]);
	Ok(marked)
}

/// The image tensor (3 × height × width in [−1, 1]) of RGB bytes, the inverse of
/// [`rgb_bytes`] up to quantization: `x = pixel / 128 − 1`.
pub fn tensor_from_rgb(width: u32, height: u32, rgb: &[u8], device: &candle_core::Device) -> Result<Tensor> {
	let values: Vec<f32> = rgb.iter().map(|p| *p as f32 / 128.0 - 1.0).collect();
	Tensor::from_vec(values, (height as usize, width as usize, 3), device)?.permute((2, 0, 1))?.contiguous()
}

/// Decodes PNG bytes of an 8-bit RGB image into an image tensor (3 × height × width).
pub fn decode_png(bytes: &[u8], device: &candle_core::Device) -> std::result::Result<Tensor, ImageError> {
	let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
	let mut reader = decoder.read_info().map_err(|e| ImageError::NotAnRgbPng(e.to_string()))?;
	let info = reader.info();
	if info.color_type != png::ColorType::Rgb || info.bit_depth != png::BitDepth::Eight {
		return Err(ImageError::NotAnRgbPng(format!("{:?} at {:?}", info.color_type, info.bit_depth)))
	}
	let (width, height) = (info.width, info.height);
	let mut rgb = vec![0u8; reader.output_buffer_size()];
	reader.next_frame(&mut rgb).map_err(|e| ImageError::NotAnRgbPng(e.to_string()))?;
	rgb.truncate(width as usize * height as usize * 3);
	Ok(tensor_from_rgb(width, height, &rgb, device)?)
}

/// The image as a reader of its PNG sees it: quantized to 8 bits per channel. Scoring the
/// quantized image lets anyone re-score the stored PNG and get the same deviation.
pub fn quantized(image: &Tensor) -> std::result::Result<Tensor, ImageError> {
	let (width, height, rgb) = rgb_bytes(image)?;
	Ok(tensor_from_rgb(width, height, &rgb, image.device())?)
}

/// [`quantized`] for each image of a batch (n × 3 × height × width), with tensor ops over the
/// whole batch on its device where each image went through a byte buffer and back: value by
/// value the arithmetic of the PNG's round trip (scaled, clamped and truncated to a byte, then
/// back), so no value moves and the result is the same to the bit (tested).
///
/// On the CPU one parallel pass over the values ([`quantize`]): 3.2 ms for a round of 128
/// eyes, where candle's six passes took 26. Candle's ops elsewhere.
pub fn quantized_batch(images: &Tensor) -> std::result::Result<Tensor, ImageError> {
	let dims = images.dims().to_vec();
	let [_, 3, _, _] = dims[..] else { return Err(ImageError::Shape(dims)) };
	let images = images.to_dtype(DType::F32)?;
	if images.device().is_cpu() {
		return Ok(images.contiguous()?.apply_op1_no_bwd(&CpuQuantize)?)
	}
	quantized_batch_with_ops(&images)
}

fn quantized_batch_with_ops(images: &Tensor) -> std::result::Result<Tensor, ImageError> {
	// Clamped to [0, 255], the floor is the truncation `as u8` makes.
	let bytes = ((images + 1.0)? * 128.0)?.clamp(0f32, 255f32)?.floor()?;
	Ok(((bytes / 128.0)? - 1.0)?)
}

/// One value through the operations [`quantized_batch_with_ops`] makes, in their order and
/// form: candle's affine `v · mul + add` (four times), its maximum and minimum (`if v < min`,
/// `if v > max`) and the floor. The same bits.
#[inline(always)]
fn quantize(value: f32) -> f32 {
	let affine = |v: f32, mul: f32, add: f32| v * mul + add;
	let scaled = affine(affine(value, 1.0, 1.0), 128.0, 0.0);
	let clamped = if scaled < 0.0 { 0.0 } else { scaled };
	let clamped = if clamped > 255.0 { 255.0 } else { clamped };
	affine(affine(clamped.floor(), 1.0 / 128.0, 0.0), 1.0, -1.0)
}

/// [`quantize`] over a contiguous f32 tensor on the CPU, in parallel, at the CPU's width (the
/// same bits at every level: no operation is fused or reordered).
struct CpuQuantize;

impl candle_core::CustomOp1 for CpuQuantize {
	fn name(&self) -> &'static str {
		"studio-quantize"
	}

	fn cpu_fwd(&self, storage: &candle_core::CpuStorage, layout: &candle_core::Layout) -> Result<(candle_core::CpuStorage, candle_core::Shape)> {
		use rayon::prelude::*;
		let values = super::conv::contiguous_f32(storage, layout)?;
		let level = super::simd::best();
		let (mut quantized, chunk) = (vec![0f32; values.len()], 1 << 14);
		// At the CPU's width: the baseline's floor is a library call a value.
		quantized.par_chunks_mut(chunk).zip(values.par_chunks(chunk)).for_each(|(to, from)| {
			level.run(#[inline(always)] || to.iter_mut().zip(from).for_each(|(to, &value)| *to = quantize(value)))
		});
		Ok((candle_core::CpuStorage::F32(quantized), layout.shape().clone()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;

	#[test]
	fn minus_one_is_black_one_is_white_and_bytes_are_interleaved() {
		let image = Tensor::from_vec(vec![-1f32, 1.0, 0.0, -1.0, 1.0, 1.0], (3, 1, 2), &Device::Cpu).unwrap();
		let (width, height, rgb) = rgb_bytes(&image).unwrap();
		assert_eq!((width, height), (2, 1));
		// Channel planes R = (−1, 1), G = (0, −1), B = (1, 1) interleave per pixel.
		assert_eq!(rgb, vec![0, 128, 255, 255, 0, 255]);
	}

	#[test]
	fn the_same_image_encodes_to_the_same_png() {
		let image = Tensor::randn(0f32, 0.5, (3, 8, 8), &Device::Cpu).unwrap();
		let png = png_bytes(&image).unwrap();
		assert_eq!(png, png_bytes(&image).unwrap());
		assert_eq!(&png[1..4], b"PNG");
	}

	#[test]
	fn a_tensor_that_is_not_an_rgb_image_is_refused() {
		let gray = Tensor::zeros((1, 4, 4), DType::F32, &Device::Cpu).unwrap();
		assert!(matches!(png_bytes(&gray), Err(ImageError::Shape(dims)) if dims == vec![1, 4, 4]));
	}
}

#[cfg(test)]
mod round_trip {
	use super::*;
	use candle_core::Device;

	#[test]
	fn a_decoded_png_is_the_quantized_image() {
		let image = Tensor::randn(0f32, 0.5, (3, 6, 5), &Device::Cpu).unwrap().clamp(-1f32, 1f32).unwrap();
		let decoded = decode_png(&png_bytes(&image).unwrap(), &Device::Cpu).unwrap();
		let quantized = quantized(&image).unwrap();
		let difference: f32 = (decoded - &quantized).unwrap().abs().unwrap().max_all().unwrap().to_scalar().unwrap();
		assert_eq!(difference, 0.0);
		let error: f32 = (quantized - image).unwrap().abs().unwrap().max_all().unwrap().to_scalar().unwrap();
		assert!(error <= 1.0 / 128.0 + 1e-6, "quantization error {error}");
	}

	#[test]
	fn a_batch_quantizes_to_the_bits_of_each_images_round_trip() {
		// Past the range, on byte boundaries and between them.
		let mut values: Vec<f32> = Tensor::randn(0f32, 0.7, 4 * 3 * 9 * 7, &Device::Cpu).unwrap().to_vec1().unwrap();
		values[..8].copy_from_slice(&[-1.5, -1.0, 1.0, 1.5, 0.0, 127.0 / 128.0 - 1.0, -0.0, -1.0 - f32::EPSILON]);
		let images = Tensor::from_vec(values, (4, 3, 9, 7), &Device::Cpu).unwrap();
		let batch: Vec<u32> = quantized_batch(&images).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap().iter().map(|v| v.to_bits()).collect();
		let each: Vec<u32> = (0..4)
			.flat_map(|i| quantized(&images.get(i).unwrap()).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap())
			.map(|v| v.to_bits())
			.collect();
		assert_eq!(batch, each);
		// The CPU's one pass and candle's ops: the same bits.
		let with_ops: Vec<u32> = quantized_batch_with_ops(&images).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap().iter().map(|v| v.to_bits()).collect();
		assert_eq!(batch, with_ops);
		let gray = Tensor::zeros((2, 1, 4, 4), DType::F32, &Device::Cpu).unwrap();
		assert!(matches!(quantized_batch(&gray), Err(ImageError::Shape(dims)) if dims == vec![2, 1, 4, 4]));
	}

	#[test]
	fn bytes_that_are_not_a_png_are_refused() {
		assert!(matches!(decode_png(b"GIF89a", &Device::Cpu), Err(ImageError::NotAnRgbPng(_))));
	}

	/// The RGB bytes and the `tEXt` chunks (keyword, text) a PNG decoder reads from `png`.
	fn read(png: &[u8]) -> (Vec<u8>, Vec<(String, String)>) {
		let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
		let texts: Vec<(String, String)> =
			reader.info().uncompressed_latin1_text.iter().map(|t| (t.keyword.clone(), t.text.clone())).collect();
		let mut rgb = vec![0u8; reader.output_buffer_size()];
		let frame = reader.next_frame(&mut rgb).unwrap();
		rgb.truncate(frame.buffer_size());
		(rgb, texts)
	}

	#[test]
	fn a_text_chunk_changes_the_bytes_and_no_pixel() {
		let image = Tensor::randn(0f32, 0.5, (3, 8, 8), &Device::Cpu).unwrap();
		let png = png_bytes(&image).unwrap();
		let first = with_text_chunk(&png, "studio", "job=7;claim=120;try=0").unwrap();
		let second = with_text_chunk(&png, "studio", "job=7;claim=120;try=1").unwrap();
		let (pixels, unmarked) = read(&png);
		assert!(unmarked.is_empty());
		// The decoder skips a chunk whose CRC is wrong, so reading the text back checks it.
		let mark = |text: &str| vec![("studio".to_string(), text.to_string())];
		assert_eq!(read(&first), (pixels.clone(), mark("job=7;claim=120;try=0")));
		assert_eq!(read(&second), (pixels, mark("job=7;claim=120;try=1")));
		// Other bytes are another CID (a PNG is one block: its CID is the bytes' sha2-256).
		assert!(png != first && first != second && png != second);
		assert!(matches!(with_text_chunk(b"GIF89a", "studio", "x"), Err(ImageError::NotAnRgbPng(_))));
		assert!(matches!(with_text_chunk(&png, "", "x"), Err(ImageError::Text(_))));
		assert!(matches!(with_text_chunk(&png, "studio", "a\0b"), Err(ImageError::Text(_))));
	}
}
