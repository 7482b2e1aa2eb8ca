//! The style-deviation index: the same number on every worker for the same image and style.
//!
//! An image's **style vector** has 64 components: the root-mean-square activation of each
//! channel (the square root of the Gram matrix's diagonal) at the ends of EfficientNet-Lite0's
//! stages 2 (24 channels, 32×32 for a 128×128 image) and 3 (40 channels, 16×16). A style's
//! **reference vector** is the mean of its exemplars' style vectors. The **deviation** of an
//! image from a style is `‖v − r‖ / (‖v‖ + ‖r‖)`: 0 for identical statistics, never above 1;
//! the chain receives it in parts per million, and the reference as integers in units of
//! 10⁻⁶ (`studio_primitives::STYLE_VECTOR_SCALE`).

use crate::inference::style_critic::{gram_diagonal_roots, StyleCritic};
use candle_core::{Result, Tensor};

/// Components of a style vector.
pub const STYLE_DIMENSIONS: usize = 64;
/// Units per 1.0 of a style vector's fixed-point components on chain.
pub const FIXED_POINT_SCALE: f64 = 1_000_000.0;

/// The style vectors of images (n × 3 × h × w in [−1, 1]): n rows of [`STYLE_DIMENSIONS`].
pub fn style_vectors(critic: &StyleCritic, images: &Tensor) -> Result<Vec<Vec<f32>>> {
	let taps = critic.features(images)?;
	let roots = taps.iter().map(gram_diagonal_roots).collect::<Result<Vec<_>>>()?;
	Tensor::cat(&roots, 1)?.to_vec2()
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
	fn the_reference_is_the_mean_and_survives_the_trip_through_fixed_point() {
		let reference = reference(&[vec![1.0, 0.0], vec![3.0, 1.0]]);
		assert_eq!(reference, vec![2.0, 0.5]);
		assert_eq!(to_fixed_point(&reference), vec![2_000_000, 500_000]);
		assert_eq!(from_fixed_point(&to_fixed_point(&reference)), reference);
		assert_eq!(to_permill(0.1234564), 123_456);
		assert_eq!(to_permill(1.5), 1_000_000);
	}
}
