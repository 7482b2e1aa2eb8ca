//! The im2col kernel's gather: the columns of a tile of output rows, read straight from the
//! unpadded input. The padding and the upsampling are index maps ([`source_map`]); along a row,
//! the columns inside the input are slice copies (stride 1), strided reads (stride 2) or pairs
//! (nearest ×2), and only the padding's go through the map.

use super::conv::{source_index, ConvSpec};
use candle_core::Result;

/// For each tap `t` and output position `o` along one axis, the input index it reads (`None`:
/// a zero of the padding), `t`-major.
pub(super) fn source_map(input: usize, output: usize, kernel: usize, before: usize, spec: &ConvSpec) -> Result<Vec<Option<u32>>> {
	let mut map = Vec::with_capacity(kernel * output);
	for tap in 0..kernel {
		for position in 0..output {
			map.push(source_index(input, position * spec.stride + tap, before, spec)?);
		}
	}
	Ok(map)
}

thread_local! {
	/// Each thread's column buffer, reused from tile to tile.
	pub(super) static COLUMNS: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Where the im2col columns of a tile of output rows come from.
pub(super) struct Gather<'a> {
	/// [`source_map`]s along y and x.
	pub(super) rows: &'a [Option<u32>],
	pub(super) columns: &'a [Option<u32>],
	pub(super) height: usize,
	pub(super) width: usize,
	pub(super) out_height: usize,
	pub(super) out_width: usize,
	pub(super) kernel: usize,
	pub(super) left: usize,
	pub(super) stride: usize,
	pub(super) upsample: usize,
}

impl Gather<'_> {
	/// Fills `col` ([inputs·k·k, span], every value) for the `span / out_width` output rows from
	/// `first_row` of one image (`source`, [inputs, h, w]).
	#[inline(always)]
	pub(super) fn fill(&self, col: &mut [f32], source: &[f32], first_row: usize, span: usize) {
		let Self { rows, columns, height, width, out_height, out_width, kernel, left, stride, upsample } = *self;
		let virtual_width = width * upsample;
		for (depth_row, col_row) in col.chunks_exact_mut(span).enumerate() {
			let (channel, tap) = (depth_row / (kernel * kernel), depth_row % (kernel * kernel));
			let (tap_y, tap_x) = (tap / kernel, tap % kernel);
			let source_plane = &source[channel * height * width..(channel + 1) * height * width];
			let column_map = &columns[tap_x * out_width..(tap_x + 1) * out_width];
			let reads = RowReads::of(out_width, tap_x, left, stride, virtual_width);
			for (offset, out_row) in col_row.chunks_exact_mut(out_width).enumerate() {
				let Some(source_y) = rows[tap_y * out_height + first_row + offset] else {
					out_row.fill(0.0);
					continue
				};
				let source_row = &source_plane[source_y as usize * width..(source_y as usize + 1) * width];
				reads.fill(out_row, source_row, stride, upsample, |x| column_map[x]);
			}
		}
	}
}

/// Where a row of positions reads the input's row, when position `i` reads the upsampled input
/// at `i·stride + offset − left`: inside it for `first..last`, which are plain reads from
/// `start` (no padding); the positions outside go by the padding's map. The im2col gather's
/// rows (offset: the tap) and the direct kernel's phase rows (offset: the phase) alike.
#[derive(Clone, Copy)]
pub(super) struct RowReads {
	first: usize,
	last: usize,
	start: usize,
}

impl RowReads {
	/// For a row of `positions` positions over an upsampled input row `virtual_width` wide.
	pub(super) fn of(positions: usize, offset: usize, left: usize, stride: usize, virtual_width: usize) -> Self {
		let first = left.saturating_sub(offset).div_ceil(stride).min(positions);
		let last = (virtual_width + left).saturating_sub(offset).div_ceil(stride).clamp(first, positions);
		Self { first, last, start: (first * stride + offset).saturating_sub(left) }
	}

	/// Fills `to` from `source_row`: the interior as slice copies (stride 1), strided reads
	/// (stride 2) or pairs (nearest ×2), the rest through `map` (position to input index,
	/// `None`: a zero).
	#[inline(always)]
	pub(super) fn fill(self, to: &mut [f32], source_row: &[f32], stride: usize, upsample: usize, map: impl Fn(usize) -> Option<u32>) {
		let Self { first, last, start } = self;
		let interior = &mut to[first..last];
		match (stride, upsample) {
			_ if interior.is_empty() => {},
			(1, 1) => interior.copy_from_slice(&source_row[start..start + interior.len()]),
			(_, 1) => interior.iter_mut().zip(source_row[start..].iter().step_by(stride)).for_each(|(to, &from)| *to = from),
			(1, 2) => upsample_twice(interior, source_row, start),
			_ => interior.iter_mut().enumerate().for_each(|(i, to)| *to = source_row[(start + i * stride) / upsample]),
		}
		for x in (0..first).chain(last..to.len()) {
			to[x] = map(x).map_or(0.0, |sx| source_row[sx as usize]);
		}
	}
}

/// Fills `to` with the row `from` upsampled ×2 (nearest), from position `start` of the
/// upsampled row: each value twice, in pairs the compiler vectorises.
#[inline(always)]
fn upsample_twice(to: &mut [f32], from: &[f32], start: usize) {
	let (mut to, mut from) = (to, &from[start / 2..]);
	if start % 2 == 1 {
		to[0] = from[0];
		(to, from) = (&mut to[1..], &from[1..]);
	}
	let done = to.len() / 2;
	let mut pairs = to.chunks_exact_mut(2);
	for (pair, &value) in (&mut pairs).zip(from) {
		pair[0] = value;
		pair[1] = value;
	}
	if let [last] = pairs.into_remainder() {
		*last = from[done];
	}
}
