//! The style critic: the first stages of EfficientNet-Lite0 (ImageNet), written with candle-nn
//! (candle-transformers has EfficientNet B0–B7, not Lite0).
//!
//! Lite0 is EfficientNet-B0 without squeeze-and-excitation, with ReLU6 and a fixed stem. Its
//! convolutions use TensorFlow's "same" padding: for input size `i`, stride `s` and kernel `k`
//! the output is `ceil(i / s)` and the padding `max((ceil(i / s) − 1)·s + k − i, 0)`, split with
//! the extra pixel on the right and bottom. Batch norms use ε = 10⁻³. Inputs are RGB in [−1, 1]
//! (Lite's `(pixel − 127) / 128` preprocessing, which is the generator's own output range).
//!
//! Only the stages the style index reads are loaded and run: the stem and the blocks of the
//! first three stages.

use candle_core::{Module, ModuleT, Result, Tensor, D};
use candle_nn::{batch_norm, conv2d_no_bias, BatchNorm, BatchNormConfig, Conv2d, Conv2dConfig, VarBuilder};

/// One mobile inverted bottleneck block: (kernel, stride, expansion, input channels, output
/// channels), in Lite0's order.
const BLOCKS: [(usize, usize, usize, usize, usize); 5] = [
	(3, 1, 1, 32, 16),
	(3, 2, 6, 16, 24),
	(3, 1, 6, 24, 24),
	(5, 2, 6, 24, 40),
	(5, 1, 6, 40, 40),
];

/// The blocks whose outputs the style index reads: the ends of stages 2 (24 channels) and 3
/// (40 channels).
pub const STYLE_TAPS: [usize; 2] = [2, 4];

fn norm(channels: usize, vb: VarBuilder) -> Result<BatchNorm> {
	batch_norm(channels, BatchNormConfig { eps: 1e-3, ..Default::default() }, vb)
}

/// A convolution with TensorFlow "same" padding.
#[derive(Debug)]
struct SameConv {
	conv: Conv2d,
	kernel: usize,
	stride: usize,
}

impl SameConv {
	fn load(inputs: usize, outputs: usize, kernel: usize, stride: usize, groups: usize, vb: VarBuilder) -> Result<Self> {
		let config = Conv2dConfig { padding: 0, stride, dilation: 1, groups, ..Default::default() };
		Ok(Self { conv: conv2d_no_bias(inputs, outputs, kernel, config, vb)?, kernel, stride })
	}

	fn forward(&self, x: &Tensor) -> Result<Tensor> {
		let mut x = x.clone();
		for dim in [2, 3] {
			let size = x.dim(dim)?;
			let out = size.div_ceil(self.stride);
			let total = ((out - 1) * self.stride + self.kernel).saturating_sub(size);
			if total > 0 {
				x = x.pad_with_zeros(dim, total / 2, total - total / 2)?;
			}
		}
		self.conv.forward(&x)
	}
}

fn relu6(x: &Tensor) -> Result<Tensor> {
	x.clamp(0f32, 6f32)
}

/// A mobile inverted bottleneck without squeeze-and-excitation.
#[derive(Debug)]
struct Block {
	expand: Option<(Conv2d, BatchNorm)>,
	depthwise: (SameConv, BatchNorm),
	project: (Conv2d, BatchNorm),
	residual: bool,
}

impl Block {
	fn load((kernel, stride, expansion, inputs, outputs): (usize, usize, usize, usize, usize), vb: VarBuilder) -> Result<Self> {
		let hidden = inputs * expansion;
		let pointwise = |i, o, name: &str| conv2d_no_bias(i, o, 1, Conv2dConfig::default(), vb.pp(name));
		let (expand, depthwise_norm, project_norm) = if expansion == 1 {
			(None, "_bn1", "_bn2")
		} else {
			(Some((pointwise(inputs, hidden, "_expand_conv")?, norm(hidden, vb.pp("_bn0"))?)), "_bn1", "_bn2")
		};
		let depthwise = SameConv::load(hidden, hidden, kernel, stride, hidden, vb.pp("_depthwise_conv"))?;
		Ok(Self {
			expand,
			depthwise: (depthwise, norm(hidden, vb.pp(depthwise_norm))?),
			project: (pointwise(hidden, outputs, "_project_conv")?, norm(outputs, vb.pp(project_norm))?),
			residual: stride == 1 && inputs == outputs,
		})
	}

	fn forward(&self, x: &Tensor) -> Result<Tensor> {
		let mut h = x.clone();
		if let Some((conv, bn)) = &self.expand {
			h = relu6(&bn.forward_t(&conv.forward(&h)?, false)?)?;
		}
		h = relu6(&self.depthwise.1.forward_t(&self.depthwise.0.forward(&h)?, false)?)?;
		h = self.project.1.forward_t(&self.project.0.forward(&h)?, false)?;
		if self.residual {
			h = (h + x)?;
		}
		Ok(h)
	}
}

/// The style critic's feature extractor.
#[derive(Debug)]
pub struct StyleCritic {
	stem: (SameConv, BatchNorm),
	blocks: Vec<Block>,
}

impl StyleCritic {
	/// Loads the stem and the first stages from EfficientNet-Lite0's weights.
	pub fn load(vb: VarBuilder) -> Result<Self> {
		let stem = (SameConv::load(3, 32, 3, 2, 1, vb.pp("_conv_stem"))?, norm(32, vb.pp("_bn0"))?);
		let blocks = BLOCKS
			.iter()
			.enumerate()
			.map(|(index, config)| Block::load(*config, vb.pp("_blocks").pp(index)))
			.collect::<Result<_>>()?;
		Ok(Self { stem, blocks })
	}

	/// The feature maps at [`STYLE_TAPS`] for images `x` (n × 3 × h × w in [−1, 1]).
	pub fn features(&self, x: &Tensor) -> Result<Vec<Tensor>> {
		let mut h = relu6(&self.stem.1.forward_t(&self.stem.0.forward(x)?, false)?)?;
		let mut taps = Vec::with_capacity(STYLE_TAPS.len());
		for (index, block) in self.blocks.iter().enumerate() {
			h = block.forward(&h)?;
			if STYLE_TAPS.contains(&index) {
				taps.push(h.clone());
			}
		}
		Ok(taps)
	}
}

/// The square roots of the Gram matrix's diagonal of each feature map: each channel's
/// root-mean-square activation (n × channels).
pub fn gram_diagonal_roots(features: &Tensor) -> Result<Tensor> {
	features.sqr()?.flatten_from(2)?.mean(D::Minus1)?.sqrt()
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::{DType, Device};
	use candle_nn::VarMap;

	#[test]
	fn same_padding_keeps_ceil_of_size_over_stride() {
		let device = Device::Cpu;
		let weights = VarMap::new();
		let vb = VarBuilder::from_varmap(&weights, DType::F32, &device);
		let conv = SameConv::load(1, 1, 5, 2, 1, vb).unwrap();
		for size in [7usize, 8, 128] {
			let x = Tensor::zeros((1, 1, size, size), DType::F32, &device).unwrap();
			assert_eq!(conv.forward(&x).unwrap().dims(), &[1, 1, size.div_ceil(2), size.div_ceil(2)]);
		}
	}

	#[test]
	fn a_random_critic_taps_stages_two_and_three_at_their_resolutions() {
		let device = Device::Cpu;
		let weights = VarMap::new();
		let critic = StyleCritic::load(VarBuilder::from_varmap(&weights, DType::F32, &device)).unwrap();
		let images = Tensor::randn(0f32, 0.5, (2, 3, 128, 128), &device).unwrap();
		let taps = critic.features(&images).unwrap();
		assert_eq!(taps[0].dims(), &[2, 24, 32, 32]);
		assert_eq!(taps[1].dims(), &[2, 40, 16, 16]);
		assert_eq!(gram_diagonal_roots(&taps[1]).unwrap().dims(), &[2, 40]);
	}
}
