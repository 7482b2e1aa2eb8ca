//! The semantic agent: all-MiniLM-L6-v2 sentence embeddings (candle-transformers' BERT, mean
//! pooling over real tokens, L2-normalized), and the mapping from a prompt to the generator's
//! colour class.
//!
//! Each class has a description ("an amber eye", "a grayscale eye, black and white" …); the
//! prompt's class is the one whose description's embedding is most similar (cosine) to the
//! prompt's. The generator is conditioned on that class's one-hot.

use candle_core::{DType, Device, Result, Tensor, D};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

/// What each of the generator's classes looks like, in words, in [`CLASSES`] order.
///
/// [`CLASSES`]: super::generator::CLASSES
pub const CLASS_DESCRIPTIONS: [&str; 8] = [
	"an amber eye, warm golden orange",
	"a blue eye",
	"a brown eye",
	"a gray eye",
	"a grayscale eye, black and white, monochrome",
	"a green eye",
	"a hazel eye",
	"a red eye, crimson",
];

/// Why the semantic agent could not run.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
	/// The tokenizer could not be loaded or failed.
	#[error("tokenizer: {0}")]
	Tokenizer(String),
	/// The model configuration is not valid JSON.
	#[error("model configuration: {0}")]
	Config(#[from] serde_json::Error),
	/// A tensor operation failed.
	#[error(transparent)]
	Tensor(#[from] candle_core::Error),
}

/// The sentence embedder.
pub struct SemanticAgent {
	model: BertModel,
	tokenizer: Tokenizer,
	device: Device,
	/// The embeddings of [`CLASS_DESCRIPTIONS`] (8 × 384), made once at load: each job embeds
	/// only its prompt (the nine sentences together took ~0.35 s a job on 2 threads).
	class_embeddings: Tensor,
}

impl SemanticAgent {
	/// Loads the model from its weights, `config.json` and `tokenizer.json`.
	pub fn load(vb: VarBuilder, config_json: &str, tokenizer_json: &[u8]) -> std::result::Result<Self, SemanticError> {
		let config: Config = serde_json::from_str(config_json)?;
		let tokenizer = Tokenizer::from_bytes(tokenizer_json).map_err(|e| SemanticError::Tokenizer(e.to_string()))?;
		let device = vb.device().clone();
		let model = BertModel::load(vb, &config)?;
		let mut agent = Self { model, tokenizer, class_embeddings: Tensor::zeros((0, 0), DType::F32, &device)?, device };
		agent.class_embeddings = agent.embed(&CLASS_DESCRIPTIONS)?;
		Ok(agent)
	}

	/// Unit-length embeddings of `sentences` (n × 384).
	pub fn embed(&self, sentences: &[&str]) -> std::result::Result<Tensor, SemanticError> {
		let encodings = self
			.tokenizer
			.encode_batch(sentences.to_vec(), true)
			.map_err(|e| SemanticError::Tokenizer(e.to_string()))?;
		let rows = |field: fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor> {
			let rows = encodings.iter().map(|e| Tensor::new(field(e), &self.device)).collect::<Result<Vec<_>>>()?;
			Tensor::stack(&rows, 0)
		};
		let ids = rows(|e| e.get_ids())?;
		let mask = rows(|e| e.get_attention_mask())?;
		let types = ids.zeros_like()?;
		let hidden = self.model.forward(&ids, &types, Some(&mask))?;
		let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
		let pooled = hidden.broadcast_mul(&mask)?.sum(1)?.broadcast_div(&mask.sum(1)?.clamp(1e-9f32, f32::MAX)?)?;
		Ok(pooled.broadcast_div(&pooled.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?)?)
	}

	/// The class of `prompt` and the cosine similarity of every class description to it.
	pub fn class_of(&self, prompt: &str) -> std::result::Result<(usize, Vec<f32>), SemanticError> {
		let prompt = self.embed(&[prompt])?.get(0)?;
		let similarities: Vec<f32> = self.class_embeddings.matmul(&prompt.unsqueeze(1)?)?.squeeze(1)?.to_vec1()?;
		let class = similarities
			.iter()
			.enumerate()
			.max_by(|a, b| a.1.total_cmp(b.1))
			.map(|(class, _)| class)
			.expect("eight classes");
		Ok((class, similarities))
	}
}
