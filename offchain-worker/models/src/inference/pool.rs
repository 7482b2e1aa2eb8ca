//! 2×2 max pooling (stride 2, the last odd row or column dropped, as candle's `max_pool2d(2)`)
//! in one parallel pass on the CPU.
//!
//! candle pools on one thread, element by element: HED's four poolings took 11 ms of its
//! 106 ms at 256² (the first, over 64 planes of 256², 5.9 ms). Here planes run in parallel and
//! each output row is the maximum of two input rows' pairs, which the compiler vectorises. A
//! maximum is exact, so the result is the same on any number of threads.

use super::{conv::contiguous_f32, simd};
use candle_core::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor};
use rayon::prelude::*;

/// `x` [n, C, h, w] to [n, C, h / 2, w / 2]: each output the largest of its 2×2 block.
pub fn max_pool_2x2(x: &Tensor) -> Result<Tensor> {
	if x.device().is_cpu() && x.dtype() == candle_core::DType::F32 {
		return x.contiguous()?.apply_op1_no_bwd(&CpuMaxPool)
	}
	x.max_pool2d(2)
}

struct CpuMaxPool;

impl CustomOp1 for CpuMaxPool {
	fn name(&self) -> &'static str {
		"studio-max-pool-2x2"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let input = contiguous_f32(storage, layout)?;
		let (batch, channels, height, width) = layout.shape().dims4()?;
		let (out_height, out_width) = (height / 2, width / 2);
		if out_height == 0 || out_width == 0 {
			candle_core::bail!("a 2×2 pooling of a {width}×{height} input")
		}
		let mut output = vec![0f32; batch * channels * out_height * out_width];
		output.par_chunks_mut(out_height * out_width).zip(input.par_chunks(height * width)).for_each(|(pooled, plane)| {
			simd::best().run(#[inline(always)] || {
				for (out_row, rows) in pooled.chunks_exact_mut(out_width).zip(plane.chunks_exact(2 * width)) {
					let (upper, lower) = rows.split_at(width);
					let pairs = upper.chunks_exact(2).zip(lower.chunks_exact(2));
					for (to, (a, b)) in out_row.iter_mut().zip(pairs) {
						*to = a[0].max(a[1]).max(b[0].max(b[1]));
					}
				}
			})
		});
		Ok((CpuStorage::F32(output), Shape::from((batch, channels, out_height, out_width))))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;

	#[test]
	fn the_cpu_pooling_matches_candles_on_even_and_odd_sides() {
		for (height, width) in [(16, 16), (7, 10), (9, 5), (2, 2)] {
			let x = Tensor::randn(0f32, 1.0, (2, 3, height, width), &Device::Cpu).unwrap();
			let fast = max_pool_2x2(&x).unwrap();
			let reference = x.max_pool2d(2).unwrap();
			assert_eq!(fast.dims(), reference.dims(), "{width}×{height}");
			let (fast, reference) = (fast.flatten_all().unwrap().to_vec1::<f32>().unwrap(), reference.flatten_all().unwrap().to_vec1::<f32>().unwrap());
			assert_eq!(fast, reference, "{width}×{height}");
		}
		let single = Tensor::zeros((1, 1, 1, 4), candle_core::DType::F32, &Device::Cpu).unwrap();
		assert!(max_pool_2x2(&single).unwrap_err().to_string().contains("2×2 pooling of a 4×1 input"));
	}
}
