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
//! A curated job keeps its K best candidates as finalists ([`search_finalists`]); a style's
//! learned [`Preference`] reorders the candidates within the deviation limit.
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
	style::{deviation, style_vectors, to_fixed_point, to_permill},
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

/// How a curated job's finalists, or any job's winner, are chosen among the candidates.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
	/// How many of the best candidates to keep (a curated job's finalists; 1 otherwise).
	pub finalists: usize,
	/// Candidates below this quality (ppm: the chain's `QualityThreshold`) rank last: they
	/// would fail the claim.
	pub quality_floor_ppm: u32,
	/// The style's learned preference.
	pub preference: Preference,
}

impl Default for Choice {
	fn default() -> Self {
		Self { finalists: 1, quality_floor_ppm: 0, preference: Preference::default() }
	}
}

/// What a style's curations taught (`Curation::Preferences` on chain): the direction in
/// style-vector space token holders' picks lean towards, and how much the worker follows it
/// (the governed `PreferenceWeight`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preference {
	/// The direction (components as style vectors have them); empty when none was learned.
	pub direction: Vec<f32>,
	/// The weight of progress along the direction against the style deviation.
	pub weight: f64,
}

impl Preference {
	/// The direction's length (0 when none was learned).
	pub fn length(&self) -> f64 {
		self.direction.iter().map(|p| (*p as f64).powi(2)).sum::<f64>().sqrt()
	}

	/// How far `vector` lies from `reference` along the direction, on the deviation's scale:
	/// `(v − r)·p / (‖p‖ (‖v‖ + ‖r‖))`, between −1 and 1; 0 without a direction.
	pub fn progress(&self, vector: &[f32], reference: &[f32]) -> f64 {
		let length = self.length();
		if length == 0.0 || self.direction.len() != vector.len() || vector.len() != reference.len() {
			return 0.0
		}
		let scale = vector.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt() +
			reference.iter().map(|r| (*r as f64).powi(2)).sum::<f64>().sqrt();
		let along: f64 = vector
			.iter()
			.zip(reference)
			.zip(&self.direction)
			.map(|((v, r), p)| (*v as f64 - *r as f64) * *p as f64)
			.sum();
		along / (length * scale.max(f64::MIN_POSITIVE))
	}
}

/// One of a search's best candidates.
#[derive(Clone, Debug)]
pub struct Finalist {
	/// The image, its scores and the settings that re-generate it.
	pub outcome: Outcome,
	/// Its style vector, as the chain receives it (units of 10⁻⁶).
	pub style_vector: Vec<i32>,
}

/// A scored candidate: ranked by `key`, lowest first.
struct Scored {
	key: (u8, f64),
	deviation: f64,
	/// Measured only when a quality floor asks for it.
	quality_ppm: Option<u32>,
	image: Tensor,
	lineage: Vec<u64>,
	vector: Vec<f32>,
}

/// A candidate's rank: within the deviation limit and the quality floor first, by deviation
/// less the preference's weight times its progress along the preference; then those over the
/// limit by deviation; those below the quality floor last. Without a preference the first
/// group ranks by deviation alone, as the search always did.
fn rank_key(deviation: f64, quality_ppm: Option<u32>, progress: f64, settings: &SearchSettings, choice: &Choice) -> (u8, f64) {
	if quality_ppm.is_some_and(|quality| quality < choice.quality_floor_ppm) {
		(2, deviation)
	} else if to_permill(deviation) > settings.target_ppm {
		(1, deviation)
	} else {
		(0, deviation - choice.preference.weight * progress)
	}
}

/// The order of [`rank_key`]s: by group, then by score.
fn rank_order(a: &(u8, f64), b: &(u8, f64)) -> std::cmp::Ordering {
	a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
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
	let best = search_finalists(generator, critic, class, reference, seed, settings, &Choice::default(), model_hashes, device)?;
	Ok(best.into_iter().next().expect("at least one candidate").outcome)
}

/// Candidates in a [`benchmark_round`].
pub const BENCHMARK_CANDIDATES: u32 = 16;

/// One round of the search as the speed measurements run it (`studio-worker bench`'s fitness
/// loop, a worker's timing at start-up): [`BENCHMARK_CANDIDATES`] candidates of class 0 from
/// `seed`, generated, quantized and scored against a flat reference.
pub fn benchmark_round(
	generator: &EyeGenerator,
	critic: &StyleCritic,
	seed: u64,
	model_hashes: (&str, &str),
	device: &Device,
) -> Result<(), FitnessError> {
	let reference = vec![1.0f32; crate::style::STYLE_DIMENSIONS];
	let settings = SearchSettings { candidates: BENCHMARK_CANDIDATES, rounds: 0, keep: 2, step: 0.3, target_ppm: 0 };
	search(generator, critic, 0, &reference, seed, &settings, model_hashes, device).map(drop)
}

/// Searches for the `choice.finalists` best images of `class` for `reference`, from `seed`
/// (best first): the search stops once that many are within the deviation limit and the
/// quality floor, or when its rounds run out.
#[allow(clippy::too_many_arguments)]
pub fn search_finalists(
	generator: &EyeGenerator,
	critic: &StyleCritic,
	class: usize,
	reference: &[f32],
	seed: u64,
	settings: &SearchSettings,
	choice: &Choice,
	model_hashes: (&str, &str),
	device: &Device,
) -> Result<Vec<Finalist>, FitnessError> {
	if settings.candidates == 0 || settings.keep == 0 || settings.keep > settings.candidates {
		return Err(FitnessError::Settings("need 1 ≤ keep ≤ candidates"))
	}
	if choice.finalists == 0 {
		return Err(FitnessError::Settings("need at least one finalist"))
	}
	let children = (settings.candidates / settings.keep).max(1) as usize;
	let mut population: Vec<Vec<f32>> =
		(0..settings.candidates as u64).map(|candidate| latent(seed, candidate, LATENT_SIZE)).collect();
	let mut lineages: Vec<Vec<u64>> = (0..settings.candidates as u64).map(|candidate| vec![candidate]).collect();
	let mut best: Vec<Scored> = Vec::with_capacity(choice.finalists + population.len());
	let mut tried = 0u32;
	for round in 0..=settings.rounds {
		let batch = Tensor::from_vec(population.concat(), (population.len(), LATENT_SIZE), device)?;
		let images = quantized_batch(&generator.forward(&batch, &one_hot(&vec![class; population.len()], device)?)?)?;
		tried += population.len() as u32;
		let vectors = style_vectors(critic, &images)?;
		let qualities = if choice.quality_floor_ppm > 0 {
			(0..population.len()).map(|index| quality_ppm(&images.get(index)?).map(Some)).collect::<Result<Vec<_>, _>>()?
		} else {
			vec![None; population.len()]
		};
		let deviations: Vec<f64> = vectors.iter().map(|vector| deviation(vector, reference)).collect();
		let keys: Vec<(u8, f64)> = (0..population.len())
			.map(|index| {
				let progress = choice.preference.progress(&vectors[index], reference);
				rank_key(deviations[index], qualities[index], progress, settings, choice)
			})
			.collect();
		let mut ranked: Vec<usize> = (0..population.len()).collect();
		ranked.sort_by(|a, b| rank_order(&keys[*a], &keys[*b]).then(a.cmp(b)));
		for index in ranked.iter().take(choice.finalists) {
			best.push(Scored {
				key: keys[*index],
				deviation: deviations[*index],
				quality_ppm: qualities[*index],
				image: images.get(*index)?,
				lineage: lineages[*index].clone(),
				vector: vectors[*index].clone(),
			});
		}
		// Stable: an earlier round's candidate keeps its place among equals.
		best.sort_by(|a, b| rank_order(&a.key, &b.key));
		best.truncate(choice.finalists);
		let done = best.len() == choice.finalists && best.iter().all(|scored| scored.key.0 == 0);
		if done || round == settings.rounds {
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
	best.into_iter()
		.map(|scored| {
			let published = PublishedSettings {
				generator_sha256: model_hashes.0.into(),
				critic_sha256: model_hashes.1.into(),
				class,
				seed,
				search: settings.clone(),
				lineage: scored.lineage,
			};
			let settings = serde_json::to_vec(&published).expect("settings serialize");
			let quality_ppm = match scored.quality_ppm {
				Some(quality) => quality,
				None => quality_ppm(&scored.image)?,
			};
			Ok(Finalist {
				outcome: Outcome {
					png: png_bytes(&scored.image)?,
					deviation_ppm: to_permill(scored.deviation),
					quality_ppm,
					candidates_tried: tried,
					settings_hash: Sha256::digest(&settings).into(),
					settings,
				},
				style_vector: to_fixed_point(&scored.vector),
			})
		})
		.collect()
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
