//! The fitness loop: generate candidates from the job's seed, score each against the style
//! reference, and search around the best until one is within the studio's deviation limit or
//! the rounds run out. The best candidate wins.
//!
//! Round 0 draws `candidates` latents from the seed. Each later round keeps the `keep` best
//! and draws `candidates / keep` children around each: `child = √(1 − σ²)·parent + σ·noise`
//! (which keeps a standard-normal latent standard normal), the noise drawn from the seed on
//! its own stream. Everything is seeded, so the same job gives the same image on the same
//! device type. Candidates are generated and scored in batches.
//!
//! The worker publishes the [`PublishedSettings`] of the winner with its result: its class,
//! the search and the winner's latent lineage (its round-0 draw, then the noise of each round it
//! descends through), from which [`regenerate`] paints the winning candidate alone.

use crate::{
	inference::{
		generator::{one_hot, EyeGenerator, LATENT_SIZE},
		image::{png_bytes, quantized_batch, ImageError},
		latents::latent,
		style_critic::StyleCritic,
	},
	style::{deviation, style_vectors, to_permill},
};
use candle_core::{Device, Tensor};
use sha2::{Digest, Sha256};

/// How a job is searched.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchSettings {
	/// Candidates per round (the job's `candidates`).
	pub candidates: u32,
	/// Rounds after the first.
	pub rounds: u32,
	/// Parents kept between rounds.
	pub keep: u32,
	/// How far children stray from their parent (σ).
	pub step: f32,
	/// Stop once a candidate's deviation is at most this many parts per million.
	pub target_ppm: u32,
}

impl SearchSettings {
	/// The most candidates [`search`] generates: `candidates` in round 0, then in each later
	/// round `keep` parents with `candidates / keep` children each (at least one). Fewer when a
	/// round reaches `target_ppm`.
	pub fn most_candidates(&self) -> u64 {
		let keep = self.keep.max(1) as u64;
		let later = keep * (self.candidates as u64 / keep).max(1);
		self.candidates as u64 + self.rounds as u64 * later
	}
}

/// What a job's search produced.
#[derive(Clone, Debug)]
pub struct Outcome {
	/// The winning image as PNG bytes.
	pub png: Vec<u8>,
	/// Its style deviation, in parts per million.
	pub deviation_ppm: u32,
	/// Its quality (luminance contrast), in parts per million.
	pub quality_ppm: u32,
	/// How many candidates were generated.
	pub candidates_tried: u32,
	/// The settings that decided the output, as published on chain (JSON of
	/// [`PublishedSettings`]).
	pub settings: Vec<u8>,
	/// sha2-256 of `settings`: what provenance records.
	pub settings_hash: [u8; 32],
}

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum FitnessError {
	/// A model failed.
	#[error(transparent)]
	Tensor(#[from] candle_core::Error),
	/// The image could not be encoded.
	#[error(transparent)]
	Image(#[from] ImageError),
	/// The settings cannot run.
	#[error("invalid search settings: {0}")]
	Settings(&'static str),
}

/// Everything that decided a job's output besides the job itself (its seed and its style's
/// reference are on chain), published with the result: enough to re-generate the winner.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PublishedSettings {
	/// sha2-256 (hex) of the generator's weights.
	pub generator_sha256: String,
	/// sha2-256 (hex) of the style critic's weights.
	pub critic_sha256: String,
	/// The class the semantic agent read in the prompt: the generator's conditioning.
	pub class: usize,
	/// The job's seed.
	pub seed: u64,
	/// The search.
	pub search: SearchSettings,
	/// The winner's latent streams: its round-0 draw, then the noise of each later round.
	pub lineage: Vec<u64>,
}

/// The winner's latent from its lineage: `latent(seed, lineage[0])`, then for each later
/// stream `√(1 − σ²)·latent + σ·noise` — the arithmetic of the search, in its order.
fn latent_of(seed: u64, lineage: &[u64], step: f32) -> Vec<f32> {
	let keep_share = (1.0 - step * step).max(0.0).sqrt();
	let mut current = latent(seed, lineage.first().copied().unwrap_or_default(), LATENT_SIZE);
	for stream in lineage.iter().skip(1) {
		let noise = latent(seed, *stream, LATENT_SIZE);
		current = current.iter().zip(noise).map(|(p, n)| keep_share * p + step * n).collect();
	}
	current
}

/// Paints the winning candidate of `settings` alone, quantized as its PNG stores it.
pub fn regenerate(generator: &EyeGenerator, settings: &PublishedSettings, device: &Device) -> Result<Tensor, FitnessError> {
	if settings.lineage.is_empty() || settings.lineage.len() > settings.search.rounds as usize + 1 {
		return Err(FitnessError::Settings("the lineage needs one stream per round the winner went through"))
	}
	let latent = Tensor::from_vec(latent_of(settings.seed, &settings.lineage, settings.search.step), (1, LATENT_SIZE), device)?;
	let image = generator.forward(&latent, &one_hot(&[settings.class], device)?)?;
	Ok(quantized_batch(&image)?.get(0)?)
}

/// Four times the RMS contrast of the image's luminance (in [0, 1]), capped at 1: flat,
/// washed-out images score low (an RMS contrast under 0.075 is below the default 30 %
/// threshold), painted eyes typically 0.5 to 0.9. In parts per million.
pub fn quality_ppm(image: &Tensor) -> Result<u32, candle_core::Error> {
	let weights = Tensor::new(&[0.299f32, 0.587, 0.114], image.device())?.reshape((3, 1, 1))?;
	let luminance = ((image.broadcast_mul(&weights)?.sum(0)? + 1.0)? / 2.0)?;
	let mean = luminance.mean_all()?;
	let contrast: f32 = luminance.broadcast_sub(&mean)?.sqr()?.mean_all()?.sqrt()?.to_scalar()?;
	Ok(to_permill((contrast as f64 * 4.0).min(1.0)))
}

/// Searches for the image of `class` closest to `reference`, from `seed`.
#[allow(clippy::too_many_arguments)]
pub fn search(
	generator: &EyeGenerator,
	critic: &StyleCritic,
	class: usize,
	reference: &[f32],
	seed: u64,
	settings: &SearchSettings,
	model_hashes: (&str, &str),
	device: &Device,
) -> Result<Outcome, FitnessError> {
	if settings.candidates == 0 || settings.keep == 0 || settings.keep > settings.candidates {
		return Err(FitnessError::Settings("need 1 ≤ keep ≤ candidates"))
	}
	let children = (settings.candidates / settings.keep).max(1) as usize;
	let mut population: Vec<Vec<f32>> =
		(0..settings.candidates as u64).map(|candidate| latent(seed, candidate, LATENT_SIZE)).collect();
	let mut lineages: Vec<Vec<u64>> = (0..settings.candidates as u64).map(|candidate| vec![candidate]).collect();
	let mut best: Option<(f64, Tensor, Vec<u64>)> = None;
	let mut tried = 0u32;
	for round in 0..=settings.rounds {
		let batch = Tensor::from_vec(population.concat(), (population.len(), LATENT_SIZE), device)?;
		let images = quantized_batch(&generator.forward(&batch, &one_hot(&vec![class; population.len()], device)?)?)?;
		tried += population.len() as u32;
		let scores: Vec<f64> =
			style_vectors(critic, &images)?.iter().map(|vector| deviation(vector, reference)).collect();
		let mut ranked: Vec<usize> = (0..population.len()).collect();
		ranked.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]).then(a.cmp(b)));
		let leader = ranked[0];
		if best.as_ref().is_none_or(|(score, _, _)| scores[leader] < *score) {
			best = Some((scores[leader], images.get(leader)?, lineages[leader].clone()));
		}
		let best_score = best.as_ref().map(|(score, _, _)| *score).unwrap_or(f64::MAX);
		if to_permill(best_score) <= settings.target_ppm || round == settings.rounds {
			break
		}
		let keep = settings.keep as usize;
		let stream = 1u64 << 32;
		let noise_stream = |rank: usize, child: usize| stream + (round as u64) * 65_536 + (rank * children + child) as u64;
		lineages = ranked[..keep.min(ranked.len())]
			.iter()
			.enumerate()
			.flat_map(|(rank, parent)| {
				let parent = &lineages[*parent];
				(0..children).map(move |child| [parent.as_slice(), &[noise_stream(rank, child)]].concat())
			})
			.collect();
		population = ranked[..keep.min(ranked.len())]
			.iter()
			.enumerate()
			.flat_map(|(rank, parent)| {
				let parent = population[*parent].clone();
				(0..children).map(move |child| {
					let noise = latent(seed, noise_stream(rank, child), LATENT_SIZE);
					let keep_share = (1.0 - settings.step * settings.step).max(0.0).sqrt();
					parent.iter().zip(noise).map(|(p, n)| keep_share * p + settings.step * n).collect()
				})
			})
			.collect();
	}
	let (score, image, lineage) = best.expect("at least one round ran");
	let published = PublishedSettings {
		generator_sha256: model_hashes.0.into(),
		critic_sha256: model_hashes.1.into(),
		class,
		seed,
		search: settings.clone(),
		lineage,
	};
	let settings = serde_json::to_vec(&published).expect("settings serialize");
	Ok(Outcome {
		png: png_bytes(&image)?,
		deviation_ppm: to_permill(score),
		quality_ppm: quality_ppm(&image)?,
		candidates_tried: tried,
		settings_hash: Sha256::digest(&settings).into(),
		settings,
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn most_candidates_counts_every_round() {
		let settings = |candidates, rounds, keep| SearchSettings { candidates, rounds, keep, step: 0.3, target_ppm: 0 };
		assert_eq!(settings(6, 2, 2).most_candidates(), 18);
		assert_eq!(settings(5, 2, 2).most_candidates(), 5 + 2 * 4);
		assert_eq!(settings(1, 3, 1).most_candidates(), 4);
		assert_eq!(settings(8, 0, 2).most_candidates(), 8);
	}

	#[test]
	fn a_flat_image_has_no_quality_and_a_contrasted_one_full_quality() {
		let device = Device::Cpu;
		let flat = Tensor::full(0.3f32, (3, 8, 8), &device).unwrap();
		assert_eq!(quality_ppm(&flat).unwrap(), 0);
		let checkerboard: Vec<f32> = (0..3 * 64).map(|i| if (i + i / 8) % 2 == 0 { 1.0 } else { -1.0 }).collect();
		let checkerboard = Tensor::from_vec(checkerboard, (3, 8, 8), &device).unwrap();
		assert_eq!(quality_ppm(&checkerboard).unwrap(), 1_000_000);
	}
}
