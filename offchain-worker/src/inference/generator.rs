//! The default generator: a class-conditional DCGAN of painted eyes (OmniArt).
//!
//! Input: 100 latent values and a one-hot of 8 colour classes, as 108 channels of 1×1.
//! Five transposed convolutions with batch norm and ReLU take it to 64 channels of 64×64, a
//! last transposed convolution and tanh to 3 channels of 128×128 in [−1, 1]. The weights are
//! `main.{0,4,7,10,13,16}.weight` (the convolutions, no bias) and `main.{1,5,8,11,14}.*` (the
//! batch norms); the gaps are ReLU and a dropout layer that inference skips.
//!
//! The transposed convolutions run as one matrix product each plus a cheap scatter, not as
//! candle's direct `conv_transpose2d` loop (`docs/performance.md`): `columns = Wᵀ · x` gives,
//! for every input pixel, its 4×4 patch of contributions to every output channel; output pixel
//! `(2m + a, 2j + b)` of a stride-2, padding-1 layer then sums the patch entries of kernel rows
//! `[1, 3]` (a = 0, from input rows m and m − 1) or `[0, 2]` (a = 1, rows m + 1 and m), and
//! the same for columns: four shifted slices per output phase, and the phases interleave.

use candle_core::{DType, ModuleT, Result, Tensor};
use candle_nn::{batch_norm, BatchNorm, BatchNormConfig, VarBuilder};

/// Length of the latent vector.
pub const LATENT_SIZE: usize = 100;
/// The colour classes the generator is conditioned on, in the order of its one-hot input.
pub const CLASSES: [&str; 8] = ["amber", "blue", "brown", "gray", "grayscale", "green", "hazel", "red"];
/// Side of the square output, in pixels.
pub const IMAGE_SIDE: usize = 128;

/// The transposed convolutions (4×4, no bias): (weight index, in, out), and the batch norm
/// that follows each but the last. The first takes 1×1 to 4×4 (stride 1, no padding), the
/// others double the side (stride 2, padding 1).
const LAYERS: [(usize, usize, usize, Option<usize>); 6] = [
	(0, LATENT_SIZE + CLASSES.len(), 1024, Some(1)),
	(4, 1024, 512, Some(5)),
	(7, 512, 256, Some(8)),
	(10, 256, 128, Some(11)),
	(13, 128, 64, Some(14)),
	(16, 64, 3, None),
];

/// Images generated at a time on a CPU (1 and 4 measured alike on 2 cores, within noise:
/// `docs/performance.md`).
const CPU_CHUNK: usize = 1;

/// For output phase 0 and 1 of a stride-2, padding-1 layer: (kernel row, offset into the
/// columns padded by one) of its two contributions.
const PHASE_TAPS: [[(usize, usize); 2]; 2] = [[(1, 1), (3, 0)], [(0, 2), (2, 1)]];

/// A 4×4 transposed convolution as a matrix product.
#[derive(Debug)]
struct TransposedConv {
	/// The weights as an (out·16 × in) matrix, rows ordered (out, kernel row, kernel column).
	weights: Tensor,
	outputs: usize,
}

impl TransposedConv {
	/// From PyTorch's layout of the weights: in × out × 4 × 4.
	fn new(weight: &Tensor) -> Result<Self> {
		let (inputs, outputs, _, _) = weight.dims4()?;
		Ok(Self { weights: weight.reshape((inputs, outputs * 16))?.t()?.contiguous()?, outputs })
	}

	/// The 4×4 patch every input pixel contributes: out × 4 × 4 × n × h × w (the batch joins
	/// the matrix product's columns, so the weights are read once per batch).
	fn columns(&self, x: &Tensor) -> Result<Tensor> {
		let (batch, inputs, height, width) = x.dims4()?;
		let x = x.transpose(0, 1)?.reshape((inputs, batch * height * width))?;
		self.weights.matmul(&x)?.reshape((self.outputs, 4, 4, batch, height, width))
	}

	/// 1×1 to 4×4 (stride 1, no padding): the patch is the output.
	fn project(&self, x: &Tensor) -> Result<Tensor> {
		let batch = x.dim(0)?;
		self.columns(x)?.reshape((self.outputs, 4, 4, batch))?.permute((3, 0, 1, 2))?.contiguous()
	}

	/// Doubles the side (stride 2, padding 1).
	fn double(&self, x: &Tensor) -> Result<Tensor> {
		let (batch, _, height, width) = x.dims4()?;
		let columns = self.columns(x)?.pad_with_zeros(4, 1, 1)?.pad_with_zeros(5, 1, 1)?;
		let tap = |(row, row_offset): (usize, usize), (column, column_offset): (usize, usize)| {
			columns
				.narrow(1, row, 1)?
				.narrow(2, column, 1)?
				.narrow(4, row_offset, height)?
				.narrow(5, column_offset, width)?
				.reshape((self.outputs, batch, height, width))
		};
		let phase = |a: usize, b: usize| -> Result<Tensor> {
			let mut sum: Option<Tensor> = None;
			for row in PHASE_TAPS[a] {
				for column in PHASE_TAPS[b] {
					let term = tap(row, column)?;
					sum = Some(match sum {
						Some(sum) => (sum + term)?,
						None => term,
					});
				}
			}
			Ok(sum.expect("four terms"))
		};
		let top = Tensor::stack(&[phase(0, 0)?, phase(0, 1)?], 4)?;
		let bottom = Tensor::stack(&[phase(1, 0)?, phase(1, 1)?], 4)?;
		Tensor::stack(&[top, bottom], 3)?
			.reshape((self.outputs, batch, 2 * height, 2 * width))?
			.transpose(0, 1)?
			.contiguous()
	}
}

/// The eye generator.
#[derive(Debug)]
pub struct EyeGenerator {
	layers: Vec<(TransposedConv, Option<BatchNorm>)>,
}

impl EyeGenerator {
	/// Loads the generator from its weights (`main.*`).
	pub fn load(vb: VarBuilder) -> Result<Self> {
		let vb = vb.pp("main");
		let layers = LAYERS
			.iter()
			.map(|&(index, inputs, outputs, norm)| {
				let conv = TransposedConv::new(&vb.pp(index).get((inputs, outputs, 4, 4), "weight")?)?;
				let norm = norm
					.map(|index| batch_norm(outputs, BatchNormConfig::default(), vb.pp(index)))
					.transpose()?;
				Ok((conv, norm))
			})
			.collect::<Result<_>>()?;
		Ok(Self { layers })
	}

	/// Generates images from `latents` (n × 100) and one-hot `classes` (n × 8): n × 3 × 128 ×
	/// 128 in [−1, 1]. On a CPU it runs [`CPU_CHUNK`] images at a time: the scatter of the
	/// transposed convolutions is bound by memory, and a small chunk's columns stay in cache.
	/// A GPU takes the whole batch.
	pub fn forward(&self, latents: &Tensor, classes: &Tensor) -> Result<Tensor> {
		let batch = latents.dim(0)?;
		let chunk = if latents.device().is_cpu() { CPU_CHUNK } else { batch.max(1) };
		let chunks = (0..batch)
			.step_by(chunk)
			.map(|start| {
				let size = chunk.min(batch - start);
				self.forward_chunk(&latents.narrow(0, start, size)?, &classes.narrow(0, start, size)?)
			})
			.collect::<Result<Vec<_>>>()?;
		Tensor::cat(&chunks, 0)
	}

	fn forward_chunk(&self, latents: &Tensor, classes: &Tensor) -> Result<Tensor> {
		let batch = latents.dim(0)?;
		let mut x = Tensor::cat(&[latents, classes], 1)?.reshape((batch, LATENT_SIZE + CLASSES.len(), 1, 1))?;
		for (index, (conv, norm)) in self.layers.iter().enumerate() {
			x = if index == 0 { conv.project(&x)? } else { conv.double(&x)? };
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

	/// The matrix-product form computes what candle's direct transposed convolution does.
	#[test]
	fn transposed_convolutions_as_matrix_products_match_candles_direct_loop() {
		let device = Device::Cpu;
		let weight = Tensor::randn(0f32, 1.0, (6, 5, 4, 4), &device).unwrap();
		let conv = TransposedConv::new(&weight).unwrap();
		let apart = |a: Tensor, b: Tensor| -> f32 {
			assert_eq!(a.dims(), b.dims());
			(a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar().unwrap()
		};
		let point = Tensor::randn(0f32, 1.0, (3, 6, 1, 1), &device).unwrap();
		assert!(apart(conv.project(&point).unwrap(), point.conv_transpose2d(&weight, 0, 0, 1, 1).unwrap()) < 1e-4);
		let image = Tensor::randn(0f32, 1.0, (3, 6, 5, 7), &device).unwrap();
		assert!(apart(conv.double(&image).unwrap(), image.conv_transpose2d(&weight, 1, 0, 2, 1).unwrap()) < 1e-4);
	}
}
