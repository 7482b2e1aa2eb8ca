//! The fitness loop of restyle jobs: a client's image repainted in a DAO style (stylize) or
//! turned into line art, with candidates over one level and the critic choosing.
//!
//! - **Stylize**: the style-transfer network paints the content once in the style's basis
//!   blend; candidate `k` of `n` mixes it with the content at strength `max · (k + 1) / n`.
//! - **Line art**: HED gives each pixel's edge probability once; candidate `k` draws lines of
//!   darkness `min(edge / t, 1)` at threshold `t = 1 − 0.8 · k / max(n − 1, 1)` (fainter to
//!   bolder).
//!
//! Every candidate is quantized to the 8-bit pixels its PNG holds and judged through the
//! critic's view of it (a 128 × 128 bilinear resize: the resolution the styles' references are
//! measured at): its **style deviation** from the job's style, and its **content
//! preservation** (the quality score), the cosine similarity of the critic's stage-3 feature
//! maps of candidate and content, floored at 0. "Restyled beyond recognition" scores low and
//! falls below `QualityThreshold`. The winner is the most faithful candidate within
//! `max_deviation`, or the least deviating one when none is.
//!
//! Everything is deterministic: the published [`RestyleSettings`] (kind, blend, the winner's
//! level) and the content re-make the winner exactly ([`remake`]).

use crate::{
	inference::{
		client_image::{unit_to_rgb, RgbImage},
		generator::{EyeGenerator, CLASSES},
		image::{png_bytes, rgb_bytes, tensor_from_rgb},
		line_art::{lines_on_white, Hed},
		style_critic::StyleCritic,
		stylize::{mix, StyleTransfer, BASIS_STYLES},
	},
	style::{deviation, style_vectors, to_permill},
};
use candle_core::{Device, Tensor, D};

/// The side of the critic's view of a restyled image.
pub const CRITIC_VIEW_SIDE: usize = 128;

/// What a restyle job makes.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
// Externally tagged and not flattened: serde buffers flattened and internally tagged values,
// which breaks numbers under serde_json's `arbitrary_precision` (enabled in this workspace).
#[serde(rename_all = "kebab-case")]
pub enum RestyleKind {
	/// The content repainted in `blend` (basis index, share), at most `max_strength` of it.
	Stylize { blend: Vec<(u8, f32)>, max_strength: f32 },
	/// The content as line art.
	LineArt,
}

/// Everything that decided a restyle job's output besides the job itself (published with the
/// result): with the content, enough to re-make the winner.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RestyleSettings {
	/// What was made.
	pub kind: RestyleKind,
	/// sha2-256 (hex) of the style-transfer or line-art model's weights.
	pub model_sha256: String,
	/// sha2-256 (hex) of the style critic's weights.
	pub critic_sha256: String,
	/// The CID (text) of the content.
	pub content: String,
	/// Candidates tried.
	pub candidates: u32,
	/// The winner's level: its strength (stylize) or line threshold (line art).
	pub level: f32,
}

/// The restyling networks (each present when its model is fetched).
pub struct Restylers {
	/// Style transfer and the sha2-256 of its weights.
	pub stylize: Option<(String, StyleTransfer)>,
	/// Line art and the sha2-256 of its weights.
	pub line_art: Option<(String, Hed)>,
}

/// A restyle job's result.
#[derive(Clone, Debug)]
pub struct RestyleOutcome {
	/// The winner as PNG bytes (the content's size).
	pub png: Vec<u8>,
	/// Its style deviation, in parts per million.
	pub deviation_ppm: u32,
	/// Its content preservation, in parts per million: the quality reported.
	pub quality_ppm: u32,
	/// JSON of the [`RestyleSettings`].
	pub settings: Vec<u8>,
}

/// Why a restyle job could not run.
#[derive(Debug, thiserror::Error)]
pub enum RestyleError {
	/// The worker has not fetched the model the job needs.
	#[error("this worker has not loaded the {0} model (run `studio-worker models fetch`)")]
	ModelMissing(&'static str),
	/// The blend or strength cannot be painted.
	#[error("invalid restyle settings: {0}")]
	Settings(String),
	/// A model failed.
	#[error(transparent)]
	Tensor(#[from] candle_core::Error),
	/// The output could not be encoded.
	#[error(transparent)]
	Image(#[from] crate::inference::image::ImageError),
}

/// The level of candidate `k` of `n`.
fn level(kind: &RestyleKind, k: u32, n: u32) -> f32 {
	match kind {
		RestyleKind::Stylize { max_strength, .. } => max_strength * (k + 1) as f32 / n as f32,
		RestyleKind::LineArt => 1.0 - 0.8 * k as f32 / n.saturating_sub(1).max(1) as f32,
	}
}

/// A blend as the network's [1, 26] style weights.
fn style_weights(blend: &[(u8, f32)], device: &Device) -> Result<Tensor, RestyleError> {
	let mut weights = vec![0f32; BASIS_STYLES];
	for (basis, share) in blend {
		let slot = weights
			.get_mut(*basis as usize)
			.ok_or_else(|| RestyleError::Settings(format!("basis style {basis} of {BASIS_STYLES}")))?;
		*slot += share;
	}
	let total: f32 = weights.iter().sum();
	if blend.is_empty() || (total - 1.0).abs() > 1e-4 || weights.iter().any(|w| *w < 0.0) {
		return Err(RestyleError::Settings(format!("the blend's shares sum to {total}, not 1")))
	}
	Ok(Tensor::from_vec(weights, (1, BASIS_STYLES), device)?)
}

/// What the network makes of the content once, before the level: the stylized image or the
/// edge map ([1, C, h, w] in [0, 1]).
fn network_output(restylers: &Restylers, kind: &RestyleKind, content: &Tensor) -> Result<Tensor, RestyleError> {
	match kind {
		RestyleKind::Stylize { blend, max_strength } => {
			if !(*max_strength > 0.0 && *max_strength <= 1.0) {
				return Err(RestyleError::Settings(format!("strength {max_strength} is not in (0, 1]")))
			}
			let (_, network) = restylers.stylize.as_ref().ok_or(RestyleError::ModelMissing("style-transfer"))?;
			Ok(network.forward(content, &style_weights(blend, content.device())?)?)
		},
		RestyleKind::LineArt => {
			let (_, hed) = restylers.line_art.as_ref().ok_or(RestyleError::ModelMissing("line-art"))?;
			Ok(hed.forward(content)?)
		},
	}
}

/// The candidate at `level` from the network's output, quantized: [3, h, w] in [−1, 1].
fn candidate(kind: &RestyleKind, content: &Tensor, output: &Tensor, level: f32) -> Result<Tensor, RestyleError> {
	let unit = match kind {
		RestyleKind::Stylize { .. } => mix(content, output, level as f64)?,
		RestyleKind::LineArt => lines_on_white(&(output / level as f64)?.clamp(0f32, 1f32)?)?,
	};
	let rgb = unit_to_rgb(&unit.get(0)?)?;
	Ok(tensor_from_rgb(rgb.width, rgb.height, &rgb.pixels, content.device())?)
}

/// Images ([n, 3, h, w] in [−1, 1]) as the critic sees them: 128 × 128.
pub fn critic_view(images: &Tensor) -> candle_core::Result<Tensor> {
	images.upsample_bilinear2d(CRITIC_VIEW_SIDE, CRITIC_VIEW_SIDE, false)
}

/// The critic's view of a content: [1, 3, 128, 128] in [−1, 1].
pub fn content_view(content: &RgbImage, device: &Device) -> candle_core::Result<Tensor> {
	critic_view(&tensor_from_rgb(content.width, content.height, &content.pixels, device)?.unsqueeze(0)?)
}

/// The content preservation of each image against the content (critic views): the cosine
/// similarity of their stage-3 feature maps, floored at 0, in parts per million.
pub fn preservation_ppm(critic: &StyleCritic, content_view: &Tensor, views: &Tensor) -> candle_core::Result<Vec<u32>> {
	let deepest = |x: &Tensor| -> candle_core::Result<Tensor> {
		critic.features(x)?.pop().expect("the critic taps two stages").flatten_from(1)
	};
	let reference = deepest(content_view)?;
	let features = deepest(views)?;
	let dot = features.broadcast_mul(&reference)?.sum(D::Minus1)?;
	let norms = (features.sqr()?.sum(D::Minus1)?.sqrt()? * reference.sqr()?.sum_all()?.sqrt()?.to_scalar::<f32>()? as f64)?;
	let cosine: Vec<f32> = (dot / (norms + 1e-12)?)?.to_vec1()?;
	Ok(cosine.into_iter().map(|c| to_permill(c.max(0.0) as f64)).collect())
}

/// Runs a restyle job on `content` and returns its winner.
#[allow(clippy::too_many_arguments)]
pub fn restyle(
	restylers: &Restylers,
	critic: (&str, &StyleCritic),
	kind: RestyleKind,
	content: &RgbImage,
	content_cid: &str,
	reference: &[f32],
	candidates: u32,
	max_deviation_ppm: u32,
	device: &Device,
) -> Result<RestyleOutcome, RestyleError> {
	if candidates == 0 {
		return Err(RestyleError::Settings("at least one candidate".into()))
	}
	let content_unit = content.unit_tensor(device)?;
	let output = network_output(restylers, &kind, &content_unit)?;
	let content_view = content_view(content, device)?;
	let mut images = Vec::with_capacity(candidates as usize);
	for k in 0..candidates {
		images.push(candidate(&kind, &content_unit, &output, level(&kind, k, candidates))?);
	}
	let views = critic_view(&Tensor::stack(&images, 0)?)?;
	let deviations: Vec<u32> =
		style_vectors(critic.1, &views)?.iter().map(|vector| to_permill(deviation(vector, reference))).collect();
	let qualities = preservation_ppm(critic.1, &content_view, &views)?;
	let within = (0..candidates as usize).filter(|k| deviations[*k] <= max_deviation_ppm);
	let winner = within
		.max_by_key(|k| (qualities[*k], std::cmp::Reverse(*k)))
		.unwrap_or_else(|| (0..candidates as usize).min_by_key(|k| (deviations[*k], *k)).expect("one candidate"));
	let model_sha256 = match &kind {
		RestyleKind::Stylize { .. } => restylers.stylize.as_ref().map(|(hash, _)| hash.clone()),
		RestyleKind::LineArt => restylers.line_art.as_ref().map(|(hash, _)| hash.clone()),
	}
	.unwrap_or_default();
	let settings = RestyleSettings {
		level: level(&kind, winner as u32, candidates),
		kind,
		model_sha256,
		critic_sha256: critic.0.into(),
		content: content_cid.into(),
		candidates,
	};
	Ok(RestyleOutcome {
		png: png_bytes(&images[winner])?,
		deviation_ppm: deviations[winner],
		quality_ppm: qualities[winner],
		settings: serde_json::to_vec(&settings).expect("settings serialize"),
	})
}

/// Re-makes the winner of `settings` from the content alone (what a verifier does): [3, h, w]
/// in [−1, 1], quantized as its PNG stores it.
pub fn remake(restylers: &Restylers, settings: &RestyleSettings, content: &RgbImage, device: &Device) -> Result<Tensor, RestyleError> {
	let content_unit = content.unit_tensor(device)?;
	let output = network_output(restylers, &settings.kind, &content_unit)?;
	candidate(&settings.kind, &content_unit, &output, settings.level)
}

/// The contents restyle styles are measured on: `count` eyes the generator paints from `seed`,
/// exemplar `k` in colour class `k mod 8` from latent stream `k`, quantized as 8-bit RGB.
pub fn exemplar_contents(generator: &EyeGenerator, seed: u64, count: u64, device: &Device) -> Result<Vec<RgbImage>, RestyleError> {
	(0..count)
		.map(|k| {
			let class = k as usize % CLASSES.len();
			let image = generator.generate(seed, k..k + 1, class, device)?.get(0)?;
			let (width, height, pixels) = rgb_bytes(&image)?;
			Ok(RgbImage { width, height, pixels })
		})
		.collect()
}

/// A style's reference from exemplar contents: the mean style vector of each exemplar
/// restyled at full strength (stylize) or at the middle threshold (line art), in the critic's
/// view.
pub fn exemplar_reference(
	restylers: &Restylers,
	critic: &StyleCritic,
	kind: &RestyleKind,
	exemplars: &[RgbImage],
	device: &Device,
) -> Result<Vec<f32>, RestyleError> {
	let mut views = Vec::with_capacity(exemplars.len());
	for exemplar in exemplars {
		let content = exemplar.unit_tensor(device)?;
		let output = network_output(restylers, kind, &content)?;
		let full = match kind {
			RestyleKind::Stylize { max_strength, .. } => *max_strength,
			RestyleKind::LineArt => level(kind, 1, 3),
		};
		views.push(critic_view(&candidate(kind, &content, &output, full)?.unsqueeze(0)?)?);
	}
	Ok(crate::style::reference(&style_vectors(critic, &Tensor::cat(&views, 0)?)?))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn levels_rise_to_the_strength_and_thresholds_fall_to_bold_lines() {
		let stylize = RestyleKind::Stylize { blend: vec![(7, 1.0)], max_strength: 0.8 };
		let levels: Vec<f32> = (0..4).map(|k| level(&stylize, k, 4)).collect();
		assert_eq!(levels, vec![0.2, 0.4, 0.6, 0.8]);
		assert_eq!(level(&RestyleKind::LineArt, 0, 3), 1.0);
		assert!((level(&RestyleKind::LineArt, 2, 3) - 0.2).abs() < 1e-6);
		assert_eq!(level(&RestyleKind::LineArt, 0, 1), 1.0);
	}

	#[test]
	fn a_blend_must_name_real_basis_styles_and_sum_to_one() {
		let device = Device::Cpu;
		assert!(style_weights(&[(3, 0.5), (12, 0.5)], &device).is_ok());
		assert!(matches!(style_weights(&[(26, 1.0)], &device), Err(RestyleError::Settings(_))));
		assert!(matches!(style_weights(&[(3, 0.5)], &device), Err(RestyleError::Settings(_))));
		assert!(matches!(style_weights(&[], &device), Err(RestyleError::Settings(_))));
	}

	#[test]
	fn settings_publish_as_tagged_json_and_read_back() {
		let settings = RestyleSettings {
			kind: RestyleKind::Stylize { blend: vec![(3, 0.5), (12, 0.5)], max_strength: 0.8 },
			model_sha256: "ab".into(),
			critic_sha256: "cd".into(),
			content: "bafk…".into(),
			candidates: 4,
			level: 0.6,
		};
		let json = serde_json::to_string(&settings).unwrap();
		assert!(json.contains(r#""kind":{"stylize":{"blend":[[3,0.5],[12,0.5]],"max_strength":0.8}}"#), "{json}");
		assert_eq!(serde_json::from_str::<RestyleSettings>(&json).unwrap(), settings);
		let lines = RestyleSettings { kind: RestyleKind::LineArt, ..settings };
		let json = serde_json::to_string(&lines).unwrap();
		assert!(json.contains(r#""kind":"line-art""#), "{json}");
		assert_eq!(serde_json::from_str::<RestyleSettings>(&json).unwrap(), lines);
	}
}
