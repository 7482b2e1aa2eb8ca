//! The style-deviation index: the same number on every worker for the same image and style.
//!
//! An image's **style vector** has 68 components in two parts:
//! - **texture** (64): the root-mean-square activation of each channel (the square root of the
//!   Gram matrix's diagonal) at the ends of EfficientNet-Lite0's stages 2 (24 channels, 32×32
//!   for a 128×128 image) and 3 (40 channels, 16×16);
//! - **palette** (4): the mean and the root mean square of the image's two opponent-colour
//!   channels, `(R − G)/√2` and `(R + G − 2B)/√6` (RGB in [0, 1]), times [`PALETTE_WEIGHT`].
//!   The critic's deep features hardly see colour, so without the palette a grey etching and
//!   a vivid red eye of the same painting texture measure alike.
//!
//! A style's **reference vector** is the mean of its exemplars' style vectors. The **deviation** of an
//! image from a style is `‖v − r‖ / (‖v‖ + ‖r‖)`: 0 for identical statistics, never above 1;
//! the chain receives it in parts per million, and the reference as integers in units of
//! 10⁻⁶ (`studio_primitives::STYLE_VECTOR_SCALE`).

use crate::inference::{
	generator::EyeGenerator,
	image::quantized_batch,
	style_critic::{gram_diagonal_roots, StyleCritic},
};
use candle_core::{Device, Result, Tensor, D};

/// Components of a style vector: 64 of texture, 4 of palette.
pub const STYLE_DIMENSIONS: usize = 68;
/// The palette's weight against the texture: chosen so that a colour that fights its style
/// (a red eye against grey etchings) measures about four times as far as an eye of the
/// style's own colour (411 k against 105 k ppm over 8 fresh eyes; `tests/style.rs`).
pub const PALETTE_WEIGHT: f64 = 300.0;
/// Units per 1.0 of a style vector's fixed-point components on chain.
pub const FIXED_POINT_SCALE: f64 = 1_000_000.0;

/// The palette part of the style vectors of images (n × 3 × h × w in [−1, 1]): n × 4.
pub fn palette(images: &Tensor) -> Result<Tensor> {
	let rgb = ((images + 1.0)? / 2.0)?;
	let (r, g, b) = (rgb.narrow(1, 0, 1)?, rgb.narrow(1, 1, 1)?, rgb.narrow(1, 2, 1)?);
	let red_green = ((&r - &g)? / std::f64::consts::SQRT_2)?;
	let yellow_blue = (((&r + &g)? - (b * 2.0)?)? / 6f64.sqrt())?;
	let opponents = Tensor::cat(&[red_green, yellow_blue], 1)?.flatten_from(2)?;
	let mean = opponents.mean(D::Minus1)?;
	let rms = opponents.sqr()?.mean(D::Minus1)?.sqrt()?;
	Tensor::cat(&[mean, rms], 1)? * PALETTE_WEIGHT
}

/// An image's (3 × h × w in [−1, 1]) colourfulness, the root-mean-square of its opponent
/// colour channels, and its brightness, its mean luminance (both in [0, 1]): what a curator
/// who picks by eye sees first, and what `scripts/curation-learning.sh` measures.
pub fn colourfulness_and_brightness(image: &Tensor) -> Result<(f64, f64)> {
	let stats: Vec<f32> = (palette(&image.unsqueeze(0)?)? / PALETTE_WEIGHT)?.squeeze(0)?.to_vec1()?;
	let colourfulness = ((stats[2] as f64).powi(2) + (stats[3] as f64).powi(2)).sqrt();
	let weights = Tensor::new(&[0.299f32, 0.587, 0.114], image.device())?.reshape((3, 1, 1))?;
	let brightness: f32 = ((image.broadcast_mul(&weights)?.sum(0)? + 1.0)? / 2.0)?.mean_all()?.to_scalar()?;
	Ok((colourfulness, brightness as f64))
}

/// The style vectors of images (n × 3 × h × w in [−1, 1]): n rows of [`STYLE_DIMENSIONS`].
pub fn style_vectors(critic: &StyleCritic, images: &Tensor) -> Result<Vec<Vec<f32>>> {
	let taps = critic.features(images)?;
	let mut parts = taps.iter().map(gram_diagonal_roots).collect::<Result<Vec<_>>>()?;
	parts.push(palette(images)?);
	Tensor::cat(&parts, 1)?.to_vec2()
}

/// The mean of style vectors: a style's reference from its exemplars.
pub fn reference(vectors: &[Vec<f32>]) -> Vec<f32> {
	let mut mean = vec![0f64; vectors.first().map_or(0, Vec::len)];
	for vector in vectors {
		for (sum, value) in mean.iter_mut().zip(vector) {
			*sum += *value as f64;
		}
	}
	mean.into_iter().map(|sum| (sum / vectors.len().max(1) as f64) as f32).collect()
}

/// A style's reference from `count` generated exemplars of colour `class`, drawn from `seed`.
pub fn exemplar_reference(
	generator: &EyeGenerator,
	critic: &StyleCritic,
	class: usize,
	seed: u64,
	count: u64,
	device: &Device,
) -> Result<Vec<f32>> {
	let exemplars = quantized_batch(&generator.generate(seed, 0..count, class, device)?).map_err(candle_core::Error::wrap)?;
	Ok(reference(&style_vectors(critic, &exemplars)?))
}

fn norm(vector: impl Iterator<Item = f64>) -> f64 {
	vector.map(|v| v * v).sum::<f64>().sqrt()
}

/// The deviation of a style vector from a reference, in [0, 1].
pub fn deviation(vector: &[f32], reference: &[f32]) -> f64 {
	let scale = norm(vector.iter().map(|v| *v as f64)) + norm(reference.iter().map(|r| *r as f64));
	if scale == 0.0 {
		return 0.0
	}
	norm(vector.iter().zip(reference).map(|(v, r)| *v as f64 - *r as f64)) / scale
}

/// A deviation in parts per million, as the chain receives it.
pub fn to_permill(deviation: f64) -> u32 {
	(deviation.clamp(0.0, 1.0) * 1_000_000.0).round() as u32
}

/// A reference vector as the chain stores it.
pub fn to_fixed_point(vector: &[f32]) -> Vec<i32> {
	vector.iter().map(|v| (*v as f64 * FIXED_POINT_SCALE).round() as i32).collect()
}

/// A reference vector read back from the chain.
pub fn from_fixed_point(vector: &[i32]) -> Vec<f32> {
	vector.iter().map(|v| (*v as f64 / FIXED_POINT_SCALE) as f32).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn deviation_is_zero_for_identical_vectors_and_at_most_one() {
		let a = vec![0.5, 1.0, 2.0];
		assert_eq!(deviation(&a, &a), 0.0);
		assert!((deviation(&a, &[0.0, 0.0, 0.0]) - 1.0).abs() < 1e-12);
		let opposite: Vec<f32> = a.iter().map(|v| -v).collect();
		assert!((deviation(&a, &opposite) - 1.0).abs() < 1e-12);
		assert_eq!(deviation(&[0.0], &[0.0]), 0.0);
		assert!(deviation(&a, &[0.5, 1.0, 2.2]) < 0.05);
	}

	#[test]
	fn grey_has_no_palette_and_red_a_red_one() {
		let device = candle_core::Device::Cpu;
		let grey = Tensor::full(0.2f32, (1, 3, 4, 4), &device).unwrap();
		let grey_palette: Vec<f32> = palette(&grey).unwrap().flatten_all().unwrap().to_vec1().unwrap();
		assert!(grey_palette.iter().all(|c| c.abs() < 1e-4), "{grey_palette:?}");
		let red = Tensor::cat(&[Tensor::ones((1, 1, 4, 4), candle_core::DType::F32, &device).unwrap(), (Tensor::ones((1, 2, 4, 4), candle_core::DType::F32, &device).unwrap() * -1.0).unwrap()], 1).unwrap();
		let red_palette: Vec<f32> = palette(&red).unwrap().flatten_all().unwrap().to_vec1().unwrap();
		let weight = PALETTE_WEIGHT as f32;
		let expected = [1.0 / 2f32.sqrt(), 1.0 / 6f32.sqrt()].map(|c| c * weight);
		for (found, expected) in red_palette.iter().zip(expected.iter().chain(expected.iter())) {
			assert!((found - expected).abs() < 1e-3, "{red_palette:?}");
		}
	}

	#[test]
	fn the_reference_is_the_mean_and_survives_the_trip_through_fixed_point() {
		let reference = reference(&[vec![1.0, 0.0], vec![3.0, 1.0]]);
		assert_eq!(reference, vec![2.0, 0.5]);
		assert_eq!(to_fixed_point(&reference), vec![2_000_000, 500_000]);
		assert_eq!(from_fixed_point(&to_fixed_point(&reference)), reference);
		assert_eq!(to_permill(0.1234564), 123_456);
		assert_eq!(to_permill(1.5), 1_000_000);
	}
}
