//! The restyling models, fetched and converted from their registry packages, against the golden
//! outputs onnxruntime gave (`../shared/fixtures/stylize-golden.json`, copied below): the candle
//! ports match within 1e-4.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use std::path::Path;

use studio_models::{
	inference::{generator::EyeGenerator, line_art::Hed, style_critic::StyleCritic, stylize::StyleTransfer},
	models::{self, ModelSource},
	restyle::{exemplar_contents, exemplar_reference, RestyleKind, Restylers},
	style::{deviation, from_fixed_point, to_fixed_point},
};

const TOLERANCE: f32 = 1e-4;
const SIDE: usize = 64;

fn load(dir: &Path, source: &ModelSource) -> VarBuilder<'static> {
	models::fetch(source, dir, &models::shared_wheel_cache()).expect("the model fetches");
	let weights = dir.join(source.id).join(models::WEIGHTS_FILE);
	VarBuilder::from_buffered_safetensors(std::fs::read(weights).unwrap(), DType::F32, &Device::Cpu).unwrap()
}

/// The fixtures' input: channel c of pixel (h, w) is (sin(0.3·h + c)·cos(0.2·w) + 1) / 2, in
/// [0, 1] (HED's fixture states it on the 0–255 scale).
fn wave_image() -> Tensor {
	let mut values = Vec::with_capacity(3 * SIDE * SIDE);
	for c in 0..3 {
		for h in 0..SIDE {
			for w in 0..SIDE {
				let (h, w) = (h as f64, w as f64);
				values.push((((0.3 * h + c as f64).sin() * (0.2 * w).cos() + 1.0) / 2.0) as f32);
			}
		}
	}
	Tensor::from_vec(values, (1, 3, SIDE, SIDE), &Device::Cpu).unwrap()
}

fn style(weights: &[(usize, f32)]) -> Tensor {
	let mut blend = vec![0f32; 26];
	for (index, weight) in weights {
		blend[*index] = *weight;
	}
	Tensor::from_vec(blend, (1, 26), &Device::Cpu).unwrap()
}

fn pixel(out: &Tensor, h: usize, w: usize) -> Vec<f32> {
	out.get(0).unwrap().narrow(1, h, 1).unwrap().narrow(2, w, 1).unwrap().flatten_all().unwrap().to_vec1().unwrap()
}

fn assert_close(found: &[f32], expected: &[f32], what: &str) {
	for (f, e) in found.iter().zip(expected) {
		assert!((f - e).abs() <= TOLERANCE, "{what}: {found:?}, golden {expected:?}");
	}
}

/// Checks mean, sum (relative: it adds 12 288 values) and three pixels.
fn assert_golden(out: &Tensor, mean: f32, sum: f32, pixels: [(usize, usize, &[f32]); 3]) {
	let found_sum = out.sum_all().unwrap().to_scalar::<f32>().unwrap();
	let found_mean = found_sum / out.elem_count() as f32;
	assert_close(&[found_mean], &[mean], "mean");
	assert!((found_sum - sum).abs() / sum.abs() <= TOLERANCE, "sum {found_sum}, golden {sum}");
	for (h, w, expected) in pixels {
		assert_close(&pixel(out, h, w), expected, &format!("pixel ({h}, {w})"));
	}
}

#[test]
fn style_transfer_matches_onnxruntime_for_a_basis_style_and_a_blend() {
	let dir = tempfile::tempdir().unwrap();
	let network = StyleTransfer::load(load(dir.path(), &models::STYLE_TRANSFER)).unwrap();
	let image = wave_image();

	let style7 = network.forward(&image, &style(&[(7, 1.0)])).unwrap();
	assert_eq!(style7.dims(), &[1, 3, SIDE, SIDE]);
	assert_golden(&style7, 0.261_824_16, 3217.2954, [
		(0, 0, &[0.277_981_94, 0.086_153_06, 0.019_820_72]),
		(31, 17, &[0.102_997_87, 0.043_656_17, 0.049_673_38]),
		(63, 63, &[0.136_564_82, 0.250_570_95, 0.486_993_9]),
	]);

	let blend = network.forward(&image, &style(&[(3, 0.5), (12, 0.5)])).unwrap();
	assert_golden(&blend, 0.439_107_66, 5395.755, [
		(0, 0, &[0.773_303_1, 0.681_042_05, 0.622_620_94]),
		(31, 17, &[0.419_980_88, 0.584_058_05, 0.834_765_4]),
		(63, 63, &[0.490_422_8, 0.557_984_35, 0.409_023_2]),
	]);
}

#[test]
fn style_transfer_takes_any_size_and_a_batch_of_blends() {
	let dir = tempfile::tempdir().unwrap();
	let network = StyleTransfer::load(load(dir.path(), &models::STYLE_TRANSFER)).unwrap();
	// 50×37: neither side a multiple of 4; reflection padding and cropping give back 50×37.
	let image = wave_image().narrow(2, 0, 50).unwrap().narrow(3, 0, 37).unwrap();
	let out = network.forward(&image, &style(&[(7, 1.0)])).unwrap();
	assert_eq!(out.dims(), &[1, 3, 50, 37]);
	// A batch of two blends gives each row what it gives alone.
	let pair = Tensor::cat(&[&image, &image], 0).unwrap();
	let styles = Tensor::cat(&[style(&[(7, 1.0)]), style(&[(3, 0.5), (12, 0.5)])], 0).unwrap();
	let both = network.forward(&pair, &styles).unwrap();
	let alone = network.forward(&image, &style(&[(3, 0.5), (12, 0.5)])).unwrap();
	let difference = (both.get(1).unwrap() - alone.get(0).unwrap()).unwrap().abs().unwrap();
	assert!(difference.max_all().unwrap().to_scalar::<f32>().unwrap() < TOLERANCE);
	// Too small for the 9×9 reflection pad: a clear error, not a panic.
	let tiny = image.narrow(2, 0, 20).unwrap();
	let error = network.forward(&tiny, &style(&[(7, 1.0)])).unwrap_err().to_string();
	assert!(error.contains("at least 32"), "{error}");
}

#[test]
fn line_art_matches_onnxruntime() {
	let dir = tempfile::tempdir().unwrap();
	let hed = Hed::load(load(dir.path(), &models::LINE_ART)).unwrap();
	let edges = hed.forward(&wave_image()).unwrap();
	assert_eq!(edges.dims(), &[1, 1, SIDE, SIDE]);
	assert_golden(&edges, 0.228_482_28, 935.863_4, [
		(0, 0, &[0.339_629_95]),
		(31, 17, &[0.001_641_184]),
		(63, 63, &[0.217_713_44]),
	]);
}

/// The generator, the critic and the restyling networks (line art only when asked), fetched
/// into `dir`.
fn restyle_models(dir: &Path, with_line_art: bool) -> (EyeGenerator, StyleCritic, Restylers) {
	let generator = EyeGenerator::load(load(dir, &models::EYE_GENERATOR)).unwrap();
	let critic = StyleCritic::load(load(dir, &models::STYLE_CRITIC)).unwrap();
	let restylers = Restylers {
		stylize: Some((String::new(), StyleTransfer::load(load(dir, &models::STYLE_TRANSFER)).unwrap())),
		line_art: with_line_art.then(|| (String::new(), Hed::load(load(dir, &models::LINE_ART)).unwrap())),
	};
	(generator, critic, restylers)
}

/// The dev chains' restyle styles hold the references the worker measures from its
/// exemplars (`runtime/src/dev_restyle_styles.rs`), within 100 ppm of deviation.
/// `STUDIO_BLESS_STYLES=1` rewrites that file.
#[test]
fn dev_restyle_styles_are_what_the_worker_measures() {
	let dir = tempfile::tempdir().unwrap();
	let device = Device::Cpu;
	let (generator, critic, restylers) = restyle_models(dir.path(), true);
	let exemplars = exemplar_contents(&generator, 1_000, 8, &device).unwrap();
	let styles = studio_runtime::dev_restyle_styles::DEV_RESTYLE_STYLES;
	let computed: Vec<Vec<i32>> = styles
		.iter()
		.map(|(_, blend, _)| {
			let kind = match blend.is_empty() {
				true => RestyleKind::LineArt,
				false => RestyleKind::Stylize {
					blend: blend.iter().map(|(basis, ppm)| (*basis, *ppm as f32 / 1e6)).collect(),
					max_strength: 1.0,
				},
			};
			to_fixed_point(&exemplar_reference(&restylers, &critic, &kind, &exemplars, &device).unwrap())
		})
		.collect();
	if std::env::var_os("STUDIO_BLESS_STYLES").is_some() {
		let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../runtime/src/dev_restyle_styles.rs");
		let mut text = std::fs::read_to_string(&path).unwrap();
		for ((name, _, on_chain), computed) in styles.iter().zip(&computed) {
			let old = format!("{on_chain:?}");
			let new = format!("{computed:?}");
			let line_start = text.find(&format!("(\"{name}\"")).unwrap();
			let at = line_start + text[line_start..].find(&old).unwrap();
			text.replace_range(at..at + old.len(), &new);
		}
		std::fs::write(&path, text).unwrap();
		return
	}
	for ((name, _, on_chain), computed) in styles.iter().zip(&computed) {
		// As for the generated styles: a faster kernel's float summation order may move a
		// reference a few ppm; a different network or style moves it far more than 100.
		let apart = deviation(&from_fixed_point(on_chain), &from_fixed_point(computed));
		assert!(apart < 1e-4, "the reference of {name} on the dev chains is {apart:e} from the worker's: bless it");
	}
}

/// A restyle's winner is re-made exactly from its content and published settings, as a
/// verifier does; settings that do not follow from the job re-make nothing, and forged ones do
/// not reproduce the image.
#[test]
fn a_verifier_remakes_a_restyle_exactly_and_catches_forged_settings() {
	use studio_models::{
		agents::Agents,
		inference::client_image::RgbImage,
		restyle::{restyle, RestyleSettings},
		verify::{measure_restyle, RestyleFacts},
	};
	let dir = tempfile::tempdir().unwrap();
	let device = Device::Cpu;
	for source in models::DEFAULT_MODELS {
		models::fetch(&source, dir.path(), &models::shared_wheel_cache()).unwrap();
	}
	let agents = Agents::load(dir.path(), &device).unwrap();
	let content: RgbImage = exemplar_contents(&agents.generator, 5, 1, &device).unwrap().remove(0);
	let reference = vec![1.0f32; studio_models::style::STYLE_DIMENSIONS];
	for kind in [RestyleKind::Stylize { blend: vec![(11, 0.5), (18, 0.5)], max_strength: 0.8 }, RestyleKind::LineArt] {
		let model_sha256 = match kind {
			RestyleKind::Stylize { .. } => &agents.restylers.stylize.as_ref().unwrap().0,
			RestyleKind::LineArt => &agents.restylers.line_art.as_ref().unwrap().0,
		};
		let critic = (agents.critic_sha256.as_str(), &agents.critic);
		let made = restyle(&agents.restylers, critic, kind.clone(), &content, "bafkcontent", &reference, 4, 1_000_000, &device).unwrap();
		let facts = RestyleFacts { content: &content, content_cid: "bafkcontent", kind: &kind, model_sha256, reference: &reference };
		let honest = measure_restyle(&agents, &made.png, &made.settings, &facts).unwrap();
		assert_eq!(honest.reproduction_centibels, u32::MAX, "{kind:?} re-made exactly");
		assert_eq!((honest.deviation_ppm, honest.quality_ppm), (made.deviation_ppm, made.quality_ppm));

		// Another level than the one delivered: re-made, but not the same pixels.
		let mut forged: RestyleSettings = serde_json::from_slice(&made.settings).unwrap();
		forged.level *= 0.5;
		let measured = measure_restyle(&agents, &made.png, &serde_json::to_vec(&forged).unwrap(), &facts).unwrap();
		assert!(measured.reproduction_centibels < 4_000, "{kind:?}: {measured:?}");
		// Settings naming another content follow from nothing.
		let mut elsewhere: RestyleSettings = serde_json::from_slice(&made.settings).unwrap();
		elsewhere.content = "bafkother".into();
		let measured = measure_restyle(&agents, &made.png, &serde_json::to_vec(&elsewhere).unwrap(), &facts).unwrap();
		assert_eq!(measured.reproduction_centibels, 0);
	}
}

/// Content preservation is the quality a restyle reports: the studio's eye in "sepia sketch"
/// at 0.8 keeps well above the default 30 % `QualityThreshold`; the same eye repainted wholly in
/// the Mondrian-like basis style 17 is restyled beyond recognition and falls below it.
#[test]
fn a_restyle_beyond_recognition_scores_below_the_quality_threshold() {
	let dir = tempfile::tempdir().unwrap();
	let device = Device::Cpu;
	let (generator, critic, restylers) = restyle_models(dir.path(), false);
	let eye = exemplar_contents(&generator, 5, 1, &device).unwrap().remove(0);
	let reference = vec![1.0f32; studio_models::style::STYLE_DIMENSIONS];
	let quality = |blend: Vec<(u8, f32)>, strength: f32| {
		let kind = RestyleKind::Stylize { blend, max_strength: strength };
		let made = studio_models::restyle::restyle(&restylers, ("", &critic), kind, &eye, "bafk", &reference, 1, 1_000_000, &device);
		made.unwrap().quality_ppm
	};
	const QUALITY_THRESHOLD: u32 = 300_000;
	let faithful = quality(vec![(11, 0.5), (18, 0.5)], 0.8);
	let unrecognisable = quality(vec![(17, 1.0)], 1.0);
	assert!(faithful > QUALITY_THRESHOLD, "sepia sketch keeps {faithful} ppm");
	assert!(unrecognisable < QUALITY_THRESHOLD, "basis 17 keeps {unrecognisable} ppm");
	// The missing line-art model is a clear error, not a panic.
	let error = studio_models::restyle::restyle(&restylers, ("", &critic), RestyleKind::LineArt, &eye, "bafk", &reference, 1, 1, &device);
	assert!(error.unwrap_err().to_string().contains("has not loaded the line-art model"));
}
