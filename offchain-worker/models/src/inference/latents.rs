//! Latents drawn from a job's seed: the same seed and candidate give the same latent on every
//! machine (ChaCha20, one stream per candidate, standard normal).

use candle_core::{Device, Result, Tensor};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rand_distr::{Distribution, StandardNormal};

/// The latent of candidate `candidate` of a job seeded with `seed`.
pub fn latent(seed: u64, candidate: u64, size: usize) -> Vec<f32> {
	let mut rng = ChaCha20Rng::seed_from_u64(seed);
	rng.set_stream(candidate);
	(0..size).map(|_| StandardNormal.sample(&mut rng)).collect()
}

/// Latents of candidates `candidates` of a job seeded with `seed`, as rows of a tensor.
pub fn latents(seed: u64, candidates: std::ops::Range<u64>, size: usize, device: &Device) -> Result<Tensor> {
	let rows = candidates.end.saturating_sub(candidates.start) as usize;
	let values: Vec<f32> = candidates.flat_map(|candidate| latent(seed, candidate, size)).collect();
	Tensor::from_vec(values, (rows, size), device)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_same_seed_and_candidate_give_the_same_latent_and_others_differ() {
		assert_eq!(latent(42, 3, 100), latent(42, 3, 100));
		assert_ne!(latent(42, 3, 100), latent(42, 4, 100));
		assert_ne!(latent(42, 3, 100), latent(43, 3, 100));
		let values = latent(7, 0, 10_000);
		let mean = values.iter().sum::<f32>() / values.len() as f32;
		let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / values.len() as f32;
		assert!(mean.abs() < 0.05 && (variance - 1.0).abs() < 0.05, "mean {mean}, variance {variance}");
	}

	#[test]
	fn a_batch_is_the_candidates_latents_in_order() {
		let batch = latents(9, 2..5, 4, &Device::Cpu).unwrap();
		let rows: Vec<Vec<f32>> = batch.to_vec2().unwrap();
		assert_eq!(rows, (2..5).map(|candidate| latent(9, candidate, 4)).collect::<Vec<_>>());
	}
}
