//! The style index on the real models: the generator and critic give PyTorch's golden outputs,
//! generated eyes are closer to the reference of their own colour class than to a far one, and
//! re-scoring a stored PNG gives the same number.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::path::Path;

use studio_models::{
	inference::{
		generator::{one_hot, EyeGenerator, CLASSES, LATENT_SIZE},
		image::{decode_png, png_bytes, quantized_batch},
		style_critic::StyleCritic,
	},
	models::{self, ModelSource},
	style::{deviation, exemplar_reference, from_fixed_point, reference, style_vectors, to_fixed_point},
};

fn load(dir: &Path, source: &ModelSource) -> VarBuilder<'static> {
	models::fetch(source, dir, &models::shared_wheel_cache()).expect("the model fetches");
	let weights = dir.join(source.id).join(models::WEIGHTS_FILE);
	VarBuilder::from_buffered_safetensors(std::fs::read(weights).unwrap(), DType::F32, &Device::Cpu).unwrap()
}

struct Models {
	generator: EyeGenerator,
	critic: StyleCritic,
}

fn models() -> Models {
	let dir = tempfile::tempdir().unwrap();
	Models {
		generator: EyeGenerator::load(load(dir.path(), &models::EYE_GENERATOR)).unwrap(),
		critic: StyleCritic::load(load(dir.path(), &models::STYLE_CRITIC)).unwrap(),
	}
}

/// The generator and the critic against the outputs PyTorch gave for the same weights and two
/// fixed latents (`tests/fixtures/torch-golden.json`, from `scripts/bench_torch.py --check`;
/// the numbers are committed, not PyTorch): a faster kernel cannot silently change the models.
#[test]
fn the_generator_and_critic_give_pytorchs_golden_outputs() {
	let golden: serde_json::Value =
		serde_json::from_str(include_str!("fixtures/torch-golden.json")).expect("the golden outputs");
	let floats = |value: &serde_json::Value| -> Vec<f32> {
		value.as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect()
	};
	let latents: Vec<f32> = golden["latents"].as_array().unwrap().iter().flat_map(floats).collect();
	let models = models();
	let device = Device::Cpu;
	let latents = Tensor::from_vec(latents, (2, LATENT_SIZE), &device).unwrap();
	let class = golden["class"].as_u64().unwrap() as usize;
	let images = models.generator.forward(&latents, &one_hot(&[class, class], &device).unwrap()).unwrap();
	let first: Vec<f32> = images.flatten_all().unwrap().narrow(0, 0, 8).unwrap().to_vec1().unwrap();
	for (found, expected) in first.iter().zip(floats(&golden["generator_first_8"])) {
		assert!((found - expected).abs() < 1e-4, "generator: {first:?}, golden {:?}", golden["generator_first_8"]);
	}
	let vectors = style_vectors(&models.critic, &images).unwrap();
	for (vector, expected) in vectors.iter().zip(golden["style_vectors"].as_array().unwrap()) {
		for (found, expected) in vector.iter().zip(floats(expected)) {
			assert!((found - expected).abs() <= 1e-4 * expected.abs().max(1.0), "critic: {found} against {expected}");
		}
	}
}

/// `count` quantized eyes of `class` from `seed`.
fn eyes(models: &Models, class: &str, seed: u64, count: u64) -> Tensor {
	let class = CLASSES.iter().position(|c| *c == class).unwrap();
	quantized_batch(&models.generator.generate(seed, 0..count, class, &Device::Cpu).unwrap()).unwrap()
}

fn mean_deviation(models: &Models, images: &Tensor, reference: &[f32]) -> f64 {
	let vectors = style_vectors(&models.critic, images).unwrap();
	vectors.iter().map(|v| deviation(v, reference)).sum::<f64>() / vectors.len() as f64
}

#[test]
fn eyes_are_nearest_to_their_own_class_reference() {
	let models = models();
	let classes = ["amber", "green", "grayscale", "red"];
	let references: Vec<Vec<f32>> = classes
		.iter()
		.map(|class| reference(&style_vectors(&models.critic, &eyes(&models, class, 1_000, 8)).unwrap()))
		.collect();
	let mut table = String::from("mean deviation (ppm) of 8 fresh eyes (rows) from each class reference (columns)\n");
	let mut matrix = Vec::new();
	for class in classes {
		let fresh = eyes(&models, class, 2_000, 8);
		let row: Vec<f64> = references.iter().map(|r| mean_deviation(&models, &fresh, r)).collect();
		table += &format!("{class:>10} {}\n", row.iter().map(|d| format!("{:>8.0}", d * 1e6)).collect::<String>());
		matrix.push(row);
	}
	println!("{table}");
	for (row, deviations) in matrix.iter().enumerate() {
		let own = deviations[row];
		let nearest = deviations.iter().cloned().fold(f64::MAX, f64::min);
		assert_eq!(own, nearest, "{}: another class's reference is nearer\n{table}", classes[row]);
	}
	let (grayscale, red) = (2, 3);
	assert!(matrix[red][grayscale] > 3.0 * matrix[grayscale][grayscale], "red eyes drift from grayscale\n{table}");
}

/// The generator in bfloat16 (the GPU throughput figure's) paints the f32 generator's eyes to
/// within bf16's precision: close in pixels, and as far from each style as they are.
#[test]
fn the_generator_in_bf16_paints_the_f32_eyes_within_its_precision() {
	let models = models();
	assert_eq!(models.generator.dtype(), DType::F32);
	let half = models.generator.to_dtype(DType::BF16).unwrap();
	assert_eq!(half.dtype(), DType::BF16);
	let class = CLASSES.iter().position(|c| *c == "hazel").unwrap();
	let full = models.generator.generate(3, 0..4, class, &Device::Cpu).unwrap();
	let halved = half.generate(3, 0..4, class, &Device::Cpu).unwrap();
	assert_eq!((halved.dims(), halved.dtype()), (full.dims(), DType::F32));
	let error = (&halved - &full).unwrap();
	let worst: f32 = error.abs().unwrap().max_all().unwrap().to_scalar().unwrap();
	let mean_square: f32 = error.sqr().unwrap().mean_all().unwrap().to_scalar().unwrap();
	// Pixels span 2 (−1 to 1).
	let psnr = 10.0 * (4.0 / mean_square as f64).log10();
	println!("bf16 against f32: PSNR {psnr:.1} dB, largest difference {worst}");
	assert!(psnr > 45.0 && worst < 0.05, "PSNR {psnr:.1} dB, largest difference {worst}");
	let (full, halved) = (quantized_batch(&full).unwrap(), quantized_batch(&halved).unwrap());
	let reference = reference(&style_vectors(&models.critic, &full).unwrap());
	let apart = (mean_deviation(&models, &halved, &reference) - mean_deviation(&models, &full, &reference)).abs();
	println!("mean deviation apart: {apart:e}");
	assert!(apart < 1e-3, "{apart}");
}

#[test]
fn a_stored_png_rescored_gives_the_same_style_vector() {
	let models = models();
	let image = eyes(&models, "hazel", 5, 1);
	let scored = style_vectors(&models.critic, &image).unwrap();
	let png = png_bytes(&image.get(0).unwrap()).unwrap();
	let decoded = decode_png(&png, &Device::Cpu).unwrap().unsqueeze(0).unwrap();
	let rescored = style_vectors(&models.critic, &decoded).unwrap();
	assert_eq!(scored, rescored);
	assert_eq!(deviation(&scored[0], &rescored[0]), 0.0);
}

#[test]
fn a_search_is_deterministic_and_never_worse_than_its_first_round() {
	use studio_models::fitness::{search, SearchSettings};
	let models = models();
	let grayscale = reference(&style_vectors(&models.critic, &eyes(&models, "grayscale", 1_000, 8)).unwrap());
	let red = CLASSES.iter().position(|c| *c == "red").unwrap();
	let run = |rounds, target_ppm| {
		let settings = SearchSettings { candidates: 6, rounds, keep: 2, step: 0.3, target_ppm };
		search(&models.generator, &models.critic, red, &grayscale, 11, &settings, ("g", "c"), &Device::Cpu).unwrap()
	};
	// A target of 0 is never met: every round runs.
	let first_round_only = run(0, 0);
	let searched = run(2, 0);
	assert_eq!(first_round_only.candidates_tried, 6);
	assert_eq!(searched.candidates_tried, 18);
	assert!(searched.deviation_ppm <= first_round_only.deviation_ppm);
	let again = run(2, 0);
	assert_eq!((again.png, again.settings_hash), (searched.png.clone(), searched.settings_hash));
	// A target already met stops after the first round.
	let easy = run(2, 1_000_000);
	assert_eq!(easy.candidates_tried, 6);
	assert_ne!(easy.settings_hash, searched.settings_hash, "the target is part of the settings");
	// What is reported is what re-scoring the PNG gives.
	let decoded = decode_png(&searched.png, &Device::Cpu).unwrap().unsqueeze(0).unwrap();
	let rescored = deviation(&style_vectors(&models.critic, &decoded).unwrap()[0], &grayscale);
	assert_eq!(studio_models::style::to_permill(rescored), searched.deviation_ppm);
}

#[test]
fn the_semantic_agent_maps_prompts_to_the_colour_they_name() {
	let dir = tempfile::tempdir().unwrap();
	let vb = load(dir.path(), &models::SEMANTIC_AGENT);
	let model_dir = dir.path().join(models::SEMANTIC_AGENT.id);
	let agent = studio_models::inference::semantic::SemanticAgent::load(
		vb,
		&std::fs::read_to_string(model_dir.join("config.json")).unwrap(),
		&std::fs::read(model_dir.join("tokenizer.json")).unwrap(),
	)
	.unwrap();
	for (prompt, class) in [
		("an etching of a grayscale eye in black and white", "grayscale"),
		("a vivid red eye", "red"),
		("a green study", "green"),
		("an eye the colour of the sky, blue", "blue"),
	] {
		let (found, similarities) = agent.class_of(prompt).unwrap();
		assert_eq!(CLASSES[found], class, "{prompt}: {similarities:?}");
		// The class descriptions' embeddings, made once at load, are what embedding them
		// beside the prompt gives (within f32 rounding of the batch's padding).
		let mut sentences = vec![prompt];
		sentences.extend(studio_models::inference::semantic::CLASS_DESCRIPTIONS);
		let together = agent.embed(&sentences).unwrap();
		let descriptions = together.narrow(0, 1, CLASSES.len()).unwrap();
		let fresh: Vec<f32> = descriptions.matmul(&together.get(0).unwrap().unsqueeze(1).unwrap()).unwrap().squeeze(1).unwrap().to_vec1().unwrap();
		for (cached, fresh) in similarities.iter().zip(&fresh) {
			assert!((cached - fresh).abs() < 1e-5, "{prompt}: {similarities:?} against {fresh:?}");
		}
	}
	// Embeddings have unit length.
	let embedding = agent.embed(&["an eye"]).unwrap();
	let norm: f32 = embedding.sqr().unwrap().sum_all().unwrap().sqrt().unwrap().to_scalar().unwrap();
	assert!((norm - 1.0).abs() < 1e-4, "{norm}");
}

/// The dev and local chains start with three styles whose references the worker computes
/// from its own exemplars (16 eyes of the class from seed 1000). `STUDIO_BLESS_STYLES=1`
/// rewrites `runtime/src/dev_styles.rs`.
#[test]
fn the_dev_chains_styles_are_the_workers_own_references() {
	let models = models();
	let computed: Vec<(&str, &str, Vec<i32>)> = studio_runtime::dev_styles::DEV_STYLES
		.iter()
		.map(|(name, class, _)| {
			let class_index = CLASSES.iter().position(|c| c == class).expect("a generator class");
			let reference =
				exemplar_reference(&models.generator, &models.critic, class_index, 1_000, 16, &Device::Cpu).unwrap();
			(*name, *class, to_fixed_point(&reference))
		})
		.collect();
	if std::env::var_os("STUDIO_BLESS_STYLES").is_some() {
		let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runtime/src/dev_styles.rs");
		let text = std::fs::read_to_string(&path).unwrap();
		let head = &text[..text.find("\t(\"").expect("the styles table")];
		let rows: String = computed
			.iter()
			.map(|(name, class, reference)| {
				let numbers: Vec<String> = reference.iter().map(i32::to_string).collect();
				format!("\t(\"{name}\", \"{class}\", [{}]),\n", numbers.join(", "))
			})
			.collect();
		std::fs::write(&path, format!("{head}{rows}];\n")).unwrap();
		return
	}
	for ((name, _, on_chain), (_, _, computed)) in studio_runtime::dev_styles::DEV_STYLES.iter().zip(&computed) {
		// Float summation order may flip a pixel's rounding; a changed index moves references
		// far more than 100 ppm of deviation apart.
		let apart = deviation(&from_fixed_point(on_chain), &from_fixed_point(computed));
		assert!(apart < 1e-4, "{name}: the genesis reference is {apart:e} from the worker's; bless it");
	}
}
