//! The models as candle modules: one file per model, each `load` from a `VarBuilder` and a
//! pure `forward` (tensors in, tensors out), with the helpers that turn their outputs into
//! files.

pub mod client_image;
pub mod conv;
pub mod depthwise;
mod direct;
pub mod generator;
pub mod image;
mod im2col;
pub mod latents;
pub mod line_art;
pub mod pool;
pub mod semantic;
mod simd;
pub mod style_critic;
pub mod stylize;
mod winograd;
