//! The default generator: a class-conditional DCGAN of painted eyes (OmniArt).
//!
//! Input: 100 latent values and a one-hot of 8 colour classes, as 108 channels of 1×1.
//! Five transposed convolutions with batch norm and ReLU take it to 64 channels of 64×64, a
//! last transposed convolution and tanh to 3 channels of 128×128 in [−1, 1]. The weights are
//! `main.{0,4,7,10,13,16}.weight` (the convolutions, no bias) and `main.{1,5,8,11,14}.*` (the
//! batch norms); the gaps are ReLU and a dropout layer that inference skips.

use candle_core::{DType, Module, ModuleT, Result, Tensor};
use candle_nn::{
	batch_norm, conv_transpose2d_no_bias, BatchNorm, BatchNormConfig, ConvTranspose2d,
	ConvTranspose2dConfig, VarBuilder,
};

/// Length of the latent vector.
pub const LATENT_SIZE: usize = 100;
/// The colour classes the generator is conditioned on, in the order of its one-hot input.
pub const CLASSES: [&str; 8] = ["amber", "blue", "brown", "gray", "grayscale", "green", "hazel", "red"];
/// Side of the square output, in pixels.
pub const IMAGE_SIDE: usize = 128;

/// The transposed convolutions: (weight index, in, out, stride, padding), and the batch norm
/// that follows each but the last.
const LAYERS: [(usize, usize, usize, usize, usize, Option<usize>); 6] = [
	(0, LATENT_SIZE + CLASSES.len(), 1024, 1, 0, Some(1)),
	(4, 1024, 512, 2, 1, Some(5)),
	(7, 512, 256, 2, 1, Some(8)),
	(10, 256, 128, 2, 1, Some(11)),
	(13, 128, 64, 2, 1, Some(14)),
	(16, 64, 3, 2, 1, None),
];

/// The eye generator.
#[derive(Debug)]
pub struct EyeGenerator {
	layers: Vec<(ConvTranspose2d, Option<BatchNorm>)>,
}

impl EyeGenerator {
	/// Loads the generator from its weights (`main.*`).
	pub fn load(vb: VarBuilder) -> Result<Self> {
		let vb = vb.pp("main");
		let layers = LAYERS
			.iter()
			.map(|&(index, inputs, outputs, stride, padding, norm)| {
				let config = ConvTranspose2dConfig { padding, output_padding: 0, stride, dilation: 1 };
				let conv = conv_transpose2d_no_bias(inputs, outputs, 4, config, vb.pp(index))?;
				let norm = norm
					.map(|index| batch_norm(outputs, BatchNormConfig::default(), vb.pp(index)))
					.transpose()?;
				Ok((conv, norm))
			})
			.collect::<Result<_>>()?;
		Ok(Self { layers })
	}

	/// Generates images from `latents` (n × 100) and one-hot `classes` (n × 8): n × 3 × 128 ×
	/// 128 in [−1, 1].
	pub fn forward(&self, latents: &Tensor, classes: &Tensor) -> Result<Tensor> {
		let batch = latents.dim(0)?;
		let mut x = Tensor::cat(&[latents, classes], 1)?.reshape((batch, LATENT_SIZE + CLASSES.len(), 1, 1))?;
		for (conv, norm) in &self.layers {
			x = conv.forward(&x)?;
			x = match norm {
				Some(norm) => norm.forward_t(&x, false)?.relu()?,
				None => x.tanh()?,
			};
		}
		Ok(x)
	}
}

impl EyeGenerator {
	/// Generates candidates `candidates` of a job seeded with `seed`, all of colour class
	/// `class` (an index into [`CLASSES`]).
	pub fn generate(
		&self,
		seed: u64,
		candidates: std::ops::Range<u64>,
		class: usize,
		device: &candle_core::Device,
	) -> Result<Tensor> {
		let count = candidates.end.saturating_sub(candidates.start) as usize;
		self.forward(&super::latents::latents(seed, candidates, LATENT_SIZE, device)?, &one_hot(&vec![class; count], device)?)
	}
}

/// One-hot rows for `classes` (indices into [`CLASSES`]).
pub fn one_hot(classes: &[usize], device: &candle_core::Device) -> Result<Tensor> {
	let mut values = vec![0f32; classes.len() * CLASSES.len()];
	for (row, class) in classes.iter().enumerate() {
		values[row * CLASSES.len() + class] = 1.0;
	}
	Tensor::from_vec(values, (classes.len(), CLASSES.len()), device)?.to_dtype(DType::F32)
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;
	use candle_nn::VarMap;

	/// With random weights the shapes and the range are the generator's own: 3 × 128 × 128
	/// in [−1, 1].
	#[test]
	fn a_random_generator_makes_images_of_the_right_shape_and_range() {
		let device = Device::Cpu;
		let weights = VarMap::new();
		let generator = EyeGenerator::load(VarBuilder::from_varmap(&weights, DType::F32, &device)).unwrap();
		let latents = Tensor::randn(0f32, 1.0, (2, LATENT_SIZE), &device).unwrap();
		let images = generator.forward(&latents, &one_hot(&[0, 7], &device).unwrap()).unwrap();
		assert_eq!(images.dims(), &[2, 3, IMAGE_SIDE, IMAGE_SIDE]);
		let values: Vec<f32> = images.flatten_all().unwrap().to_vec1().unwrap();
		assert!(values.iter().all(|v| (-1.0..=1.0).contains(v)));
	}
}
