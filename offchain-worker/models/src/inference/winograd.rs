//! 3×3 stride-1 convolutions on the CPU by Winograd's minimal filtering F(4×4, 3×3) (Lavin and
//! Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016): each 4×4 block of
//! outputs comes from a 6×6 patch of the input with 36 multiplications per input and output
//! channel instead of direct convolution's 144.
//!
//! The filters are transformed to `U = G·g·Gᵀ` and each input patch to `V = Bᵀ·d·B`; for each
//! of the 36 points the products summed over the input channels are one matrix product
//! (`U` [outputs, inputs] by `V` [inputs, tiles], with the `gemm` crate), and each output block
//! is `Aᵀ·M·A`, finished with the bias and activation. The input patches are read through the
//! same index maps as the im2col kernel, so padding (zeros or reflection) and nearest
//! upsampling cost nothing extra.
//!
//! Tiles go in blocks of a fixed size, one after the other; within a block each transform and
//! each point's product is one task for one thread, so the result is the same on any number of
//! threads. The transforms run over [`LANES`] tiles at once, in arrays the compiler vectorises.

use super::{
	conv::{matrix_product, Activation, MappedShape as Shape, SharedPtr},
	simd::Level,
};
use rayon::prelude::*;

/// Outputs per tile side.
const TILE: usize = 4;
/// Input patch side: the tile plus the kernel's reach.
const PATCH: usize = TILE + 2;
/// Transform points per tile.
const POINTS: usize = PATCH * PATCH;
/// Tiles transformed together, in vector lanes.
const LANES: usize = 16;
/// Tiles multiplied together: the products' width (a multiple of [`LANES`]).
const BLOCK_TILES: usize = 256;

type Lanes = [f32; LANES];

/// Winograd's kernel pays for its transforms when both sides have this many channels (measured:
/// HED's 64 to 512 gained a third; the style network's 32 lost 4–8 %).
const MIN_CHANNELS: usize = 64;

/// Whether a convolution takes this kernel: 3×3, stride 1, and enough channels either side.
pub fn applies(kernel: usize, stride: usize, inputs: usize, outputs: usize) -> bool {
	kernel == 3 && stride == 1 && inputs >= MIN_CHANNELS && outputs >= MIN_CHANNELS
}

/// The padded input positions the tiles read along an axis of `outputs` positions: a map of this
/// length (positions past the padded input are read as zeros; their outputs are dropped).
pub fn patch_extent(outputs: usize) -> usize {
	outputs.div_ceil(TILE) * TILE + PATCH - TILE
}

/// The convolution of `input` ([batch, inputs, height, width]) with the filters `filters`
/// ([`transform_filters`] of the weights), plus `bias`, then `activation`: [batch, outputs,
/// out_height, out_width].
pub fn convolve(shape: &Shape, input: &[f32], filters: &[f32], bias: Option<&[f32]>, activation: Activation, level: Level) -> Vec<f32> {
	let Shape { batch, inputs, outputs, out_height, out_width, .. } = *shape;
	let (tiles_y, tiles_x) = (out_height.div_ceil(TILE), out_width.div_ceil(TILE));
	let tiles = batch * tiles_y * tiles_x;
	let mut output = vec![0f32; batch * outputs * out_height * out_width];
	let output_ptr = SharedPtr(output.as_mut_ptr());
	let interior = Interior::of(shape.columns);
	let mut transformed = Vec::new();
	let mut products = Vec::new();
	for first in (0..tiles).step_by(BLOCK_TILES) {
		let count = BLOCK_TILES.min(tiles - first);
		let width = count.next_multiple_of(LANES);
		transformed.resize(inputs * POINTS * width, 0.0);
		products.resize(outputs * POINTS * width, 0.0);
		let block = Block { first, count, width, tiles_y, tiles_x };
		// [inputs][points][tiles]: each channel's patches, transformed.
		transformed.par_chunks_mut(POINTS * width).enumerate().for_each(|(channel, values)| {
			level.run(#[inline(always)] || transform_inputs(shape, &block, &interior, input, channel, values));
		});
		// [outputs][points][tiles]: for each point, the filters' transform times the inputs'.
		let products_ptr = SharedPtr(products.as_mut_ptr());
		(0..POINTS).into_par_iter().for_each(|point| {
			let products_ptr = products_ptr;
			// SAFETY: point `point` writes only its own `width` values of each output row; the
			// filters are [points][outputs][inputs], the inputs [inputs][points][tiles].
			unsafe {
				matrix_product(
					(outputs, width, inputs),
					(products_ptr.0.add(point * width), POINTS * width),
					(filters.as_ptr().add(point * outputs * inputs), inputs),
					(transformed.as_ptr().add(point * width), POINTS * width),
					gemm::Parallelism::None,
				)
			}
		});
		products.par_chunks(POINTS * width).enumerate().for_each(|(channel, values)| {
			let output_ptr = output_ptr;
			let bias = bias.map_or(0.0, |bias| bias[channel]);
			// SAFETY: each output channel writes only its own planes.
			level.run(#[inline(always)] || unsafe { transform_outputs(shape, &block, values, channel, bias, activation, output_ptr) });
		});
	}
	output
}

/// The tiles of one block: `count` of them from flat index `first` (image-major, then rows of
/// tiles), padded to `width`.
struct Block {
	first: usize,
	count: usize,
	width: usize,
	tiles_y: usize,
	tiles_x: usize,
}

impl Block {
	/// The image and the top-left output of the `index`th tile of the block.
	#[inline(always)]
	fn tile(&self, index: usize) -> (usize, usize, usize) {
		let tile = self.first + index;
		let per_image = self.tiles_y * self.tiles_x;
		let (image, within) = (tile / per_image, tile % per_image);
		(image, within / self.tiles_x * TILE, within % self.tiles_x * TILE)
	}
}

/// The padded columns that read the input's columns one for one: positions `start..end` read
/// columns `first..` (the rest, the padding, go through the column map).
struct Interior {
	start: usize,
	end: usize,
	first: usize,
}

impl Interior {
	/// The longest such run of `columns` from its first column read (none when it upsamples).
	fn of(columns: &[Option<u32>]) -> Self {
		let Some((start, first)) = columns.iter().enumerate().find_map(|(position, column)| Some((position, (*column)? as usize))) else {
			return Self { start: 0, end: 0, first: 0 }
		};
		let length = columns[start..].iter().zip(first..).take_while(|(column, expected)| **column == Some(*expected as u32)).count();
		// A run of one is an upsampled map's: nothing to gain.
		let end = if length > 1 { start + length } else { start };
		Self { start, end, first }
	}
}

/// `U = G·g·Gᵀ` of every filter of `weight` ([outputs, inputs, 3, 3]), as
/// [points][outputs][inputs] (computed in f64): four times the weights' size.
pub fn transform_filters(weight: &[f32], inputs: usize, outputs: usize) -> Vec<f32> {
	const G: [[f64; 3]; PATCH] = [
		[1.0 / 4.0, 0.0, 0.0],
		[-1.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0],
		[-1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0],
		[1.0 / 24.0, 1.0 / 12.0, 1.0 / 6.0],
		[1.0 / 24.0, -1.0 / 12.0, 1.0 / 6.0],
		[0.0, 0.0, 1.0],
	];
	let mut filters = vec![0f32; POINTS * outputs * inputs];
	let filters_ptr = SharedPtr(filters.as_mut_ptr());
	(0..outputs).into_par_iter().for_each(|output| {
		let filters_ptr = filters_ptr;
		for input in 0..inputs {
			let g = &weight[(output * inputs + input) * 9..][..9];
			// G·g: [6][3].
			let mut left = [[0f64; 3]; PATCH];
			for (row, g_row) in left.iter_mut().zip(G) {
				for (column, value) in row.iter_mut().enumerate() {
					*value = (0..3).map(|k| g_row[k] * g[k * 3 + column] as f64).sum();
				}
			}
			for (a, left_row) in left.iter().enumerate() {
				for (b, g_row) in G.iter().enumerate() {
					let value: f64 = (0..3).map(|k| left_row[k] * g_row[k]).sum();
					// SAFETY: output `output` writes only its own row of each point's matrix.
					unsafe { *filters_ptr.0.add(((a * PATCH + b) * outputs + output) * inputs + input) = value as f32 };
				}
			}
		}
	});
	filters
}

/// `Bᵀ·d` along one axis, lane by lane.
#[inline(always)]
fn input_transform(d: [&Lanes; PATCH]) -> [Lanes; PATCH] {
	let mut out = [[0f32; LANES]; PATCH];
	for lane in 0..LANES {
		let [d0, d1, d2, d3, d4, d5] = d.map(|d| d[lane]);
		out[0][lane] = 4.0 * d0 - 5.0 * d2 + d4;
		out[1][lane] = -4.0 * (d1 + d2) + d3 + d4;
		out[2][lane] = 4.0 * (d1 - d2) - d3 + d4;
		out[3][lane] = 2.0 * (d3 - d1) - d2 + d4;
		out[4][lane] = 2.0 * (d1 - d3) - d2 + d4;
		out[5][lane] = 4.0 * d1 - 5.0 * d3 + d5;
	}
	out
}

/// `Aᵀ·m` along one axis, lane by lane.
#[inline(always)]
fn output_transform(m: [&Lanes; PATCH]) -> [Lanes; TILE] {
	let mut out = [[0f32; LANES]; TILE];
	for lane in 0..LANES {
		let [m0, m1, m2, m3, m4, m5] = m.map(|m| m[lane]);
		let (sum12, difference12, sum34, difference34) = (m1 + m2, m1 - m2, m3 + m4, m3 - m4);
		out[0][lane] = m0 + sum12 + sum34;
		out[1][lane] = difference12 + 2.0 * difference34;
		out[2][lane] = sum12 + 4.0 * sum34;
		out[3][lane] = difference12 + 8.0 * difference34 + m5;
	}
	out
}

/// Fills `values` ([points][width]) with `Bᵀ·d·B` of `channel`'s patch under each tile of the
/// block (zeros past its last tile).
///
/// The tiles go a row of tiles at a time: the six padded input rows under it are read once and
/// split by x modulo 4, so that each patch value of 16 neighbouring tiles is one contiguous run.
/// The columns inside the input (`interior`) are copied straight from its rows, four at a time;
/// only the padding's go through the column map (one at a time, as the transforms took 30 % of
/// HED's time when every column did).
#[inline(always)]
fn transform_inputs(shape: &Shape, block: &Block, interior: &Interior, input: &[f32], channel: usize, values: &mut [f32]) {
	let plane_size = shape.height * shape.width;
	// Room for a whole vector of lanes past the last tile.
	let phase_length = block.tiles_x + 1 + LANES;
	// [row a][x mod 4][x / 4]: the padded rows under the current row of tiles.
	let mut phases = vec![0f32; PATCH * TILE * phase_length];
	for_each_run(block, #[inline(always)] |index, (image, y, x), run| {
		let plane = &input[(image * shape.inputs + channel) * plane_size..][..plane_size];
		let positions = TILE * run + PATCH - TILE;
		// The run's positions that read the input one for one, relative to x.
		let inside_start = interior.start.clamp(x, x + positions) - x;
		let inside_end = interior.end.clamp(x + inside_start, x + positions) - x;
		for (a, phases) in phases.chunks_exact_mut(TILE * phase_length).enumerate() {
			let Some(row) = shape.rows[y + a].map(|row| &plane[row as usize * shape.width..][..shape.width]) else {
				phases.fill(0.0);
				continue
			};
			for position in (0..inside_start).chain(inside_end..positions) {
				let value = shape.columns[x + position].map_or(0.0, |column| row[column as usize]);
				phases[phase_index(position, phase_length)] = value;
			}
			let first = interior.first + x + inside_start - interior.start;
			split_phases(phases, phase_length, inside_start, &row[first..first + inside_end - inside_start]);
		}
		for first in (0..run).step_by(LANES) {
			let lanes = LANES.min(run - first);
			let mut patch = [[0f32; LANES]; POINTS];
			for a in 0..PATCH {
				for b in 0..PATCH {
					let from = &phases[(a * TILE + b % TILE) * phase_length + first + b / TILE..][..LANES];
					patch[a * PATCH + b].copy_from_slice(from);
				}
			}
			// Bᵀ·d down the columns, then ·B along the rows.
			let mut down = [[0f32; LANES]; POINTS];
			for b in 0..PATCH {
				let column = input_transform(std::array::from_fn(|a| &patch[a * PATCH + b]));
				for (a, lanes) in column.into_iter().enumerate() {
					down[a * PATCH + b] = lanes;
				}
			}
			for a in 0..PATCH {
				let row = input_transform(std::array::from_fn(|b| &down[a * PATCH + b]));
				for (b, transformed) in row.iter().enumerate() {
					copy_lanes(&mut values[(a * PATCH + b) * block.width + index + first..], transformed, lanes);
				}
			}
		}
	});
	for point in values.chunks_exact_mut(block.width) {
		point[block.count..].fill(0.0);
	}
}

/// Where padded position `position` goes among the four phase rows of `phase_length`: row
/// `position mod 4`, index `position / 4`.
#[inline(always)]
fn phase_index(position: usize, phase_length: usize) -> usize {
	position % TILE * phase_length + position / TILE
}

/// Writes `from`, the values of positions `start..` of a padded row, into `phases` (four rows of
/// `phase_length`: position p goes to row p mod 4, index p / 4), four at a time once aligned.
#[inline(always)]
fn split_phases(phases: &mut [f32], phase_length: usize, start: usize, from: &[f32]) {
	let head = (TILE - start % TILE) % TILE;
	let (head, body) = from.split_at(head.min(from.len()));
	for (offset, &value) in head.iter().enumerate() {
		let position = start + offset;
		phases[phase_index(position, phase_length)] = value;
	}
	let first = (start + head.len()) / TILE;
	let mut rows = phases.chunks_exact_mut(phase_length);
	let mut rows: [&mut [f32]; TILE] = std::array::from_fn(|_| rows.next().expect("four phases"));
	let quads = body.chunks_exact(TILE);
	let tail = quads.remainder();
	for (quad_index, quad) in quads.enumerate() {
		let at = first + quad_index;
		for (row, &value) in rows.iter_mut().zip(quad) {
			row[at] = value;
		}
	}
	let at = first + body.len() / TILE;
	for (phase, &value) in tail.iter().enumerate() {
		rows[phase][at] = value;
	}
}

/// The first `lanes` of `from` to the start of `to`, between the lane arrays and the blocks'
/// rows both ways: a whole vector as one fixed-size copy (a copy of a variable length is a call
/// to `memmove`).
#[inline(always)]
fn copy_lanes(to: &mut [f32], from: &[f32], lanes: usize) {
	if lanes == LANES {
		to[..LANES].copy_from_slice(&from[..LANES]);
	} else {
		to[..lanes].copy_from_slice(&from[..lanes]);
	}
}

/// Calls `each(index, (image, y, x), run)` for each run of the block's tiles that lie in one row
/// of tiles: the first's index in the block, its image and top-left output, how many.
#[inline(always)]
fn for_each_run(block: &Block, mut each: impl FnMut(usize, (usize, usize, usize), usize)) {
	let mut index = 0;
	while index < block.count {
		let tile = block.tile(index);
		let run = (block.tiles_x - tile.2 / TILE).min(block.count - index);
		each(index, tile, run);
		index += run;
	}
}

/// Writes `Aᵀ·M·A` of `channel`'s products (`values`, [points][width]) for each tile of the
/// block into the output, plus `bias`, then `activation`, a row of tiles at a time.
///
/// # Safety
/// `output` holds [batch, outputs, out_height, out_width] values; no other task writes
/// `channel`'s planes meanwhile.
#[inline(always)]
unsafe fn transform_outputs(
	shape: &Shape,
	block: &Block,
	values: &[f32],
	channel: usize,
	bias: f32,
	activation: Activation,
	output: SharedPtr,
) {
	let (out_height, out_width) = (shape.out_height, shape.out_width);
	for_each_run(block, #[inline(always)] |index, (image, y, x), run| {
		let plane = unsafe { output.0.add((image * shape.outputs + channel) * out_height * out_width) };
		for first in (0..run).step_by(LANES) {
			let lanes = LANES.min(run - first);
			let mut m = [[0f32; LANES]; POINTS];
			for (point, lanes_of_point) in m.iter_mut().enumerate() {
				copy_lanes(lanes_of_point, &values[point * block.width + index + first..], lanes);
			}
			// Aᵀ·M down the columns ([4][6]), then ·A along the rows ([4][4]).
			let mut down = [[0f32; LANES]; TILE * PATCH];
			for b in 0..PATCH {
				let column = output_transform(std::array::from_fn(|a| &m[a * PATCH + b]));
				for (i, lanes) in column.into_iter().enumerate() {
					down[i * PATCH + b] = lanes;
				}
			}
			let x = x + first * TILE;
			let columns = (TILE * lanes).min(out_width - x);
			for i in 0..TILE.min(out_height - y) {
				let tile_row = output_transform(std::array::from_fn(|b| &down[i * PATCH + b]));
				let mut row = [0f32; TILE * LANES];
				for (lane, values) in row.chunks_exact_mut(TILE).enumerate() {
					for (j, value) in values.iter_mut().enumerate() {
						*value = tile_row[j][lane] + bias;
					}
				}
				// SAFETY: the run's outputs in this row lie inside this channel's plane of `image`.
				let out = unsafe { std::slice::from_raw_parts_mut(plane.add((y + i) * out_width + x), columns) };
				out.copy_from_slice(&row[..columns]);
				activation.apply_cpu(out);
			}
		}
	});
}
