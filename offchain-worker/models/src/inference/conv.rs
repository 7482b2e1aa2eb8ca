//! Convolutions as the studio's networks use them — the input optionally upsampled (nearest)
//! and padded (zeros or reflection, any amount a side), then a dense convolution, a bias and an
//! activation — in one pass on the CPU, and as candle's ops on any other device.
//!
//! On the CPU, candle's `conv2d` builds its im2col tiles element by element with bounds checks
//! and needs the padding and upsampling as separate copies first; here each output tile's
//! columns are gathered straight from the unpadded input (`im2col.rs`: the pad and the
//! upsampling are index maps, interior rows are slice copies), multiplied with the `gemm` crate
//! (the one candle itself uses) into the output in place, and finished with the bias and
//! activation while in cache.
//! 3×3 stride-1 convolutions with 64 channels or more either side take Winograd's F(4×4, 3×3)
//! instead (`winograd.rs`), through the same index maps; most other stride-1 and stride-2
//! convolutions wider than a pixel take the direct kernel (`direct.rs`) on CPUs with FMA.
//!
//! Tiles are a fixed number of output rows (set by the column buffer's size, never by the thread
//! count), and each tile's product runs on one thread, so the result is the same on any number
//! of threads.

use super::{
	direct,
	im2col::{source_map, Gather, COLUMNS},
	simd::Level,
	winograd,
};
use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Storage, Tensor};
use rayon::prelude::*;
use std::sync::OnceLock;

/// How the input is extended past its edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
	/// With zeros.
	Zeros,
	/// By reflection (the edge pixel not repeated), as PyTorch's `ReflectionPad2d`.
	Reflect,
}

/// What follows the convolution and its bias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
	Identity,
	Relu,
	/// `min(max(x, 0), 6)`, MobileNet's and EfficientNet-Lite's.
	Relu6,
	Sigmoid,
	Tanh,
}

/// How much is added around the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
	/// Pixels added top, bottom, left and right.
	Fixed([usize; 4]),
	/// TensorFlow's "same": for size `i`, stride `s` and kernel `k` the output is `ceil(i / s)`
	/// and the padding `max((ceil(i / s) − 1)·s + k − i, 0)`, the extra pixel right and bottom.
	Same,
}

impl Padding {
	/// Top, bottom, left and right for an input of `height`×`width`.
	pub fn amounts(self, height: usize, width: usize, kernel: usize, stride: usize) -> [usize; 4] {
		match self {
			Padding::Fixed(amounts) => amounts,
			Padding::Same => {
				let total = |size: usize| ((size.div_ceil(stride) - 1) * stride + kernel).saturating_sub(size);
				let (vertical, horizontal) = (total(height), total(width));
				[vertical / 2, vertical - vertical / 2, horizontal / 2, horizontal - horizontal / 2]
			},
		}
	}
}

/// tanh as a rational function (Eigen's, which PyTorch's CPU kernels also use): odd
/// polynomials of degree 13 over 6, the input clamped to ±7.9988 where the quotient levels off,
/// ±1 from 9 on; within 5e-7 of the exact value everywhere (4.1e-7 at worst, near ±6). Plain
/// arithmetic the compiler vectorises, where the C library's `tanhf` takes one value at a time
/// (the generator's last layer spent ~4 ms of a 16-image batch in it), and the same operations
/// in the same order on every machine.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
	const NUMERATOR: [f32; 7] =
		[-2.760_768_5e-16, 2.000_187_9e-13, -8.604_671_5e-11, 5.122_297e-8, 1.485_722_4e-5, 6.372_619_3e-4, 4.893_524_6e-3];
	const DENOMINATOR: [f32; 4] = [1.198_258_4e-6, 1.185_347_1e-4, 2.268_434_6e-3, 4.893_525_2e-3];
	let clamped = x.clamp(-7.998_811_7, 7.998_811_7);
	let square = clamped * clamped;
	let numerator = NUMERATOR.iter().fold(0.0, |sum, coefficient| sum * square + coefficient);
	let denominator = DENOMINATOR.iter().fold(0.0, |sum, coefficient| sum * square + coefficient);
	// Near zero tanh(x) is x, and past 9 it is ±1, to within f32's precision.
	if x.abs() < 4e-4 {
		x
	} else if x.abs() >= 9.0 {
		x.signum()
	} else {
		clamped * numerator / denominator
	}
}

impl Activation {
	/// `bias` (if any) added, then the activation, in place on the CPU.
	#[inline(always)]
	pub fn apply_cpu_with_bias(self, values: &mut [f32], bias: Option<f32>) {
		if let Some(bias) = bias {
			values.iter_mut().for_each(|v| *v += bias);
		}
		self.apply_cpu(values);
	}

	/// In place on the CPU.
	#[inline(always)]
	pub fn apply_cpu(self, values: &mut [f32]) {
		match self {
			Activation::Identity => {},
			Activation::Relu => values.iter_mut().for_each(|v| *v = v.max(0.0)),
			Activation::Relu6 => values.iter_mut().for_each(|v| *v = v.clamp(0.0, 6.0)),
			Activation::Sigmoid => values.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
			Activation::Tanh => values.iter_mut().for_each(|v| *v = tanh(*v)),
		}
	}

	/// The same with candle's ops (any device).
	pub fn apply(self, x: &Tensor) -> Result<Tensor> {
		match self {
			Activation::Identity => Ok(x.clone()),
			Activation::Relu => x.relu(),
			Activation::Relu6 => x.clamp(0f32, 6f32),
			Activation::Sigmoid => candle_nn::ops::sigmoid(x),
			Activation::Tanh => x.tanh(),
		}
	}
}

/// Everything about a convolution but its weights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvSpec {
	/// Nearest-neighbour upsampling of the input before the padding (1: none).
	pub upsample: usize,
	/// What is added around the input (after upsampling).
	pub padding: Padding,
	pub edge: Edge,
	pub stride: usize,
	pub activation: Activation,
}

impl ConvSpec {
	/// A `kernel`×`kernel` convolution padded by `kernel / 2` on every side.
	pub fn centred(kernel: usize, edge: Edge, stride: usize, activation: Activation) -> Self {
		let half = kernel / 2;
		Self { upsample: 1, padding: Padding::Fixed([half; 4]), edge, stride, activation }
	}
}

/// The rows of the column buffer a tile fills: about 1 MiB of `f32`, so a tile's columns stay
/// in the L2 cache while its product runs.
const TILE_COLUMN_VALUES: usize = 1 << 18;

/// A dense convolution with its weights ([outputs, inputs, k, k]) and optional bias.
#[derive(Debug)]
pub struct Conv {
	weight: Tensor,
	bias: Option<Tensor>,
	spec: ConvSpec,
	/// Winograd's transform of the weights, made at the first CPU forward that takes that
	/// kernel (a model never run on the CPU does not hold them).
	winograd_filters: OnceLock<Vec<f32>>,
}

impl Conv {
	/// `weight` [outputs, inputs, k, k] (square kernel), `bias` [outputs].
	pub fn new(weight: Tensor, bias: Option<Tensor>, spec: ConvSpec) -> Result<Self> {
		let (outputs, _, kernel, kernel_width) = weight.dims4()?;
		if kernel != kernel_width {
			candle_core::bail!("convolution kernels must be square, got {kernel}×{kernel_width}")
		}
		if spec.stride == 0 || spec.upsample == 0 {
			candle_core::bail!("stride and upsampling must be at least 1")
		}
		if let Some(bias) = &bias {
			if bias.dims() != [outputs] {
				candle_core::bail!("a bias of {:?} for {outputs} outputs", bias.dims())
			}
		}
		// Contiguous, so the CPU kernel reads the weights as [outputs, inputs·k·k] in place.
		let bias = bias.map(|bias| bias.contiguous()).transpose()?;
		Ok(Self { weight: weight.contiguous()?, bias, spec, winograd_filters: OnceLock::new() })
	}

	/// `x` [n, inputs, h, w] to [n, outputs, h', w'].
	pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
		if !(x.device().is_cpu() && self.weight.device().is_cpu()) {
			return self.forward_with_ops(x)
		}
		self.forward_cpu(x, super::simd::best())
	}

	/// The CPU kernel, its loops compiled for `level`.
	fn forward_cpu(&self, x: &Tensor, level: Level) -> Result<Tensor> {
		let (outputs, inputs, kernel, _) = self.weight.dims4()?;
		let (weight_storage, weight_layout) = self.weight.storage_and_layout();
		let bias_storage = self.bias.as_ref().map(|bias| bias.storage_and_layout());
		let weight = cpu_values(&weight_storage, weight_layout)?;
		let winograd_filters = winograd::applies(kernel, self.spec.stride, inputs, outputs)
			.then(|| self.winograd_filters.get_or_init(|| winograd::transform_filters(weight, inputs, outputs)).as_slice());
		let op = CpuConv {
			weight,
			winograd_filters,
			bias: bias_storage.as_ref().map(|(storage, layout)| cpu_values(storage, layout)).transpose()?,
			outputs,
			inputs,
			kernel,
			spec: self.spec,
			level,
		};
		x.contiguous()?.apply_op1_no_bwd(&op)
	}

	/// The same with candle's ops: the reference the CPU kernel is tested against, and the path
	/// on a GPU.
	pub fn forward_with_ops(&self, x: &Tensor) -> Result<Tensor> {
		let ConvSpec { upsample, padding, edge, stride, activation } = self.spec;
		let mut x = x.clone();
		let (_, _, height, width) = x.dims4()?;
		if upsample > 1 {
			x = x.upsample_nearest2d(upsample * height, upsample * width)?;
		}
		let kernel = self.weight.dim(3)?;
		let [top, bottom, left, right] = padding.amounts(upsample * height, upsample * width, kernel, stride);
		x = match edge {
			Edge::Zeros => x.pad_with_zeros(2, top, bottom)?.pad_with_zeros(3, left, right)?,
			Edge::Reflect => reflect_pad(&reflect_pad(&x, 2, top, bottom)?, 3, left, right)?,
		};
		let mut y = x.conv2d(&self.weight, 0, stride, 1, 1)?;
		if let Some(bias) = &self.bias {
			y = y.broadcast_add(&bias.reshape((1, bias.dim(0)?, 1, 1))?)?;
		}
		activation.apply(&y)
	}
}

/// Pads `dim` of `x` by reflection (the edge pixel is not repeated), as PyTorch's
/// `ReflectionPad2d` and numpy's `reflect`; `left` and `right` must be below the dim's size.
pub fn reflect_pad(x: &Tensor, dim: usize, left: usize, right: usize) -> Result<Tensor> {
	if left == 0 && right == 0 {
		return Ok(x.clone())
	}
	let size = x.dim(dim)?;
	if left >= size || right >= size {
		candle_core::bail!("cannot reflect {size} pixels by {left} and {right}")
	}
	let indices: Vec<u32> = (1..=left)
		.rev()
		.chain(0..size)
		.chain((size - 1 - right..size - 1).rev())
		.map(|i| i as u32)
		.collect();
	let indices = Tensor::new(indices, x.device())?;
	x.contiguous()?.index_select(&indices, dim)
}

/// `dst = lhs · rhs` with the `gemm` crate (the one product of the CPU kernels): `lhs` m×k,
/// `rhs` k×n and `dst` m×n, each row-major with its rows the given number of values apart.
///
/// # Safety
/// Each pointer covers its matrix; nothing else reads or writes `dst`'s values meanwhile.
pub(crate) unsafe fn matrix_product(
	(m, n, k): (usize, usize, usize),
	(dst, dst_row): (*mut f32, usize),
	(lhs, lhs_row): (*const f32, usize),
	(rhs, rhs_row): (*const f32, usize),
	parallelism: gemm::Parallelism,
) {
	// SAFETY: as the caller promises; unit column strides, `dst` overwritten (β = 1, α = 0).
	unsafe {
		gemm::gemm(
			m,
			n,
			k,
			dst,
			1,
			dst_row as isize,
			false,
			lhs,
			1,
			lhs_row as isize,
			rhs,
			1,
			rhs_row as isize,
			0.0,
			1.0,
			false,
			false,
			false,
			parallelism,
		)
	}
}

/// The values of a contiguous f32 tensor on the CPU.
pub fn cpu_values<'a>(storage: &'a Storage, layout: &Layout) -> Result<&'a [f32]> {
	match storage {
		Storage::Cpu(storage) => contiguous_f32(storage, layout),
		_ => candle_core::bail!("expected a tensor on the CPU"),
	}
}

/// The sum of `terms`, added in order with candle's ops: a convolution written as shifted views
/// of its input (the transposed and the depthwise convolutions off the CPU).
pub fn sum_of_terms(terms: impl IntoIterator<Item = Result<Tensor>>) -> Result<Tensor> {
	let mut terms = terms.into_iter();
	let first = terms.next().ok_or_else(|| candle_core::Error::Msg("a sum of no terms".into()))??;
	terms.try_fold(first, |sum, term| sum + term?)
}

/// The values a custom op's contiguous f32 input covers.
pub fn contiguous_f32<'a>(storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
	let CpuStorage::F32(data) = storage else { candle_core::bail!("the CPU kernels take f32 tensors") };
	let Some((start, end)) = layout.contiguous_offsets() else { candle_core::bail!("the CPU kernels take contiguous tensors") };
	Ok(&data[start..end])
}

/// The convolution on the CPU, as a candle custom op over the input.
struct CpuConv<'a> {
	weight: &'a [f32],
	/// The weights' Winograd transform, for a 3×3 stride-1 kernel that takes it.
	winograd_filters: Option<&'a [f32]>,
	bias: Option<&'a [f32]>,
	outputs: usize,
	inputs: usize,
	kernel: usize,
	spec: ConvSpec,
	level: Level,
}

/// For each position of the padded input along one axis (`extent` of them; those past the
/// padded input, `padded` long, read zeros), the input index it reads.
fn padded_map(input: usize, extent: usize, padded: usize, before: usize, spec: &ConvSpec) -> Result<Vec<Option<u32>>> {
	(0..extent)
		.map(|position| if position < padded { source_index(input, position, before, spec) } else { Ok(None) })
		.collect()
}

/// The input index that position `position` of the padded (and upsampled) input reads along an
/// axis of `input` pixels with `before` added in front (`None`: a zero of the padding).
pub(super) fn source_index(input: usize, position: usize, before: usize, spec: &ConvSpec) -> Result<Option<u32>> {
	let virtual_size = (input * spec.upsample) as isize;
	let mut v = position as isize - before as isize;
	if v < 0 || v >= virtual_size {
		if spec.edge == Edge::Zeros {
			return Ok(None)
		}
		v = if v < 0 { -v } else { 2 * (virtual_size - 1) - v };
		if v < 0 || v >= virtual_size {
			candle_core::bail!("cannot reflect {virtual_size} pixels by {before}")
		}
	}
	Ok(Some((v as usize / spec.upsample) as u32))
}

/// A convolution's shape and, for each position of its padded (and upsampled) input along y
/// and x, the input row or column it reads (`None`: a zero): what Winograd's and the direct
/// kernel take. How many positions each map covers is the kernel's own choice
/// ([`winograd::patch_extent`], [`direct::padded_extents`]).
pub(super) struct MappedShape<'a> {
	pub batch: usize,
	pub inputs: usize,
	pub outputs: usize,
	pub kernel: usize,
	pub height: usize,
	pub width: usize,
	pub out_height: usize,
	pub out_width: usize,
	/// Nearest-neighbour upsampling of the input (1: none).
	pub upsample: usize,
	/// The padding's columns left of the input.
	pub left: usize,
	pub stride: usize,
	pub rows: &'a [Option<u32>],
	pub columns: &'a [Option<u32>],
}

impl MappedShape<'_> {
	/// The width and the size of a plane of each of the stride's phases of the mapped input
	/// (the direct kernel's layout).
	pub fn phase_plane(&self) -> (usize, usize) {
		let width = self.columns.len() / self.stride;
		(width, self.rows.len() / self.stride * width)
	}
}

/// An output pointer shared by the tasks of a CPU kernel, which write disjoint parts of it (the
/// tiles here, their rows of each plane; Winograd's points and channels theirs).
#[derive(Clone, Copy)]
pub(super) struct SharedPtr(pub(super) *mut f32);
// SAFETY: the tasks that share it write disjoint values.
unsafe impl Send for SharedPtr {}
unsafe impl Sync for SharedPtr {}

impl CustomOp1 for CpuConv<'_> {
	fn name(&self) -> &'static str {
		"studio-conv2d"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let input = contiguous_f32(storage, layout)?;
		let (batch, channels, height, width) = layout.shape().dims4()?;
		if channels != self.inputs {
			candle_core::bail!("a convolution of {} inputs given {channels} channels", self.inputs)
		}
		let ConvSpec { upsample, padding, stride, .. } = self.spec;
		let kernel = self.kernel;
		let [top, bottom, left, right] = padding.amounts(upsample * height, upsample * width, kernel, stride);
		let (padded_height, padded_width) = (height * upsample + top + bottom, width * upsample + left + right);
		if padded_height < kernel || padded_width < kernel {
			candle_core::bail!("a {kernel}×{kernel} kernel over a {padded_width}×{padded_height} input")
		}
		let (out_height, out_width) = ((padded_height - kernel) / stride + 1, (padded_width - kernel) / stride + 1);
		if self.winograd_filters.is_some() || direct::applies(kernel, stride, self.inputs, self.level) {
			let (row_extent, column_extent) = match self.winograd_filters {
				Some(_) => (winograd::patch_extent(out_height), winograd::patch_extent(out_width)),
				None => direct::padded_extents(out_height, out_width, kernel, stride),
			};
			let rows = padded_map(height, row_extent, padded_height, top, &self.spec)?;
			let columns = padded_map(width, column_extent, padded_width, left, &self.spec)?;
			let shape = MappedShape {
				batch,
				inputs: self.inputs,
				outputs: self.outputs,
				kernel,
				height,
				width,
				out_height,
				out_width,
				upsample,
				left,
				stride,
				rows: &rows,
				columns: &columns,
			};
			let (bias, activation) = (self.bias, self.spec.activation);
			let output = match self.winograd_filters {
				Some(filters) => winograd::convolve(&shape, input, filters, bias, activation, self.level),
				None => direct::convolve(&shape, input, self.weight, bias, activation, self.level),
			};
			return Ok((CpuStorage::F32(output), Shape::from((batch, self.outputs, out_height, out_width))))
		}
		let rows = source_map(height, out_height, kernel, top, &self.spec)?;
		let columns = source_map(width, out_width, kernel, left, &self.spec)?;

		let depth = self.inputs * kernel * kernel;
		let plane = out_height * out_width;
		let tile_rows = (TILE_COLUMN_VALUES / (depth * out_width)).clamp(1, out_height);
		let tiles_per_image = out_height.div_ceil(tile_rows);
		let mut output = vec![0f32; batch * self.outputs * plane];
		let output_ptr = SharedPtr(output.as_mut_ptr());

		let gather = Gather { rows: &rows, columns: &columns, height, width, out_height, out_width, kernel, left, stride, upsample };
		// A 1×1 convolution's columns are the input itself when nothing pads or resamples.
		let pointwise = kernel == 1 && stride == 1 && upsample == 1 && [top, bottom, left, right] == [0; 4];

		(0..batch * tiles_per_image).into_par_iter().for_each(|task| {
			let (image, tile) = (task / tiles_per_image, task % tiles_per_image);
			let first_row = tile * tile_rows;
			let tile_height = tile_rows.min(out_height - first_row);
			let span = tile_height * out_width;
			let source = &input[image * channels * height * width..(image + 1) * channels * height * width];
			COLUMNS.with_borrow_mut(|col| {
				// The pointwise convolution's columns: [inputs, h·w] in place.
				let (rhs, rhs_row_stride) = if pointwise {
					(source[first_row * out_width..].as_ptr(), height * width)
				} else {
					col.resize(depth * span, 0.0);
					self.level.run(#[inline(always)] || gather.fill(&mut col[..depth * span], source, first_row, span));
					(col.as_ptr(), span)
				};
			let destination = output_ptr;
			// SAFETY: the tile's rows of each of this image's output planes belong to this task
			// only; `gemm` writes `outputs` rows of `span` values at stride `plane`.
			unsafe {
				let dst = destination.0.add(image * self.outputs * plane + first_row * out_width);
				matrix_product(
					(self.outputs, span, depth),
					(dst, plane),
					(self.weight.as_ptr(), depth),
					(rhs, rhs_row_stride),
					gemm::Parallelism::None,
				);
				self.level.run(#[inline(always)] || {
					for output_channel in 0..self.outputs {
						let values = std::slice::from_raw_parts_mut(dst.add(output_channel * plane), span);
						let bias = self.bias.map(|bias| bias[output_channel]);
						self.spec.activation.apply_cpu_with_bias(values, bias);
					}
				});
			}
			});
		});
		Ok((CpuStorage::F32(output), Shape::from((batch, self.outputs, out_height, out_width))))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;

	fn max_difference(a: &Tensor, b: &Tensor) -> f32 {
		assert_eq!(a.dims(), b.dims());
		(a - b).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap()
	}

	#[test]
	fn reflection_padding_mirrors_without_repeating_the_edge() {
		let x = Tensor::new(&[[1f32, 2., 3., 4.]], &Device::Cpu).unwrap();
		let padded = reflect_pad(&x, 1, 2, 3).unwrap();
		assert_eq!(padded.to_vec2::<f32>().unwrap(), vec![vec![3., 2., 1., 2., 3., 4., 3., 2., 1.]]);
		assert!(reflect_pad(&x, 1, 4, 0).is_err());
	}

	/// The CPU kernel against candle's ops for every shape the studio's networks use: both
	/// edges, strides 1 and 2, upsampling, uneven padding, 1×1 to 9×9 kernels, odd sizes, with
	/// and without bias, every activation, and tiles that split the rows.
	#[test]
	fn the_cpu_kernel_matches_candles_ops() {
		let device = Device::Cpu;
		use Activation::*;
		let cases = [
			// (inputs, outputs, kernel, height, width, spec, bias)
			(3, 32, 9, 37, 41, ConvSpec::centred(9, Edge::Reflect, 1, Relu), false),
			(32, 16, 3, 20, 23, ConvSpec::centred(3, Edge::Reflect, 2, Identity), false),
			(8, 4, 3, 9, 12, ConvSpec { upsample: 2, ..ConvSpec::centred(3, Edge::Reflect, 1, Sigmoid) }, false),
			(64, 64, 3, 70, 66, ConvSpec::centred(3, Edge::Zeros, 1, Relu), true),
			(5, 7, 5, 13, 16, ConvSpec { upsample: 1, padding: Padding::Fixed([1, 2, 2, 1]), edge: Edge::Zeros, stride: 2, activation: Relu6 }, true),
			(3, 32, 3, 128, 127, ConvSpec { padding: Padding::Same, ..ConvSpec::centred(3, Edge::Zeros, 2, Relu6) }, true),
			(16, 24, 1, 32, 32, ConvSpec::centred(1, Edge::Zeros, 1, Identity), true),
			(6, 1, 1, 11, 9, ConvSpec::centred(1, Edge::Zeros, 1, Sigmoid), true),
			// Winograd's: reflection with upsampling, a tile grid that ends mid-tile, tiny inputs.
			(64, 64, 3, 15, 10, ConvSpec { upsample: 2, ..ConvSpec::centred(3, Edge::Reflect, 1, Relu) }, false),
			(64, 96, 3, 3, 2, ConvSpec::centred(3, Edge::Zeros, 1, Tanh), true),
			(128, 64, 3, 9, 14, ConvSpec { padding: Padding::Same, ..ConvSpec::centred(3, Edge::Zeros, 1, Identity) }, true),
		];
		for (inputs, outputs, kernel, height, width, spec, with_bias) in cases {
			let weight = Tensor::randn(0f32, 0.2, (outputs, inputs, kernel, kernel), &device).unwrap();
			let bias = with_bias.then(|| Tensor::randn(0f32, 0.5, outputs, &device).unwrap());
			let conv = Conv::new(weight, bias, spec).unwrap();
			let x = Tensor::randn(0f32, 1.0, (2, inputs, height, width), &device).unwrap();
			let fast = conv.forward(&x).unwrap();
			let winograd = kernel == 3 && spec.stride == 1 && inputs >= 64 && outputs >= 64;
			assert_eq!(conv.winograd_filters.get().is_some(), winograd, "{spec:?} {inputs}→{outputs} took the other kernel");
			let reference = conv.forward_with_ops(&x).unwrap();
			// Within f32 rounding of the outputs' scale. Winograd's transforms round at larger
			// intermediate values than a direct sum does: up to 1.5e-5 of the scale in 100 runs
			// of these random cases, where im2col stayed under 1e-5.
			let scale = reference.abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f32>().unwrap().max(1.0);
			let difference = max_difference(&fast, &reference) / scale;
			let tolerance = if winograd { 5e-5 } else { 1e-5 };
			assert!(difference < tolerance, "{spec:?} {inputs}→{outputs} {kernel}×{kernel} on {width}×{height}: {difference}");
		}
	}

	/// Both kernels: im2col (the 5×5) and Winograd's (the 3×3, several blocks of tiles).
	#[test]
	fn the_cpu_kernels_give_the_same_bits_on_any_number_of_threads() {
		let device = Device::Cpu;
		for kernel in [5, 3] {
			let weight = Tensor::randn(0f32, 0.2, (64, 64, kernel, kernel), &device).unwrap();
			let conv = Conv::new(weight, None, ConvSpec::centred(kernel, Edge::Reflect, 1, Activation::Relu)).unwrap();
			let x = Tensor::randn(0f32, 1.0, (1, 64, 96, 96), &device).unwrap();
			let run = |threads| {
				let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
				pool.install(|| conv.forward(&x).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap())
			};
			assert_eq!(run(1), run(3), "{kernel}×{kernel}");
		}
	}

	/// Every kernel (im2col with stride 2, Winograd's, and the direct one with upsampling and 3
	/// to 32 outputs) at every instruction-set level this CPU has: the same bits. The baseline
	/// takes im2col where V3 and V4 take the direct kernel, which sums each output in the same
	/// fused multiply-add chain as `gemm` does (a single pass over up to 512 products): so the
	/// direct kernel changed no style reference and no re-made design.
	#[test]
	fn the_cpu_kernels_give_the_same_bits_at_every_instruction_set_level() {
		let device = Device::Cpu;
		let cases = [
			(3, 32, 9, ConvSpec::centred(9, Edge::Reflect, 1, Activation::Relu)),
			(32, 32, 3, ConvSpec::centred(3, Edge::Reflect, 2, Activation::Tanh)),
			(32, 32, 3, ConvSpec::centred(3, Edge::Reflect, 1, Activation::Identity)),
			(4, 3, 9, ConvSpec::centred(9, Edge::Reflect, 1, Activation::Sigmoid)),
			(8, 4, 3, ConvSpec { upsample: 2, ..ConvSpec::centred(3, Edge::Reflect, 1, Activation::Sigmoid) }),
			(32, 8, 3, ConvSpec { upsample: 2, ..ConvSpec::centred(3, Edge::Zeros, 1, Activation::Relu) }),
			(64, 64, 3, ConvSpec::centred(3, Edge::Zeros, 1, Activation::Relu)),
		];
		for (inputs, outputs, kernel, spec) in cases {
			let weight = Tensor::randn(0f32, 0.2, (outputs, inputs, kernel, kernel), &device).unwrap();
			let bias = Tensor::randn(0f32, 0.5, outputs, &device).unwrap();
			let conv = Conv::new(weight, Some(bias), spec).unwrap();
			// A width that ends mid-run, and one of whole runs (the style network's 64).
			for (height, width) in [(37, 45), (9, 64)] {
				let x = Tensor::randn(0f32, 1.0, (1, inputs, height, width), &device).unwrap();
				let at = |level| conv.forward_cpu(&x, level).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
				let baseline = at(Level::Baseline);
				for level in super::super::simd::levels() {
					assert_eq!(at(level), baseline, "{spec:?} on {width}×{height} at {level:?}");
				}
			}
		}
	}

	#[test]
	fn the_rational_tanh_is_within_five_ten_millionths_of_the_exact_one() {
		let mut worst = (0f64, 0f32);
		for step in -2_000_000..=2_000_000 {
			let x = step as f32 * 1e-5;
			let error = (tanh(x) as f64 - (x as f64).tanh()).abs();
			if error > worst.0 {
				worst = (error, x);
			}
		}
		println!("the rational tanh's largest error on [-20, 20]: {:e} at {}", worst.0, worst.1);
		assert!(worst.0 < 5e-7, "{worst:?}");
		assert_eq!((tanh(-30.0), tanh(9.0), tanh(0.0), tanh(1e-5)), (-1.0, 1.0, 0.0, 1e-5));
		assert!(tanh(f32::NAN).is_nan());
	}

	#[test]
	fn bad_shapes_are_refused_with_the_cause() {
		let device = Device::Cpu;
		let weight = Tensor::zeros((4, 3, 3, 3), candle_core::DType::F32, &device).unwrap();
		let conv = Conv::new(weight.clone(), None, ConvSpec::centred(3, Edge::Zeros, 1, Activation::Identity)).unwrap();
		let wrong_channels = Tensor::zeros((1, 2, 8, 8), candle_core::DType::F32, &device).unwrap();
		assert!(conv.forward(&wrong_channels).unwrap_err().to_string().contains("3 inputs given 2 channels"));
		let wrong_bias = Tensor::zeros(3, candle_core::DType::F32, &device).unwrap();
		assert!(Conv::new(weight, Some(wrong_bias), ConvSpec::centred(3, Edge::Zeros, 1, Activation::Identity)).is_err());
	}
}
