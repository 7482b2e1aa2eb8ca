//! Depthwise convolutions (one k×k filter per channel) with zero padding, a bias and an
//! activation, in one pass on the CPU.
//!
//! candle runs a grouped convolution as one convolution per group (huggingface/candle#3389):
//! for the critic's 96- to 240-channel depthwise layers that is hundreds of tiny im2col products
//! per image. Here each output plane is the sum of its filter's taps, each tap one
//! multiply-add of a shifted input row into the output row (padding implicit), with the bias
//! and activation applied while the plane is in cache; planes run in parallel and each plane's
//! arithmetic is fixed, so the result does not depend on the thread count.

use super::{
	conv::{contiguous_f32, cpu_values, sum_of_terms, Activation, Padding},
	simd,
};
use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// A depthwise convolution: `weight` [C, 1, k, k], `bias` [C].
#[derive(Debug)]
pub struct Depthwise {
	weight: Tensor,
	bias: Tensor,
	stride: usize,
	padding: Padding,
	activation: Activation,
}

impl Depthwise {
	pub fn new(weight: Tensor, bias: Tensor, stride: usize, padding: Padding, activation: Activation) -> Result<Self> {
		let (channels, per_group, kernel, kernel_width) = weight.dims4()?;
		if per_group != 1 || kernel != kernel_width || bias.dims() != [channels] || stride == 0 {
			candle_core::bail!("a depthwise convolution takes [C, 1, k, k] weights, a [C] bias and a stride, got {:?} and {:?}", weight.dims(), bias.dims())
		}
		Ok(Self { weight: weight.contiguous()?, bias: bias.contiguous()?, stride, padding, activation })
	}

	/// `x` [n, C, h, w] to [n, C, h', w'].
	pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
		if !(x.device().is_cpu() && self.weight.device().is_cpu()) {
			return self.forward_by_taps(x)
		}
		let (weight_storage, weight_layout) = self.weight.storage_and_layout();
		let (bias_storage, bias_layout) = self.bias.storage_and_layout();
		let op = CpuDepthwise {
			weight: cpu_values(&weight_storage, weight_layout)?,
			bias: cpu_values(&bias_storage, bias_layout)?,
			kernel: self.weight.dim(2)?,
			stride: self.stride,
			padding: self.padding,
			activation: self.activation,
		};
		x.contiguous()?.apply_op1_no_bwd(&op)
	}

	/// The same with candle's grouped convolution: the reference the other two forms are
	/// tested against.
	pub fn forward_with_ops(&self, x: &Tensor) -> Result<Tensor> {
		let (_, channels, height, width) = x.dims4()?;
		let kernel = self.weight.dim(2)?;
		let [top, bottom, left, right] = self.padding.amounts(height, width, kernel, self.stride);
		let x = x.pad_with_zeros(2, top, bottom)?.pad_with_zeros(3, left, right)?;
		let y = x.conv2d(&self.weight, 0, self.stride, 1, channels)?;
		self.activation.apply(&y.broadcast_add(&self.bias.reshape((1, channels, 1, 1))?)?)
	}

	/// The same with candle's ops as a sum over the taps: the path on a GPU. There candle's
	/// grouped convolution is one convolution per channel, each a slice, an im2col, a product
	/// and its share of the join: thousands of kernel launches per pass of the critic, whose
	/// five depthwise layers have 656 channels. Here the padded input is split once into its
	/// stride² phase planes, and each of the k² taps multiplies a shifted view of its phase by
	/// the tap's weight per channel and adds it to the sum: about 2k² + stride² launches per
	/// layer, whatever the channel count.
	pub fn forward_by_taps(&self, x: &Tensor) -> Result<Tensor> {
		let (batch, channels, height, width) = x.dims4()?;
		let (kernel, stride) = (self.weight.dim(2)?, self.stride);
		let [top, bottom, left, right] = self.padding.amounts(height, width, kernel, stride);
		let (padded_height, padded_width) = (top + height + bottom, left + width + right);
		let (out_height, out_width) = ((padded_height - kernel) / stride + 1, (padded_width - kernel) / stride + 1);
		// Padded on to whole multiples of the stride, so that a reshape splits the phases; no
		// tap reads those extra zeros.
		let (phase_height, phase_width) = (padded_height.div_ceil(stride), padded_width.div_ceil(stride));
		let x = x
			.pad_with_zeros(2, top, bottom + phase_height * stride - padded_height)?
			.pad_with_zeros(3, left, right + phase_width * stride - padded_width)?
			.reshape((batch, channels, phase_height, stride, phase_width, stride))?;
		let phases = (0..stride * stride)
			.map(|phase| x.narrow(3, phase / stride, 1)?.narrow(5, phase % stride, 1)?.squeeze(5)?.squeeze(3)?.contiguous())
			.collect::<Result<Vec<_>>>()?;
		// [k², C]: row t holds tap t's weight for every channel.
		let taps = self.weight.reshape((channels, kernel * kernel))?.t()?.contiguous()?;
		let sum = sum_of_terms((0..kernel * kernel).map(|tap| {
			let (row, column) = (tap / kernel, tap % kernel);
			phases[(row % stride) * stride + column % stride]
				.narrow(2, row / stride, out_height)?
				.narrow(3, column / stride, out_width)?
				.broadcast_mul(&taps.narrow(0, tap, 1)?.reshape((1, channels, 1, 1))?)
		}))?;
		self.activation.apply(&sum.broadcast_add(&self.bias.reshape((1, channels, 1, 1))?)?)
	}
}

struct CpuDepthwise<'a> {
	weight: &'a [f32],
	bias: &'a [f32],
	kernel: usize,
	stride: usize,
	padding: Padding,
	activation: Activation,
}

impl CustomOp1 for CpuDepthwise<'_> {
	fn name(&self) -> &'static str {
		"studio-depthwise"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let input = contiguous_f32(storage, layout)?;
		let (batch, channels, height, width) = layout.shape().dims4()?;
		let (kernel, stride) = (self.kernel, self.stride);
		if channels != self.bias.len() {
			candle_core::bail!("a depthwise convolution of {} channels given {channels}", self.bias.len())
		}
		let [top, bottom, left, right] = self.padding.amounts(height, width, kernel, stride);
		let (padded_height, padded_width) = (height + top + bottom, width + left + right);
		if padded_height < kernel || padded_width < kernel {
			candle_core::bail!("a {kernel}×{kernel} kernel over a {padded_width}×{padded_height} input")
		}
		let (out_height, out_width) = ((padded_height - kernel) / stride + 1, (padded_width - kernel) / stride + 1);
		// For each tap along x: the output columns whose input is inside, and that input's
		// first column.
		let spans: Vec<(usize, usize, usize)> = (0..kernel)
			.map(|tap| {
				let inside = |x: &usize| {
					let v = (x * stride + tap) as isize - left as isize;
					v >= 0 && v < width as isize
				};
				let first = (0..out_width).find(inside).unwrap_or(out_width);
				let last = (first..out_width).take_while(|x| inside(x)).last().map_or(first, |x| x + 1);
				(first, last, (first * stride + tap).saturating_sub(left))
			})
			.collect();
		let mut output = vec![0f32; batch * channels * out_height * out_width];
		output.par_chunks_mut(out_height * out_width).enumerate().for_each(|(plane, out)| {
			simd::best().run(#[inline(always)] || {
				let channel = plane % channels;
				let source = &input[plane * height * width..(plane + 1) * height * width];
				let filter = &self.weight[channel * kernel * kernel..(channel + 1) * kernel * kernel];
				out.fill(self.bias[channel]);
				for (y, out_row) in out.chunks_exact_mut(out_width).enumerate() {
					for tap_y in 0..kernel {
						let v = (y * stride + tap_y) as isize - top as isize;
						if v < 0 || v >= height as isize {
							continue
						}
						let source_row = &source[v as usize * width..(v as usize + 1) * width];
						for (tap_x, &(first, last, start)) in spans.iter().enumerate() {
							let tap = filter[tap_y * kernel + tap_x];
							if stride == 1 {
								for (o, i) in out_row[first..last].iter_mut().zip(&source_row[start..]) {
									*o += tap * i;
								}
							} else {
								for (o, i) in out_row[first..last].iter_mut().zip(source_row[start..].iter().step_by(stride)) {
									*o += tap * i;
								}
							}
						}
					}
				}
				self.activation.apply_cpu(out);
			})
		});
		Ok((CpuStorage::F32(output), Shape::from((batch, channels, out_height, out_width))))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;

	/// The CPU kernel and the GPU's sum over the taps (run here on the CPU) compute what
	/// candle's grouped convolution does.
	#[test]
	fn the_cpu_kernel_and_the_sum_over_taps_match_candles_grouped_convolution() {
		let device = Device::Cpu;
		for (channels, kernel, stride, size) in [(16, 3, 1, 17), (24, 3, 2, 32), (40, 5, 2, 33), (7, 5, 1, 9)] {
			let weight = Tensor::randn(0f32, 0.3, (channels, 1, kernel, kernel), &device).unwrap();
			let bias = Tensor::randn(0f32, 0.3, channels, &device).unwrap();
			for (padding, activation) in [(Padding::Same, Activation::Relu6), (Padding::Fixed([1, 0, 2, 1]), Activation::Identity)] {
				let conv = Depthwise::new(weight.clone(), bias.clone(), stride, padding, activation).unwrap();
				let x = Tensor::randn(0f32, 1.0, (2, channels, size, size + 3), &device).unwrap();
				let reference = conv.forward_with_ops(&x).unwrap();
				for (form, computed) in [("CPU kernel", conv.forward(&x).unwrap()), ("taps", conv.forward_by_taps(&x).unwrap())] {
					assert_eq!(computed.dims(), reference.dims(), "{form}");
					let difference = (computed - &reference).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap();
					assert!(difference.to_scalar::<f32>().unwrap() < 1e-5, "{form}: {channels} channels {kernel}×{kernel} stride {stride} {padding:?}");
				}
			}
		}
	}
}
