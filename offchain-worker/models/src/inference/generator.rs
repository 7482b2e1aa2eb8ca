//! The default generator: a class-conditional DCGAN of painted eyes (OmniArt).
//!
//! Input: 100 latent values and a one-hot of 8 colour classes, as 108 channels of 1×1.
//! Five transposed convolutions with batch norm and ReLU take it to 64 channels of 64×64, a
//! last transposed convolution and tanh to 3 channels of 128×128 in [−1, 1]. The weights are
//! `main.{0,4,7,10,13,16}.weight` (the convolutions, no bias) and `main.{1,5,8,11,14}.*` (the
//! batch norms); the gaps are ReLU and a dropout layer that inference skips.
//!
//! The transposed convolutions run as one matrix product each plus a scatter, not as candle's
//! direct `conv_transpose2d` loop (`docs/performance.md`): `columns = Wᵀ · x` gives, for every
//! input pixel, its 4×4 patch of contributions to every output channel; output pixel
//! `(2m + a, 2j + b)` of a stride-2, padding-1 layer then sums the patch entries of kernel rows
//! `[1, 3]` (a = 0, from input rows m and m − 1) or `[0, 2]` (a = 1, rows m + 1 and m), and
//! the same for columns. The batch norms are folded into the weights and a bias at load. On the
//! CPU a group of images goes through one product with the `gemm` crate (the early layers' large
//! weights read once per group, not per image), then each output plane is gathered row by row
//! from the patches with the bias and activation fused (col2im); elsewhere candle's ops take the
//! whole batch (four shifted slices per output phase, interleaved).

use super::{
	conv::{contiguous_f32, cpu_values, matrix_product, sum_of_terms, Activation},
	simd,
};
use candle_core::{CpuStorage, CustomOp1, DType, Layout, Result, Shape, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;

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

/// The columns a layer's matrix product aims at on the CPU ([`images_per_product`]).
const COLUMNS_PER_PRODUCT: usize = 256;

/// The output planes a scatter aims at on the CPU ([`images_per_product`]).
const PLANES_PER_SCATTER: usize = 16;

/// The batch norms' ε (PyTorch's default).
const EPSILON: f64 = 1e-5;

/// For output phase 0 and 1 of a stride-2, padding-1 layer: (kernel row, offset into the
/// columns padded by one) of its two contributions.
const PHASE_TAPS: [[(usize, usize); 2]; 2] = [[(1, 1), (3, 0)], [(0, 2), (2, 1)]];

/// A 4×4 transposed convolution as a matrix product, its batch norm folded in, then its
/// activation.
#[derive(Debug)]
struct TransposedConv {
	/// The weights as an (out·16 × in) matrix, rows ordered (out, kernel row, kernel column).
	weights: Tensor,
	/// [out]: the folded norm's shift (zero without a norm).
	bias: Tensor,
	outputs: usize,
	activation: Activation,
}

impl TransposedConv {
	/// From PyTorch's layout of the weights (in × out × 4 × 4) and the batch norm that follows
	/// (γ, β, running mean μ and variance σ²): the weights scaled by `γ/√(σ²+ε)` per output, the
	/// bias `β − μ·γ/√(σ²+ε)`.
	fn new(weight: &Tensor, norm: Option<VarBuilder>, activation: Activation) -> Result<Self> {
		let (inputs, outputs, _, _) = weight.dims4()?;
		let (weight, bias) = match norm {
			Some(norm) => {
				let scale = (norm.get(outputs, "weight")? / (norm.get(outputs, "running_var")? + EPSILON)?.sqrt()?)?;
				let bias = (norm.get(outputs, "bias")? - (norm.get(outputs, "running_mean")? * &scale)?)?;
				(weight.broadcast_mul(&scale.reshape((1, outputs, 1, 1))?)?, bias)
			},
			None => (weight.clone(), Tensor::zeros(outputs, weight.dtype(), weight.device())?),
		};
		let weights = weight.reshape((inputs, outputs * 16))?.t()?.contiguous()?;
		Ok(Self { weights, bias, outputs, activation })
	}

	/// 1×1 to 4×4 (`doubles` false: stride 1, no padding) or double the side (stride 2,
	/// padding 1), with the bias and activation.
	fn forward(&self, x: &Tensor, doubles: bool) -> Result<Tensor> {
		if !(x.device().is_cpu() && self.weights.device().is_cpu() && self.weights.dtype() == DType::F32) {
			let y = if doubles { self.double(x)? } else { self.project(x)? };
			return self.activation.apply(&y.broadcast_add(&self.bias.reshape((1, self.outputs, 1, 1))?)?)
		}
		let (weight_storage, weight_layout) = self.weights.storage_and_layout();
		let (bias_storage, bias_layout) = self.bias.storage_and_layout();
		let op = CpuTransposedConv {
			weights: cpu_values(&weight_storage, weight_layout)?,
			bias: cpu_values(&bias_storage, bias_layout)?,
			outputs: self.outputs,
			doubles,
			activation: self.activation,
		};
		x.contiguous()?.apply_op1_no_bwd(&op)
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
		let tap = &tap;
		let phase = |a: usize, b: usize| {
			sum_of_terms(PHASE_TAPS[a].into_iter().flat_map(|row| PHASE_TAPS[b].into_iter().map(move |column| tap(row, column))))
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
	layers: Vec<TransposedConv>,
}

impl EyeGenerator {
	/// Loads the generator from its weights (`main.*`).
	pub fn load(vb: VarBuilder) -> Result<Self> {
		let vb = vb.pp("main");
		let layers = LAYERS
			.iter()
			.map(|&(index, inputs, outputs, norm)| {
				let weight = vb.pp(index).get((inputs, outputs, 4, 4), "weight")?;
				let activation = if norm.is_some() { Activation::Relu } else { Activation::Tanh };
				TransposedConv::new(&weight, norm.map(|index| vb.pp(index)), activation)
			})
			.collect::<Result<_>>()?;
		Ok(Self { layers })
	}

	/// Generates images from `latents` (n × 100) and one-hot `classes` (n × 8): n × 3 × 128 ×
	/// 128 in [−1, 1]. Each image's arithmetic is the same whatever the batch and the thread
	/// count, so a verifier re-making one candidate alone gets its exact pixels.
	pub fn forward(&self, latents: &Tensor, classes: &Tensor) -> Result<Tensor> {
		let batch = latents.dim(0)?;
		let dtype = self.dtype();
		let mut x = Tensor::cat(&[latents, classes], 1)?.to_dtype(dtype)?.reshape((batch, LATENT_SIZE + CLASSES.len(), 1, 1))?;
		for (index, conv) in self.layers.iter().enumerate() {
			x = conv.forward(&x, index > 0)?;
		}
		x.to_dtype(DType::F32)
	}

	/// The type its weights and activations are held in.
	pub fn dtype(&self) -> DType {
		self.layers[0].weights.dtype()
	}

	/// The generator with its weights (batch norms folded in) and activations in `dtype`:
	/// bf16 or f16 halve the memory a batch takes and, on a GPU, run its matrix products on
	/// the tensor cores. Such a generator runs candle's ops on every device (the CPU kernel is
	/// f32's) and still returns f32 images. For throughput only: a design is made in f32,
	/// which a verifier re-makes exactly (`docs/verification.md`).
	pub fn to_dtype(&self, dtype: DType) -> Result<Self> {
		let layers = self
			.layers
			.iter()
			.map(|layer| {
				Ok(TransposedConv {
					weights: layer.weights.to_dtype(dtype)?,
					bias: layer.bias.to_dtype(dtype)?,
					outputs: layer.outputs,
					activation: layer.activation,
				})
			})
			.collect::<Result<_>>()?;
		Ok(Self { layers })
	}
}

/// [`TransposedConv::forward`] on the CPU: per group of images ([`images_per_product`]), `Wᵀ · x`
/// with the `gemm` crate, then each output plane (in parallel) gathered from its patches
/// ([`gather_doubled`]) and put through the activation.
struct CpuTransposedConv<'a> {
	weights: &'a [f32],
	bias: &'a [f32],
	outputs: usize,
	doubles: bool,
	activation: Activation,
}

impl CustomOp1 for CpuTransposedConv<'_> {
	fn name(&self) -> &'static str {
		"studio-transposed-conv"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let input = contiguous_f32(storage, layout)?;
		let (batch, inputs, height, width) = layout.shape().dims4()?;
		let rows = self.outputs * 16;
		if self.weights.len() != rows * inputs {
			candle_core::bail!("a transposed convolution of {} weights given {inputs} channels", self.weights.len())
		}
		if !self.doubles && (height, width) != (1, 1) {
			candle_core::bail!("the generator's first layer takes 1×1 inputs, got {width}×{height}")
		}
		let (out_height, out_width) = if self.doubles { (2 * height, 2 * width) } else { (4, 4) };
		let (pixels, plane) = (height * width, out_height * out_width);
		let group = images_per_product(pixels, self.outputs).min(batch.max(1));
		// A product of one column would take `gemm`'s matrix-vector path, whose sums run in
		// another order: a lone 1×1 image gets a zero column beside it.
		let width_of = |images: usize| (images * pixels).max(2);
		// Large images need no company in the product: each is multiplied alone, into its
		// columns of the group's buffer.
		let gathers = pixels < COLUMNS_PER_PRODUCT;
		let mut output = vec![0f32; batch * self.outputs * plane];
		let mut columns = vec![0f32; rows * width_of(group)];
		let mut gathered = vec![0f32; if gathers { inputs * width_of(group) } else { 0 }];
		for (first, out) in (0..batch).step_by(group).zip(output.chunks_mut(group * self.outputs * plane)) {
			let images = out.len() / (self.outputs * plane);
			let n = width_of(images);
			let input = &input[first * inputs * pixels..][..images * inputs * pixels];
			// `Wᵀ · x` into `columns` (rows × n) from x's `pixels` columns at `x`, `x_row` apart,
			// written from `column` on.
			let mut product = |x: &[f32], x_row: usize, pixels: usize, column: usize| {
				// SAFETY: the weights are rows × inputs and x inputs × pixels (rows `x_row`
				// apart), all row-major; `columns` holds rows × n and column + pixels ≤ n.
				unsafe {
					matrix_product(
						(rows, pixels, inputs),
						(columns[column..].as_mut_ptr(), n),
						(self.weights.as_ptr(), inputs),
						(x.as_ptr(), x_row),
						gemm::Parallelism::Rayon(rayon::current_num_threads()),
					);
				}
			};
			if gathers {
				// The group's images side by side: inputs × (image, pixel).
				let gathered = &mut gathered[..inputs * n];
				if n > images * pixels {
					gathered.fill(0.0);
				}
				for (image, values) in input.chunks_exact(inputs * pixels).enumerate() {
					for (channel, values) in values.chunks_exact(pixels).enumerate() {
						gathered[channel * n + image * pixels..][..pixels].copy_from_slice(values);
					}
				}
				product(gathered, n, n, 0);
			} else {
				for (image, values) in input.chunks_exact(inputs * pixels).enumerate() {
					product(values, pixels, pixels, image * pixels);
				}
			}
			let columns = &columns[..rows * n];
			out.par_chunks_mut(plane).enumerate().for_each(|(index, out)| {
				let (image, channel) = (index / self.outputs, index % self.outputs);
				let patches: [&[f32]; 16] = std::array::from_fn(|tap| &columns[(channel * 16 + tap) * n + image * pixels..][..pixels]);
				simd::best().run(#[inline(always)] || {
					if self.doubles {
						gather_doubled(out, self.bias[channel], &patches, height, width);
					} else {
						for (value, patch) in out.iter_mut().zip(patches) {
							*value = self.bias[channel] + patch[0];
						}
					}
					self.activation.apply_cpu(out);
				})
			});
		}
		Ok((CpuStorage::F32(output), Shape::from((batch, self.outputs, out_height, out_width))))
	}
}

/// One output plane (2·`height` × 2·`width`) of a stride-2, padding-1 layer: its bias plus the
/// patches of every input pixel (`patches[kernel row · 4 + kernel column]`, each `height` ×
/// `width`), gathered by output row. Output row 2m takes kernel row 1 at input row m and 3 at
/// m − 1; row 2m + 1 takes kernel row 0 at m + 1 and 2 at m; the columns the same way. Each
/// output row is so a sum of contiguous input rows for its even and its odd columns, then
/// interleaved.
#[inline(always)]
fn gather_doubled(out: &mut [f32], bias: f32, patches: &[&[f32]; 16], height: usize, width: usize) {
	let add = |into: &mut [f32], values: &[f32]| into.iter_mut().zip(values).for_each(|(sum, value)| *sum += value);
	let (mut even, mut odd) = (vec![0f32; width], vec![0f32; width]);
	for (y, out_row) in out.chunks_exact_mut(2 * width).enumerate() {
		let m = y / 2;
		let rows = if y % 2 == 0 { [(1, Some(m)), (3, m.checked_sub(1))] } else { [(0, Some(m + 1).filter(|row| *row < height)), (2, Some(m))] };
		even.fill(bias);
		odd.fill(bias);
		for (kernel_row, input_row) in rows {
			let Some(input_row) = input_row else { continue };
			let tap = |kernel_column: usize| &patches[kernel_row * 4 + kernel_column][input_row * width..][..width];
			// Even column 2j: kernel column 1 at input column j, 3 at j − 1.
			add(&mut even, tap(1));
			add(&mut even[1..], &tap(3)[..width - 1]);
			// Odd column 2j + 1: kernel column 0 at j + 1, 2 at j.
			add(&mut odd[..width - 1], &tap(0)[1..]);
			add(&mut odd, tap(2));
		}
		for ((pair, even), odd) in out_row.chunks_exact_mut(2).zip(&even).zip(&odd) {
			pair[0] = *even;
			pair[1] = *odd;
		}
	}
}

/// How many images of `pixels` and `outputs` channels share one matrix product: enough that the
/// product has about [`COLUMNS_PER_PRODUCT`] columns, so that the early layers' weights (up to 32
/// MiB) are read once per group rather than once per image, and that the scatter has at least
/// [`PLANES_PER_SCATTER`] planes to share among the threads (the last layer has three per
/// image). Each column's sums run in the same order whatever the group (`gemm` blocks the inner
/// dimension by its length and the caches alone), so an image's pixels do not depend on its
/// batch.
fn images_per_product(pixels: usize, outputs: usize) -> usize {
	(COLUMNS_PER_PRODUCT / pixels).max(PLANES_PER_SCATTER.div_ceil(outputs)).max(1)
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

	/// The matrix-product forms (the CPU kernel and candle's ops) compute what candle's direct
	/// transposed convolution does, followed by the norm and activation.
	#[test]
	fn transposed_convolutions_as_matrix_products_match_candles_direct_loop() {
		let device = Device::Cpu;
		let weight = Tensor::randn(0f32, 1.0, (6, 5, 4, 4), &device).unwrap();
		let weights = VarMap::new();
		let norm = VarBuilder::from_varmap(&weights, DType::F32, &device);
		for (name, init) in [("weight", 1.5), ("bias", 0.25), ("running_mean", -0.5), ("running_var", 2.0)] {
			norm.get_with_hints(5, name, candle_nn::Init::Const(init)).unwrap();
		}
		let conv = TransposedConv::new(&weight, Some(norm), Activation::Tanh).unwrap();
		let folded = |y: Tensor| ((((y + 0.5).unwrap() * (1.5 / (2.0f64 + EPSILON).sqrt())).unwrap() + 0.25).unwrap()).tanh().unwrap();
		let apart = |a: Tensor, b: Tensor| -> f32 {
			assert_eq!(a.dims(), b.dims());
			(a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar().unwrap()
		};
		let point = Tensor::randn(0f32, 1.0, (3, 6, 1, 1), &device).unwrap();
		let direct = folded(point.conv_transpose2d(&weight, 0, 0, 1, 1).unwrap());
		assert!(apart(conv.forward(&point, false).unwrap(), direct.clone()) < 1e-4);
		let with_ops = conv.activation.apply(&conv.project(&point).unwrap().broadcast_add(&conv.bias.reshape((1, 5, 1, 1)).unwrap()).unwrap()).unwrap();
		assert!(apart(with_ops, direct) < 1e-4);
		let image = Tensor::randn(0f32, 1.0, (3, 6, 5, 7), &device).unwrap();
		let direct = folded(image.conv_transpose2d(&weight, 1, 0, 2, 1).unwrap());
		assert!(apart(conv.forward(&image, true).unwrap(), direct.clone()) < 1e-4);
		let with_ops = conv.activation.apply(&conv.double(&image).unwrap().broadcast_add(&conv.bias.reshape((1, 5, 1, 1)).unwrap()).unwrap()).unwrap();
		assert!(apart(with_ops, direct) < 1e-4);
	}

	/// An image's pixels do not depend on the batch it is made in nor on the thread count: a
	/// verifier re-makes one candidate alone.
	#[test]
	fn an_image_is_the_same_alone_in_a_batch_and_on_any_number_of_threads() {
		let device = Device::Cpu;
		let weights = VarMap::new();
		let vb = VarBuilder::from_varmap(&weights, DType::F32, &device);
		// Random weights of a realistic scale (a zero-initialised norm would make every image
		// the bias alone).
		for &(index, inputs, outputs, norm) in &LAYERS {
			vb.pp("main").pp(index).get_with_hints((inputs, outputs, 4, 4), "weight", candle_nn::Init::Randn { mean: 0.0, stdev: 0.05 }).unwrap();
			if let Some(norm) = norm {
				vb.pp("main").pp(norm).get_with_hints(outputs, "weight", candle_nn::Init::Const(1.0)).unwrap();
				vb.pp("main").pp(norm).get_with_hints(outputs, "running_var", candle_nn::Init::Const(1.0)).unwrap();
			}
		}
		let generator = EyeGenerator::load(vb).unwrap();
		// 20 images: the products group them unevenly (16 + 4 in the second layer, 6 + 6 + 6 + 2
		// in the last).
		let latents = Tensor::randn(0f32, 1.0, (20, LATENT_SIZE), &device).unwrap();
		let classes = one_hot(&(0..20).map(|image| image % CLASSES.len()).collect::<Vec<_>>(), &device).unwrap();
		let run = |threads, latents: &Tensor, classes: &Tensor| {
			let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
			pool.install(|| generator.forward(latents, classes).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap())
		};
		let batch = run(2, &latents, &classes);
		let plane = 3 * IMAGE_SIDE * IMAGE_SIDE;
		for image in [2, 17] {
			let alone = run(1, &latents.narrow(0, image, 1).unwrap(), &classes.narrow(0, image, 1).unwrap());
			assert_eq!(&batch[image * plane..][..plane], &alone[..], "image {image}");
		}
		let three = run(2, &latents.narrow(0, 15, 3).unwrap(), &classes.narrow(0, 15, 3).unwrap());
		assert_eq!(&batch[15 * plane..][..3 * plane], &three[..]);
		assert_eq!(batch, run(3, &latents, &classes));
		assert!(batch.iter().any(|v| v.abs() > 1e-3));
	}
}
