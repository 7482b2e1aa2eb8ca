//! Checking another worker's result (`docs/verification.md`): re-score the delivered image
//! with the style critic, and re-generate its winning candidate from the published settings
//! with the registered weights (a restyle job's winner is re-made from its content). What comes
//! out is the chain's `Finding::Measured`.

use crate::{
	agents::Agents,
	fitness::{quality_ppm, regenerate, PublishedSettings},
	inference::{
		client_image::RgbImage,
		image::{decode_png, rgb_bytes},
	},
	restyle::{content_view, critic_view, preservation_ppm, remake, RestyleKind, RestyleSettings},
	style::{deviation, style_vectors, to_permill},
};
use candle_core::Tensor;

/// What a verifier measured on a delivered image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Measurement {
	/// The style deviation of the delivered image, in parts per million.
	pub deviation_ppm: u32,
	/// Its quality, in parts per million.
	pub quality_ppm: u32,
	/// PSNR of the re-generated winner against the delivered image, in hundredths of a
	/// decibel: `u32::MAX` when the pixels are identical, 0 when the settings cannot
	/// re-generate it.
	pub reproduction_centibels: u32,
}

/// What the chain says of the job whose result is checked.
pub struct JobFacts<'a> {
	/// The job's prompt, when it is on chain (a prompt given only by its hash leaves the
	/// published class unchecked).
	pub prompt: Option<&'a str>,
	/// The job's seed.
	pub seed: u64,
	/// The reference vector of the job's style.
	pub reference: &'a [f32],
}

/// Why an image could not be measured at all (the result is then as good as unavailable).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
	/// The bytes are not an RGB PNG.
	#[error("the output is not an RGB PNG: {0}")]
	NotAnImage(#[from] crate::inference::image::ImageError),
	/// A model failed.
	#[error(transparent)]
	Tensor(#[from] candle_core::Error),
}

/// Measures the delivered `png` of a job against `facts`, re-generating the winner from the
/// published `settings`.
pub fn measure(agents: &Agents, png: &[u8], settings: &[u8], facts: &JobFacts) -> Result<Measurement, VerifyError> {
	let image = decode_png(png, &agents.device)?;
	let vector = style_vectors(&agents.critic, &image.unsqueeze(0)?)?.remove(0);
	let deviation_ppm = to_permill(deviation(&vector, facts.reference));
	let quality_ppm = quality_ppm(&image)?;
	let reproduction_centibels = reproduced(reproduction(agents, settings, facts), &image)?;
	Ok(Measurement { deviation_ppm, quality_ppm, reproduction_centibels })
}

/// How closely the re-made winner reproduces the delivered `image`, in hundredths of a decibel
/// (0 when the settings re-make nothing).
fn reproduced(remade: Option<Tensor>, image: &Tensor) -> Result<u32, VerifyError> {
	Ok(match remade {
		Some(remade) => centibels(&psnr(&remade, image)?),
		None => 0,
	})
}

/// The winner the settings re-generate, if they are readable and follow from the job: its
/// seed, the class the semantic agent reads in its prompt, and the registered weights.
fn reproduction(agents: &Agents, settings: &[u8], facts: &JobFacts) -> Option<Tensor> {
	let settings: PublishedSettings = serde_json::from_slice(settings)
		.inspect_err(|error| tracing::info!(%error, "the published settings are not readable"))
		.ok()?;
	let class = match facts.prompt {
		Some(prompt) => agents.semantic.class_of(prompt).ok()?.0,
		None => settings.class,
	};
	if settings.seed != facts.seed || settings.class != class || settings.generator_sha256 != agents.generator_sha256 {
		tracing::info!(
			seed = settings.seed,
			class = settings.class,
			expected_class = class,
			"the published settings do not follow from the job"
		);
		return None
	}
	regenerate(&agents.generator, &settings, &agents.device)
		.inspect_err(|error| tracing::info!(%error, "the published settings do not re-generate"))
		.ok()
}

/// What the chain says of a restyle job whose result is checked.
pub struct RestyleFacts<'a> {
	/// The content, as fetched and checked against its CID.
	pub content: &'a RgbImage,
	/// The content's CID, as text.
	pub content_cid: &'a str,
	/// What the job asks for: the style's blend and the job's strength, or line art.
	pub kind: &'a RestyleKind,
	/// sha2-256 (hex) of the registered weights of the job's model.
	pub model_sha256: &'a str,
	/// The reference vector of the job's style.
	pub reference: &'a [f32],
}

/// Measures the delivered `png` of a restyle job: its deviation and content preservation in
/// the critic's view, and the PSNR of the winner re-made from the content with the published
/// `settings`.
pub fn measure_restyle(agents: &Agents, png: &[u8], settings: &[u8], facts: &RestyleFacts) -> Result<Measurement, VerifyError> {
	let image = decode_png(png, &agents.device)?;
	let view = critic_view(&image.unsqueeze(0)?)?;
	let vector = style_vectors(&agents.critic, &view)?.remove(0);
	let deviation_ppm = to_permill(deviation(&vector, facts.reference));
	let quality_ppm = preservation_ppm(&agents.critic, &content_view(facts.content, &agents.device)?, &view)?[0];
	let reproduction_centibels = reproduced(remade(agents, settings, facts), &image)?;
	Ok(Measurement { deviation_ppm, quality_ppm, reproduction_centibels })
}

/// The winner the published settings re-make, if they follow from the job: its content, its
/// style's blend, a level the job allows, and the registered weights.
fn remade(agents: &Agents, settings: &[u8], facts: &RestyleFacts) -> Option<Tensor> {
	let settings: RestyleSettings = serde_json::from_slice(settings)
		.inspect_err(|error| tracing::info!(%error, "the published settings are not readable"))
		.ok()?;
	let level_allowed = match (&settings.kind, facts.kind) {
		(RestyleKind::Stylize { .. }, RestyleKind::Stylize { max_strength, .. }) =>
			settings.level > 0.0 && settings.level <= *max_strength + 1e-6,
		(RestyleKind::LineArt, RestyleKind::LineArt) => settings.level > 0.0 && settings.level <= 1.0,
		_ => false,
	};
	if !level_allowed ||
		&settings.kind != facts.kind ||
		settings.content != facts.content_cid ||
		settings.model_sha256 != facts.model_sha256
	{
		tracing::info!(?settings, "the published settings do not follow from the job");
		return None
	}
	remake(&agents.restylers, &settings, facts.content, &agents.device)
		.inspect_err(|error| tracing::info!(%error, "the published settings do not re-make the result"))
		.ok()
}

/// The PSNR of `a` against `b` (image tensors in [−1, 1], compared as the 8-bit pixels their
/// PNGs hold), in decibels; infinite when identical, 0 when their sizes differ.
pub fn psnr(a: &Tensor, b: &Tensor) -> Result<f64, VerifyError> {
	let (a, b) = (rgb_bytes(a)?, rgb_bytes(b)?);
	if (a.0, a.1) != (b.0, b.1) {
		return Ok(0.0)
	}
	let squared: f64 = a.2.iter().zip(&b.2).map(|(x, y)| (*x as f64 - *y as f64).powi(2)).sum();
	let mse = squared / a.2.len().max(1) as f64;
	Ok(if mse == 0.0 { f64::INFINITY } else { 10.0 * (255.0f64 * 255.0 / mse).log10() })
}

/// Decibels in hundredths, as the chain takes them (`u32::MAX` for identical images).
pub fn centibels(psnr: &f64) -> u32 {
	if psnr.is_infinite() {
		u32::MAX
	} else {
		(psnr * 100.0).clamp(0.0, (u32::MAX - 1) as f64) as u32
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use candle_core::Device;

	#[test]
	fn identical_images_reproduce_perfectly_and_a_one_level_change_still_scores_high() {
		let device = Device::Cpu;
		let image = Tensor::from_vec((0..3 * 16).map(|i| (i % 7) as f32 / 4.0 - 0.75).collect::<Vec<_>>(), (3, 4, 4), &device).unwrap();
		assert_eq!(centibels(&psnr(&image, &image).unwrap()), u32::MAX);
		let nudged = (&image + 1.0 / 128.0).unwrap();
		let close = psnr(&image, &nudged).unwrap();
		assert!((45.0..50.0).contains(&close), "one level everywhere: {close} dB");
		let other = image.neg().unwrap();
		assert!(psnr(&image, &other).unwrap() < 20.0);
		assert_eq!(centibels(&48.131), 4813);
	}
}
