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

use super::{
	conv::{Activation, Conv, ConvSpec, Edge, Padding},
	depthwise::Depthwise,
};
use candle_core::{Result, Tensor, D};
use candle_nn::VarBuilder;

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

/// The batch norms' ε.
const EPSILON: f64 = 1e-3;

/// A bias-free convolution's weights (`weight`, [C, …]) with the batch norm that follows it
/// (`norm`: γ, β, running mean μ and variance σ²) folded in: `weight·γ/√(σ²+ε)` and the bias
/// `β − μ·γ/√(σ²+ε)`.
fn fold_norm(weight: Tensor, norm: VarBuilder) -> Result<(Tensor, Tensor)> {
	let channels = weight.dim(0)?;
	let gamma = norm.get(channels, "weight")?;
	let variance = norm.get(channels, "running_var")?;
	let scale = (gamma / (variance + EPSILON)?.sqrt()?)?;
	let bias = (norm.get(channels, "bias")? - (norm.get(channels, "running_mean")? * &scale)?)?;
	Ok((weight.broadcast_mul(&scale.reshape((channels, 1, 1, 1))?)?, bias))
}

/// The dense convolution `vb.conv` and its batch norm `vb.norm`, folded: TensorFlow "same"
/// padding, then `activation`.
fn conv_norm(vb: &VarBuilder, (conv, norm): (&str, &str), (inputs, outputs, kernel, stride): (usize, usize, usize, usize), activation: Activation) -> Result<Conv> {
	let (weight, bias) = fold_norm(vb.pp(conv).get((outputs, inputs, kernel, kernel), "weight")?, vb.pp(norm))?;
	let spec = ConvSpec { padding: Padding::Same, ..ConvSpec::centred(kernel, Edge::Zeros, stride, activation) };
	Conv::new(weight, Some(bias), spec)
}

/// A mobile inverted bottleneck without squeeze-and-excitation, its norms folded.
#[derive(Debug)]
struct Block {
	expand: Option<Conv>,
	depthwise: Depthwise,
	project: Conv,
	residual: bool,
}

impl Block {
	fn load((kernel, stride, expansion, inputs, outputs): (usize, usize, usize, usize, usize), vb: VarBuilder) -> Result<Self> {
		let hidden = inputs * expansion;
		let expand = (expansion != 1)
			.then(|| conv_norm(&vb, ("_expand_conv", "_bn0"), (inputs, hidden, 1, 1), Activation::Relu6))
			.transpose()?;
		let (weight, bias) = fold_norm(vb.pp("_depthwise_conv").get((hidden, 1, kernel, kernel), "weight")?, vb.pp("_bn1"))?;
		Ok(Self {
			expand,
			depthwise: Depthwise::new(weight, bias, stride, Padding::Same, Activation::Relu6)?,
			project: conv_norm(&vb, ("_project_conv", "_bn2"), (hidden, outputs, 1, 1), Activation::Identity)?,
			residual: stride == 1 && inputs == outputs,
		})
	}

	fn forward(&self, x: &Tensor) -> Result<Tensor> {
		let expanded = match &self.expand {
			Some(expand) => expand.forward(x)?,
			None => x.clone(),
		};
		let h = self.project.forward(&self.depthwise.forward(&expanded)?)?;
		if self.residual {
			h + x
		} else {
			Ok(h)
		}
	}
}

/// The style critic's feature extractor.
#[derive(Debug)]
pub struct StyleCritic {
	stem: Conv,
	blocks: Vec<Block>,
}

impl StyleCritic {
	/// Loads the stem and the first stages from EfficientNet-Lite0's weights.
	pub fn load(vb: VarBuilder) -> Result<Self> {
		let stem = conv_norm(&vb, ("_conv_stem", "_bn0"), (3, 32, 3, 2), Activation::Relu6)?;
		let blocks = BLOCKS
			.iter()
			.enumerate()
			.map(|(index, config)| Block::load(*config, vb.pp("_blocks").pp(index)))
			.collect::<Result<_>>()?;
		Ok(Self { stem, blocks })
	}

	/// The feature maps at [`STYLE_TAPS`] for images `x` (n × 3 × h × w in [−1, 1]).
	pub fn features(&self, x: &Tensor) -> Result<Vec<Tensor>> {
		let mut h = self.stem.forward(x)?;
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
