//! Stride-1 convolutions with few channels on the CPU, computed directly: each output value is
//! the sum over the input channels and the kernel's taps, accumulated in registers, with no
//! column buffer.
//!
//! The im2col kernel copies `inputs·k·k` values for every output pixel into its columns, and
//! `gemm` packs them once more. For the style network's layers (32 channels or fewer, 3×3 and
//! 9×9 kernels) those copies cost a tenth to a half of each layer's time. Here the input is padded (and
//! upsampled) once into planes whose rows every tap reads in place, and a block of `OUTPUTS`
//! output channels by `WIDTH` pixels of a row stays in vector registers while the loop runs
//! over the input channels and taps: per tap one load of `WIDTH` inputs and `OUTPUTS`
//! broadcast weights feed `OUTPUTS·WIDTH` fused multiply-adds.
//!
//! Every output value is the same fused multiply-add chain over (channel, tap y, tap x) in
//! that order, so the result is the same bits on any number of threads, with any blocking, at
//! AVX2 and AVX-512 alike. The kernel needs FMA (x86-64-v3 or above): without it, `mul_add`
//! would be a library call a value, and the im2col kernel serves instead.

use super::{
	conv::{Activation, MappedShape as Shape, SharedPtr},
	im2col::upsample_twice,
	simd::Level,
};
use rayon::prelude::*;

/// The widest row block any level takes: the padded planes hold whole blocks.
const MAX_WIDTH: usize = 64;
/// Output rows a task computes: enough tasks a layer for any thread count to share.
const TASK_ROWS: usize = 4;

/// Whether a convolution that Winograd's kernel does not take (see `conv.rs`) takes this one:
/// stride 1, a kernel wider than one pixel (a 1×1 convolution's columns are its input, read in
/// place) and FMA.
pub fn applies(kernel: usize, stride: usize, level: Level) -> bool {
	kernel > 1 && stride == 1 && level != Level::Baseline
}

/// The padded input's extent along x for `outputs` outputs: the kernel's reach past whole row
/// blocks. The column map covers this many positions; those past the padded input read zeros,
/// and the outputs they make are dropped. (The row map covers the padded input's rows.)
pub fn padded_extent(outputs: usize, kernel: usize) -> usize {
	outputs.next_multiple_of(MAX_WIDTH) + kernel - 1
}

/// The convolution of `input` ([batch, inputs, height, width]) with `weight` ([outputs,
/// inputs, k, k]), then `bias` and `activation`: [batch, outputs, out_height, out_width].
/// `level` must be V3 or above ([`applies`]).
pub fn convolve(shape: &Shape, input: &[f32], weight: &[f32], bias: Option<&[f32]>, activation: Activation, level: Level) -> Vec<f32> {
	// Accumulators: 16 to 24 vector registers of AVX-512's 32 (12 outputs by 32 pixels measured
	// 5 % faster than 8 by 32 on the style network's 32-channel layers), or 12 of AVX2's 16.
	match (level, shape.outputs) {
		(Level::V4, 1..=4) => convolve_blocked::<4, 64>(shape, input, weight, bias, activation, level),
		(Level::V4, 5..=8) => convolve_blocked::<8, 32>(shape, input, weight, bias, activation, level),
		(Level::V4, _) => convolve_blocked::<12, 32>(shape, input, weight, bias, activation, level),
		_ => convolve_blocked::<4, 24>(shape, input, weight, bias, activation, level),
	}
}

fn convolve_blocked<const OUTPUTS: usize, const WIDTH: usize>(
	shape: &Shape,
	input: &[f32],
	weight: &[f32],
	bias: Option<&[f32]>,
	activation: Activation,
	level: Level,
) -> Vec<f32> {
	let &Shape { batch, inputs, outputs, kernel, out_height, out_width, .. } = shape;
	let taps = inputs * kernel * kernel;
	let blocks = outputs.div_ceil(OUTPUTS);
	// [block][channel, tap y, tap x][OUTPUTS]: a tap's weights for the block side by side, zeros
	// for the outputs past the last.
	let mut packed = vec![0f32; blocks * taps * OUTPUTS];
	for (output, filter) in weight.chunks_exact(taps).enumerate() {
		let (block, lane) = (output / OUTPUTS, output % OUTPUTS);
		for (tap, &value) in filter.iter().enumerate() {
			packed[(block * taps + tap) * OUTPUTS + lane] = value;
		}
	}
	let padded = pad(shape, input, level);
	let padded_width = shape.columns.len();
	let padded_plane = shape.rows.len() * padded_width;

	let plane = out_height * out_width;
	let mut output = vec![0f32; batch * outputs * plane];
	let output_ptr = SharedPtr(output.as_mut_ptr());
	let tasks_per_image = out_height.div_ceil(TASK_ROWS);
	(0..batch * tasks_per_image).into_par_iter().for_each(|task| {
		let (image, first_row) = (task / tasks_per_image, task % tasks_per_image * TASK_ROWS);
		let source = &padded[image * inputs * padded_plane..(image + 1) * inputs * padded_plane];
		let destination = output_ptr;
		level.run(#[inline(always)] || {
			for y in first_row..(first_row + TASK_ROWS).min(out_height) {
				for block in 0..blocks {
					let weights = &packed[block * taps * OUTPUTS..(block + 1) * taps * OUTPUTS];
					for x in (0..out_width).step_by(WIDTH) {
						let sums = accumulate::<OUTPUTS, WIDTH>(weights, source, padded_plane, padded_width, inputs, kernel, y * padded_width + x);
						let count = WIDTH.min(out_width - x);
						for (lane, sums) in sums.iter().enumerate().take(outputs - block * OUTPUTS) {
							let channel = block * OUTPUTS + lane;
							// SAFETY: row `y` of each output plane of this image belongs to this
							// task only.
							let values = unsafe {
								std::slice::from_raw_parts_mut(destination.0.add((image * outputs + channel) * plane + y * out_width + x), count)
							};
							values.copy_from_slice(&sums[..count]);
							activation.apply_cpu_with_bias(values, bias.map(|bias| bias[channel]));
						}
					}
				}
			}
		});
	});
	output
}

/// The sums of `OUTPUTS` output channels (their packed `weights`) over `WIDTH` pixels of a row,
/// the first at `at` in the padded planes of `source`: a fused multiply-add per channel, tap y
/// and tap x, in that order.
#[inline(always)]
fn accumulate<const OUTPUTS: usize, const WIDTH: usize>(
	weights: &[f32],
	source: &[f32],
	padded_plane: usize,
	padded_width: usize,
	inputs: usize,
	kernel: usize,
	at: usize,
) -> [[f32; WIDTH]; OUTPUTS] {
	let mut sums = [[0f32; WIDTH]; OUTPUTS];
	let mut tap_weights = weights.chunks_exact(OUTPUTS);
	for channel in 0..inputs {
		for tap_y in 0..kernel {
			let row = &source[channel * padded_plane + at + tap_y * padded_width..];
			for tap_x in 0..kernel {
				let values: &[f32; WIDTH] = row[tap_x..tap_x + WIDTH].try_into().expect("a block of the padded row");
				let tap: &[f32; OUTPUTS] = tap_weights.next().expect("a weight per tap").try_into().expect("OUTPUTS weights");
				for (sums, &weight) in sums.iter_mut().zip(tap) {
					for (sum, &value) in sums.iter_mut().zip(values) {
						*sum = value.mul_add(weight, *sum);
					}
				}
			}
		}
	}
	sums
}

/// The input padded and upsampled into planes of `rows.len()` × `columns.len()`, image by
/// image, channel by channel: the interior of each row a copy (or a ×2 upsampling), the
/// padding through the column map.
fn pad(shape: &Shape, input: &[f32], level: Level) -> Vec<f32> {
	let &Shape { height, width, upsample, left, rows, columns, .. } = shape;
	let padded_width = columns.len();
	let mut padded = vec![0f32; shape.batch * shape.inputs * rows.len() * padded_width];
	// The interior: the padded columns that read the (upsampled) input's row in order.
	let (first, last) = match upsample {
		1 | 2 => (left, left + width * upsample),
		_ => (0, 0),
	};
	padded.par_chunks_mut(rows.len() * padded_width).zip(input.par_chunks(height * width)).for_each(|(to, from)| {
		level.run(#[inline(always)] || {
			for (row, source_y) in to.chunks_exact_mut(padded_width).zip(rows) {
				let Some(source_y) = source_y else { continue };
				let source = &from[*source_y as usize * width..(*source_y as usize + 1) * width];
				match upsample {
					1 => row[first..last].copy_from_slice(source),
					2 => upsample_twice(&mut row[first..last], source, 0),
					_ => {},
				}
				for x in (0..first).chain(last..padded_width) {
					row[x] = columns[x].map_or(0.0, |sx| source[sx as usize]);
				}
			}
		})
	});
	padded
}
