//! The studio's agents loaded together: the semantic agent reads the prompt, the generator
//! paints, the style critic judges, and the restylers (style transfer and line art) rework a
//! client's own images. [`Agents::design`] runs one brief through them.

use crate::{
	fitness::{benchmark_round, search_finalists, Choice, Finalist, FitnessError, SearchSettings, BENCHMARK_CANDIDATES},
	inference::{
		generator::EyeGenerator,
		semantic::{SemanticAgent, SemanticError},
		line_art::Hed,
		style_critic::StyleCritic,
		stylize::StyleTransfer,
	},
	models::{self, load_verified, LoadError, ModelSource},
	restyle::Restylers,
};
use candle_core::Device;
use std::{path::Path, time::Instant};

/// What a design is asked for.
#[derive(Clone, Debug)]
pub struct Brief<'a> {
	/// The prompt the semantic agent maps to the generator's conditioning.
	pub prompt: &'a str,
	/// The style's reference vector.
	pub reference: &'a [f32],
	/// The seed every random draw starts from.
	pub seed: u64,
	/// How the search runs.
	pub settings: SearchSettings,
	/// How its best are chosen: how many, the quality floor, the style's preference.
	pub choice: Choice,
}

/// A finished design.
#[derive(Clone, Debug)]
pub struct Design {
	/// The colour class the semantic agent chose.
	pub class: usize,
	/// The cosine similarity of the prompt to every class description.
	pub similarities: Vec<f32>,
	/// What the search produced: its best candidates, best first (one unless the brief asked
	/// for finalists).
	pub finalists: Vec<Finalist>,
}

/// Why the agents could not be loaded or could not design.
#[derive(Debug, thiserror::Error)]
pub enum AgentsError {
	/// A model is missing or not the studio's.
	#[error(transparent)]
	Load(#[from] LoadError),
	/// A model's side file is missing.
	#[error("{path}: {source} (run `studio-worker models fetch`)")]
	SideFile { path: std::path::PathBuf, source: std::io::Error },
	/// A model failed to build.
	#[error(transparent)]
	Tensor(#[from] candle_core::Error),
	/// The semantic agent failed.
	#[error(transparent)]
	Semantic(#[from] SemanticError),
	/// The search failed.
	#[error(transparent)]
	Fitness(#[from] FitnessError),
}

/// The generator, the style critic and the semantic agent, each verified against its pinned
/// weights hash when loaded.
pub struct Agents {
	/// The generator.
	pub generator: EyeGenerator,
	/// sha2-256 (hex) of the generator's weights: what the chain's model registry holds.
	pub generator_sha256: String,
	/// The style critic.
	pub critic: StyleCritic,
	/// sha2-256 (hex) of the critic's weights.
	pub critic_sha256: String,
	/// The semantic agent.
	pub semantic: SemanticAgent,
	/// Style transfer and line art, each when fetched.
	pub restylers: Restylers,
	/// Where the models run.
	pub device: Device,
}

fn side_file(dir: &Path, name: &str) -> Result<Vec<u8>, AgentsError> {
	let path = dir.join(name);
	std::fs::read(&path).map_err(|source| AgentsError::SideFile { path, source })
}

impl Agents {
	/// Loads the generator alone with its weights hash (for commands that only paint).
	pub fn generator(models_dir: &Path, device: &Device) -> Result<(String, EyeGenerator), AgentsError> {
		let (manifest, vb) = load_verified(models_dir, &models::EYE_GENERATOR, device)?;
		Ok((manifest.weights_sha256, EyeGenerator::load(vb)?))
	}

	/// Loads the style critic alone with its weights hash.
	pub fn critic(models_dir: &Path, device: &Device) -> Result<(String, StyleCritic), AgentsError> {
		let (manifest, vb) = load_verified(models_dir, &models::STYLE_CRITIC, device)?;
		Ok((manifest.weights_sha256, StyleCritic::load(vb)?))
	}

	/// Loads all three from `models_dir`.
	pub fn load(models_dir: &Path, device: &Device) -> Result<Self, AgentsError> {
		let (generator_sha256, generator) = Self::generator(models_dir, device)?;
		let (critic_sha256, critic) = Self::critic(models_dir, device)?;
		let (_, vb) = load_verified(models_dir, &models::SEMANTIC_AGENT, device)?;
		let dir = models_dir.join(models::SEMANTIC_AGENT.id);
		let config = String::from_utf8_lossy(&side_file(&dir, "config.json")?).into_owned();
		let semantic = SemanticAgent::load(vb, &config, &side_file(&dir, "tokenizer.json")?)?;
		let restylers = Self::restylers(models_dir, device)?;
		Ok(Self { generator, generator_sha256, critic, critic_sha256, semantic, restylers, device: device.clone() })
	}

	/// Loads the restylers that are fetched (a worker without them still generates); a model
	/// that is there but altered is an error.
	pub fn restylers(models_dir: &Path, device: &Device) -> Result<Restylers, AgentsError> {
		fn optional<M>(
			models_dir: &Path,
			source: &ModelSource,
			device: &Device,
			build: impl FnOnce(candle_nn::VarBuilder<'static>) -> candle_core::Result<M>,
		) -> Result<Option<(String, M)>, AgentsError> {
			if !models_dir.join(source.id).join(models::MANIFEST_FILE).exists() {
				tracing::warn!(model = source.id, "not fetched: this worker takes no jobs that need it");
				return Ok(None)
			}
			let (manifest, vb) = load_verified(models_dir, source, device)?;
			Ok(Some((manifest.weights_sha256, build(vb)?)))
		}
		Ok(Restylers {
			stylize: optional(models_dir, &models::STYLE_TRANSFER, device, StyleTransfer::load)?,
			line_art: optional(models_dir, &models::LINE_ART, device, Hed::load)?,
		})
	}

	/// Seconds this machine takes per candidate of a design (generate, quantize, score), timed
	/// on one [`benchmark_round`]. The first run on fresh buffers is slower than the runs after
	/// it, so the figure errs on the slow side.
	pub fn seconds_per_candidate(&self) -> Result<f64, AgentsError> {
		let hashes = (self.generator_sha256.as_str(), self.critic_sha256.as_str());
		let started = Instant::now();
		benchmark_round(&self.generator, &self.critic, 0, hashes, &self.device)?;
		Ok(started.elapsed().as_secs_f64() / f64::from(BENCHMARK_CANDIDATES))
	}

	/// Runs `brief`: the semantic agent picks the class, the search finds the candidates
	/// closest to the style (leaning along its preference).
	pub fn design(&self, brief: &Brief) -> Result<Design, AgentsError> {
		let (class, similarities) = self.semantic.class_of(brief.prompt)?;
		let finalists = search_finalists(
			&self.generator,
			&self.critic,
			class,
			brief.reference,
			brief.seed,
			&brief.settings,
			&brief.choice,
			(&self.generator_sha256, &self.critic_sha256),
			&self.device,
		)?;
		Ok(Design { class, similarities, finalists })
	}
}
