//! Stride-1 and stride-2 convolutions on the CPU, computed directly: each output value is the sum over the
//! input channels and the kernel's taps, accumulated in vector registers, with no column buffer.
//!
//! The im2col kernel copies `inputs·k·k` values for every output pixel into its columns, and
//! `gemm` packs them once more. For the style network's layers (32 channels or fewer, 3×3 and
//! 9×9 kernels) those copies cost a tenth to a half of each layer's time. Here the input is
//! padded (and upsampled) once into planes whose rows every tap reads in place, and a block of
//! output channels by a run of pixels of a row ([`Blocking`]) stays in registers while the loop
//! runs over the taps: per tap, loads of the run's inputs and one broadcast weight per output
//! feed a fused multiply-add per accumulator (AVX-512 or AVX2 intrinsics).
//!
//! Every output value is the same fused multiply-add chain over (channel, tap y, tap x) in that
//! order, starting from zero: the chain `gemm` computes for im2col's columns when the depth is
//! at most 512 (one pass over k), so this kernel gives im2col's bits, on any number of threads,
//! with any blocking, at AVX2 and AVX-512 alike. It needs FMA (x86-64-v3 or above); without it
//! the im2col kernel serves.

use super::{
	conv::{Activation, MappedShape as Shape, SharedPtr},
	im2col::RowReads,
	simd::Level,
};
use rayon::prelude::*;

/// The widest row block any level takes: the padded planes hold whole blocks.
const MAX_WIDTH: usize = 64;
/// Output rows a task computes: enough tasks a layer for any thread count to share.
const TASK_ROWS: usize = 4;

/// The fewest taps (inputs × k × k) a convolution takes this kernel with. With fewer, storing
/// each block's short runs costs more than the copies the kernel saves: HED's first layer (3
/// inputs, 3×3: 27 taps) took 4.1 ms at 256² here against im2col's 2.8, where the style
/// network's layers of 72 to 324 taps gained 10 to 55 %.
const MIN_TAPS: usize = 64;

/// Whether a convolution that Winograd's kernel does not take (see `conv.rs`) takes this one:
/// stride 1 or 2, a kernel wider than one pixel (a 1×1 convolution's columns are its input,
/// read in place), at least [`MIN_TAPS`] taps, and FMA.
pub fn applies(kernel: usize, stride: usize, inputs: usize, level: Level) -> bool {
	kernel > 1 &&
		(1..=2).contains(&stride) &&
		inputs * kernel * kernel >= MIN_TAPS &&
		level != Level::Baseline &&
		cfg!(target_arch = "x86_64")
}

/// How many positions of the padded input the row and column maps cover for an output of
/// `out_height` × `out_width`: the kernel's reach past the rows and past whole row blocks, in
/// each of the stride's phases. Positions past the padded input read zeros, and the outputs
/// they make are dropped.
pub fn padded_extents(out_height: usize, out_width: usize, kernel: usize, stride: usize) -> (usize, usize) {
	let reach = (kernel - 1) / stride;
	(stride * (out_height + reach), stride * (out_width.next_multiple_of(MAX_WIDTH) + reach))
}

/// The convolution of `input` ([batch, inputs, height, width]) with `weight` ([outputs,
/// inputs, k, k]), then `bias` and `activation`: [batch, outputs, out_height, out_width].
/// `level` must be V3 or above ([`applies`]).
pub fn convolve(shape: &Shape, input: &[f32], weight: &[f32], bias: Option<&[f32]>, activation: Activation, level: Level) -> Vec<f32> {
	// Accumulators: 16 vector registers of AVX-512's 32, or 12 of AVX2's 16 (runs of 16, which
	// divide the planes' width: 24 did not). For 32 outputs, 16 outputs by one vector was
	// measured fastest (best of 60 runs, 2 threads: a 3×3 32→32 at 64² 0.44 ms, a 9×9 3→32 at
	// 256² 5.3–5.6 ms), against 8 by two vectors (0.47, 5.7), 12 by two (0.49, 5.9) and 16 by
	// two (0.66, 8.4: the accumulators spill).
	#[cfg(target_arch = "x86_64")]
	match (level, shape.outputs) {
		(Level::V4, 1..=4) => convolve_blocked(shape, input, weight, bias, activation, level, x86::v4::<4, 4>()),
		(Level::V4, 5..=8) => convolve_blocked(shape, input, weight, bias, activation, level, x86::v4::<8, 2>()),
		(Level::V4, _) => convolve_blocked(shape, input, weight, bias, activation, level, x86::v4::<16, 1>()),
		(Level::V3, _) => convolve_blocked(shape, input, weight, bias, activation, level, x86::v3::<6, 2>()),
		(Level::Baseline, _) => panic!("the direct kernel needs FMA"),
	}
	#[cfg(not(target_arch = "x86_64"))]
	panic!("the direct kernel is x86-64's ({level:?}, {} outputs)", shape.outputs)
}

/// A block of `outputs` output channels by `width` pixels of a row, and the function that sums
/// it: `accumulate(weights, source, offsets, at, sums)` sums the block's outputs (their packed
/// `weights`, one group a tap) over the pixels from `at` in `source`, each tap reading from its
/// offset in `offsets`, into `sums` ([outputs][width]). One fused multiply-add per tap, in the
/// taps' order.
struct Blocking {
	outputs: usize,
	width: usize,
	accumulate: unsafe fn(&[f32], &[f32], &[usize], usize, &mut [f32]),
}

fn convolve_blocked(
	shape: &Shape,
	input: &[f32],
	weight: &[f32],
	bias: Option<&[f32]>,
	activation: Activation,
	level: Level,
	blocking: Blocking,
) -> Vec<f32> {
	let Blocking { outputs: block_outputs, width: block_width, accumulate } = blocking;
	let &Shape { batch, inputs, outputs, kernel, out_height, out_width, .. } = shape;
	let taps = inputs * kernel * kernel;
	let blocks = outputs.div_ceil(block_outputs);
	// [block][channel, tap y, tap x][block_outputs]: a tap's weights for the block side by side,
	// zeros for the outputs past the last.
	let mut packed = vec![0f32; blocks * taps * block_outputs];
	for (output, filter) in weight.chunks_exact(taps).enumerate() {
		let (block, lane) = (output / block_outputs, output % block_outputs);
		for (tap, &value) in filter.iter().enumerate() {
			packed[(block * taps + tap) * block_outputs + lane] = value;
		}
	}
	let padded = pad(shape, input, level);
	let (phase_width, phase_plane) = shape.phase_plane();
	let stride = shape.stride;

	// Where each tap (channel, tap y, tap x) reads, from the output's own position: tap y and x
	// fall in the phase planes of their remainders by the stride.
	let offsets: Vec<usize> = (0..inputs)
		.flat_map(|channel| {
			(0..kernel * kernel).map(move |tap| {
				let (tap_y, tap_x) = (tap / kernel, tap % kernel);
				let phase = (channel * stride + tap_y % stride) * stride + tap_x % stride;
				phase * phase_plane + tap_y / stride * phase_width + tap_x / stride
			})
		})
		.collect();
	let reach = offsets.iter().max().map_or(0, |last| last + block_width);
	let plane = out_height * out_width;
	// Not zeroed first (a layer's output is up to 8 MiB here, and the tasks write every value).
	let mut output = Vec::with_capacity(batch * outputs * plane);
	let output_ptr = SharedPtr(output.as_mut_ptr());
	let tasks_per_image = out_height.div_ceil(TASK_ROWS);
	let image_values = inputs * stride * stride * phase_plane;
	(0..batch * tasks_per_image).into_par_iter().for_each(|task| {
		let (image, first_row) = (task / tasks_per_image, task % tasks_per_image * TASK_ROWS);
		let source = &padded[image * image_values..(image + 1) * image_values];
		let destination = output_ptr;
		let mut sums = vec![0f32; block_outputs * block_width];
		level.run(#[inline(always)] || {
			for y in first_row..(first_row + TASK_ROWS).min(out_height) {
				for block in 0..blocks {
					let weights = &packed[block * taps * block_outputs..(block + 1) * taps * block_outputs];
					for x in (0..out_width).step_by(block_width) {
						let at = y * phase_width + x;
						// The last tap's block ends inside the padded planes: they hold whole
						// blocks and the kernel's reach.
						assert!(at + reach <= source.len(), "a tap past the padded input");
						// SAFETY: every tap reads within `source` (asserted);
						// `accumulate` needs the level's instructions, which this CPU has.
						unsafe { accumulate(weights, source, &offsets, at, &mut sums) };
						let count = block_width.min(out_width - x);
						for (lane, sums) in sums.chunks_exact(block_width).enumerate().take(outputs - block * block_outputs) {
							let channel = block * block_outputs + lane;
							// SAFETY: row `y` of each output plane of this image belongs to this
							// task only, and is within the output's capacity; the values are
							// written before the slice over them is made.
							let values = unsafe {
								let at = destination.0.add((image * outputs + channel) * plane + y * out_width + x);
								std::ptr::copy_nonoverlapping(sums.as_ptr(), at, count);
								std::slice::from_raw_parts_mut(at, count)
							};
							activation.apply_cpu_with_bias(values, bias.map(|bias| bias[channel]));
						}
					}
				}
			}
		});
	});
	// SAFETY: the tasks wrote every value: each row of each output plane of each image.
	unsafe { output.set_len(batch * outputs * plane) };
	output
}

/// [`Blocking`]s in AVX-512 and AVX2 registers: `OUTPUTS` × `VECTORS` accumulators.
#[cfg(target_arch = "x86_64")]
mod x86 {
	use super::{Blocking, MAX_WIDTH};
	use std::arch::x86_64::*;

	/// `OUTPUTS` outputs by `VECTORS` vectors of AVX-512. The run must divide [`MAX_WIDTH`]
	/// (checked at compile time): the padded rows hold whole runs and the kernel's reach, and
	/// a run past them would read the next row's start, or past the last plane.
	pub fn v4<const OUTPUTS: usize, const VECTORS: usize>() -> Blocking {
		const { assert!(MAX_WIDTH % (VECTORS * 16) == 0) };
		Blocking { outputs: OUTPUTS, width: VECTORS * 16, accumulate: accumulate_v4::<OUTPUTS, VECTORS> }
	}

	/// `OUTPUTS` outputs by `VECTORS` vectors of AVX2, as [`v4`].
	pub fn v3<const OUTPUTS: usize, const VECTORS: usize>() -> Blocking {
		const { assert!(MAX_WIDTH % (VECTORS * 8) == 0) };
		Blocking { outputs: OUTPUTS, width: VECTORS * 8, accumulate: accumulate_v3::<OUTPUTS, VECTORS> }
	}

	macro_rules! accumulate_at {
		($name:ident, $features:literal, $vector:ty, $lanes:literal, $zero:ident, $load:ident, $splat:ident, $fma:ident, $store:ident) => {
			/// # Safety
			/// The CPU has the function's features; `source` holds `at + offset + VECTORS·lanes`
			/// values for every offset; `weights` holds `OUTPUTS` a tap and `sums` `OUTPUTS` ×
			/// `VECTORS`·lanes.
			#[target_feature(enable = $features)]
			pub unsafe fn $name<const OUTPUTS: usize, const VECTORS: usize>(
				weights: &[f32],
				source: &[f32],
				offsets: &[usize],
				at: usize,
				sums: &mut [f32],
			) {
				debug_assert!(weights.len() >= offsets.len() * OUTPUTS && sums.len() >= OUTPUTS * VECTORS * $lanes);
				let mut registers = [[$zero(); VECTORS]; OUTPUTS];
				let (mut weight, origin) = (weights.as_ptr(), source.as_ptr().add(at));
				for &offset in offsets {
					let row = origin.add(offset);
					let mut values = [$zero(); VECTORS];
					for (vector, value) in values.iter_mut().enumerate() {
						*value = $load(row.add(vector * $lanes));
					}
					for output in registers.iter_mut() {
						let tap = $splat(*weight);
						weight = weight.add(1);
						for (register, value) in output.iter_mut().zip(&values) {
							*register = $fma(*value, tap, *register);
						}
					}
				}
				for (output, registers) in registers.iter().enumerate() {
					for (vector, register) in registers.iter().enumerate() {
						$store(sums.as_mut_ptr().add((output * VECTORS + vector) * $lanes), *register);
					}
				}
			}
		};
	}

	accumulate_at!(
		accumulate_v4,
		"avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma",
		__m512,
		16,
		_mm512_setzero_ps,
		_mm512_loadu_ps,
		_mm512_set1_ps,
		_mm512_fmadd_ps,
		_mm512_storeu_ps
	);
	accumulate_at!(accumulate_v3, "avx2,fma", __m256, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps);
}

/// The input padded (and upsampled) into the stride's phase planes: for each image and channel,
/// `stride`² planes, the one of phase (y mod stride, x mod stride) holding the padded input's
/// positions of those remainders, so that every tap reads a run of a row. Each phase row is
/// filled as the im2col gather fills its rows ([`RowReads`]).
fn pad(shape: &Shape, input: &[f32], level: Level) -> Vec<f32> {
	let &Shape { height, width, upsample, left, stride, rows, columns, .. } = shape;
	let (phase_width, phase_plane) = shape.phase_plane();
	let channel_values = stride * stride * phase_plane;
	let mut padded = vec![0f32; shape.batch * shape.inputs * channel_values];
	// Phase column c reads the upsampled input at stride·c + phase − left.
	let reads: Vec<RowReads> = (0..stride).map(|phase| RowReads::of(phase_width, phase, left, stride, width * upsample)).collect();
	padded.par_chunks_mut(channel_values).zip(input.par_chunks(height * width)).for_each(|(to, from)| {
		level.run(#[inline(always)] || {
			for (position, source_y) in rows.iter().enumerate() {
				let Some(source_y) = source_y else { continue };
				let source = &from[*source_y as usize * width..(*source_y as usize + 1) * width];
				let (phase_y, row) = (position % stride, position / stride);
				for (phase_x, reads) in reads.iter().enumerate() {
					let at = (phase_y * stride + phase_x) * phase_plane + row * phase_width;
					reads.fill(&mut to[at..at + phase_width], source, stride, upsample, |column| columns[stride * column + phase_x]);
				}
			}
		})
	});
	padded
}
