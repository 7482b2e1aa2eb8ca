//! A client's own image, as a stylize or line-art job takes it: PNG or JPEG, decoded to 8-bit
//! RGB and checked against the sides the chain allows, before any model sees it. The CLI
//! checks a file this way before any money moves; the worker checks the fetched bytes again.

use candle_core::{Device, Result, Tensor};

/// Why a file is not an input the studio takes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
	/// Neither PNG nor JPEG.
	#[error("not a PNG or JPEG image (the studio restyles only those)")]
	UnsupportedFormat,
	/// A PNG or JPEG that does not decode.
	#[error("the {format} does not decode: {detail}")]
	Undecodable { format: &'static str, detail: String },
	/// A side longer than the chain's `MaxImageSide`.
	#[error("{width}×{height} is too large: at most {max} pixels a side")]
	TooLarge { width: u32, height: u32, max: u32 },
	/// A side shorter than the models take.
	#[error("{width}×{height} is too small: at least {min} pixels a side")]
	TooSmall { width: u32, height: u32, min: u32 },
}

/// The image formats a client may upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
	/// PNG, any colour type and bit depth.
	Png,
	/// Baseline or progressive JPEG (greyscale, RGB or CMYK).
	Jpeg,
}

impl InputFormat {
	/// The format of `bytes`, by their signature.
	pub fn sniff(bytes: &[u8]) -> Option<Self> {
		if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
			Some(InputFormat::Png)
		} else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
			Some(InputFormat::Jpeg)
		} else {
			None
		}
	}
}

/// A decoded client image: 8-bit RGB, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
	/// Width in pixels.
	pub width: u32,
	/// Height in pixels.
	pub height: u32,
	/// `width × height × 3` bytes.
	pub pixels: Vec<u8>,
}

/// The smallest side a client image may have: style transfer's (`stylize::MIN_SIDE`).
pub const MIN_INPUT_SIDE: u32 = super::stylize::MIN_SIDE as u32;

/// Decodes a client's PNG or JPEG and checks its sides against `max_side` (the chain's
/// `MaxImageSide`) and [`MIN_INPUT_SIDE`]. Transparent pixels are composited over white, as a
/// logo on a page.
pub fn decode_input(bytes: &[u8], max_side: u32) -> std::result::Result<RgbImage, InputError> {
	let image = match InputFormat::sniff(bytes).ok_or(InputError::UnsupportedFormat)? {
		InputFormat::Png => decode_png_any(bytes)?,
		InputFormat::Jpeg => decode_jpeg(bytes)?,
	};
	let (width, height) = (image.width, image.height);
	if width > max_side || height > max_side {
		return Err(InputError::TooLarge { width, height, max: max_side })
	}
	if width < MIN_INPUT_SIDE || height < MIN_INPUT_SIDE {
		return Err(InputError::TooSmall { width, height, min: MIN_INPUT_SIDE })
	}
	Ok(image)
}

/// An [`InputError::Undecodable`] of `format` with the decoder's message.
fn undecodable(format: &'static str) -> impl Fn(String) -> InputError {
	move |detail| InputError::Undecodable { format, detail }
}

fn decode_png_any(bytes: &[u8]) -> std::result::Result<RgbImage, InputError> {
	let error = undecodable("PNG");
	let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
	decoder.set_transformations(png::Transformations::normalize_to_color8());
	// A PNG whose header claims gigapixels would otherwise be allocated before the side check.
	decoder.set_limits(png::Limits { bytes: 64 << 20 });
	let mut reader = decoder.read_info().map_err(|e| error(e.to_string()))?;
	let mut buffer = vec![0u8; reader.output_buffer_size()];
	let frame = reader.next_frame(&mut buffer).map_err(|e| error(e.to_string()))?;
	let channels = match frame.color_type {
		png::ColorType::Grayscale => 1,
		png::ColorType::GrayscaleAlpha => 2,
		png::ColorType::Rgb => 3,
		png::ColorType::Rgba => 4,
		png::ColorType::Indexed => return Err(error("an indexed PNG was not expanded".into())),
	};
	let used = frame.width as usize * frame.height as usize * channels;
	Ok(RgbImage { width: frame.width, height: frame.height, pixels: to_rgb(&buffer[..used], channels) })
}

fn decode_jpeg(bytes: &[u8]) -> std::result::Result<RgbImage, InputError> {
	let error = undecodable("JPEG");
	let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
	decoder.set_max_decoding_buffer_size(64 << 20);
	let pixels = decoder.decode().map_err(|e| error(e.to_string()))?;
	let info = decoder.info().ok_or_else(|| error("no frame header".into()))?;
	let pixels = match info.pixel_format {
		jpeg_decoder::PixelFormat::L8 => to_rgb(&pixels, 1),
		jpeg_decoder::PixelFormat::RGB24 => pixels,
		jpeg_decoder::PixelFormat::CMYK32 => pixels
			.chunks_exact(4)
			.flat_map(|p| {
				let k = 255 - p[3] as u32;
				[0, 1, 2].map(|c| ((255 - p[c] as u32) * k / 255) as u8)
			})
			.collect(),
		jpeg_decoder::PixelFormat::L16 => return Err(error("16-bit greyscale JPEG".into())),
	};
	Ok(RgbImage { width: info.width as u32, height: info.height as u32, pixels })
}

/// Interleaved 8-bit pixels of `channels` (grey, grey + alpha, RGB, RGBA) as RGB, alpha
/// composited over white.
fn to_rgb(pixels: &[u8], channels: usize) -> Vec<u8> {
	let over_white = |value: u8, alpha: u8| ((value as u32 * alpha as u32 + 255 * (255 - alpha as u32) + 127) / 255) as u8;
	pixels
		.chunks_exact(channels)
		.flat_map(|p| match channels {
			1 => [p[0]; 3],
			2 => [over_white(p[0], p[1]); 3],
			3 => [p[0], p[1], p[2]],
			_ => [over_white(p[0], p[3]), over_white(p[1], p[3]), over_white(p[2], p[3])],
		})
		.collect()
}

impl RgbImage {
	/// The image as the restyling networks take it: [1, 3, h, w], RGB in [0, 1] (`byte / 255`).
	pub fn unit_tensor(&self, device: &Device) -> Result<Tensor> {
		let values: Vec<f32> = self.pixels.iter().map(|p| *p as f32 / 255.0).collect();
		Tensor::from_vec(values, (self.height as usize, self.width as usize, 3), device)?
			.permute((2, 0, 1))?
			.unsqueeze(0)?
			.contiguous()
	}
}

/// A network's output ([3, h, w] in [0, 1]) as 8-bit RGB: `round(255 · clamp(x, 0, 1))`.
pub fn unit_to_rgb(image: &Tensor) -> Result<RgbImage> {
	let (_, height, width) = image.dims3()?;
	let bytes = (image.clamp(0f32, 1f32)? * 255.0)?.round()?.permute((1, 2, 0))?.flatten_all()?.to_vec1::<f32>()?;
	Ok(RgbImage { width: width as u32, height: height as u32, pixels: bytes.into_iter().map(|v| v as u8).collect() })
}

#[cfg(test)]
mod tests {
	use super::*;

	fn png(width: u32, height: u32, color: png::ColorType, pixels: &[u8]) -> Vec<u8> {
		let mut out = Vec::new();
		let mut encoder = png::Encoder::new(&mut out, width, height);
		encoder.set_color(color);
		encoder.set_depth(png::BitDepth::Eight);
		encoder.write_header().unwrap().write_image_data(pixels).unwrap();
		out
	}

	#[test]
	fn png_of_any_colour_type_decodes_to_rgb_with_transparency_over_white() {
		let grey = png(40, 32, png::ColorType::Grayscale, &[90; 40 * 32]);
		let image = decode_input(&grey, 1024).unwrap();
		assert_eq!((image.width, image.height), (40, 32));
		assert_eq!(&image.pixels[..3], &[90, 90, 90]);
		let clear = png(32, 32, png::ColorType::Rgba, &[0, 0, 0, 0].repeat(32 * 32));
		assert_eq!(&decode_input(&clear, 1024).unwrap().pixels[..3], &[255, 255, 255]);
	}

	#[test]
	fn other_formats_broken_files_and_wrong_sizes_are_refused_with_the_cause() {
		assert_eq!(decode_input(b"GIF89a...", 1024), Err(InputError::UnsupportedFormat));
		assert_eq!(decode_input(b"%PDF-1.7", 1024), Err(InputError::UnsupportedFormat));
		let image = png(64, 48, png::ColorType::Rgb, &[7; 64 * 48 * 3]);
		assert!(matches!(decode_input(&image[..image.len() / 2], 1024), Err(InputError::Undecodable { format: "PNG", .. })));
		assert!(matches!(decode_input(&[0xff, 0xd8, 0xff, 0xe0, 0, 0], 1024), Err(InputError::Undecodable { format: "JPEG", .. })));
		assert_eq!(decode_input(&image, 60), Err(InputError::TooLarge { width: 64, height: 48, max: 60 }));
		let tiny = png(16, 64, png::ColorType::Rgb, &[7; 16 * 64 * 3]);
		assert_eq!(decode_input(&tiny, 1024), Err(InputError::TooSmall { width: 16, height: 64, min: 32 }));
	}

	#[test]
	fn a_jpeg_photo_decodes_to_its_rgb_pixels() {
		// 64×48, saved by Pillow at quality 85 from a red ball on a soft background.
		let jpeg = include_bytes!("../../tests/fixtures/photo-64x48.jpg");
		let image = decode_input(jpeg, 1024).unwrap();
		assert_eq!((image.width, image.height), (64, 48));
		let pixel = |x: usize, y: usize| &image.pixels[(y * 64 + x) * 3..(y * 64 + x) * 3 + 3];
		let near = |found: &[u8], expected: [u8; 3]| found.iter().zip(expected).all(|(f, e)| f.abs_diff(e) <= 12);
		assert!(near(pixel(32, 24), [200, 40, 40]), "the ball: {:?}", pixel(32, 24));
		assert!(near(pixel(2, 2), [189, 198, 166]), "the background: {:?}", pixel(2, 2));
		assert_eq!(decode_input(jpeg, 60), Err(InputError::TooLarge { width: 64, height: 48, max: 60 }));
	}

	#[test]
	fn bytes_survive_the_trip_through_the_networks_range() {
		let image = RgbImage { width: 2, height: 1, pixels: vec![0, 128, 255, 1, 2, 254] };
		let tensor = image.unit_tensor(&Device::Cpu).unwrap();
		assert_eq!(unit_to_rgb(&tensor.get(0).unwrap()).unwrap(), image);
	}
}
