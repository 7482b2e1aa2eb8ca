//! `studio job stylize` and `studio job lineart`: restyle one of your own images in one command.
//! The image is checked first (PNG or JPEG, within the chain's `MaxImageSide`: nothing moves
//! otherwise), registered as your asset unless it already is, uploaded to a worker's gateway,
//! and a job is submitted on it and followed to the verified download.

use crate::{cid_text, job::follow, transact, upload, Cli};
use anyhow::{bail, Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use studio_chain::{studio, unixfs::file_cid, AtBlock, Client, EntryStatus};
use studio_models::inference::client_image::decode_input;
use studio::runtime_types::{
	bounded_collections::bounded_vec::BoundedVec,
	pallet_job_escrow::types::{ImageFormat, JobKind, JobSpec, OnRejection, OutputSpec, Prompt},
	sp_arithmetic::per_things::Permill,
	studio_primitives::ModelKind,
};

/// What every restyle job takes besides its kind.
#[derive(Args, Clone)]
pub struct RestyleArgs {
	/// Your image: PNG or JPEG, at least 32 and at most the chain's `MaxImageSide` pixels a side.
	pub file: PathBuf,
	/// The bounty, in STU (decimals allowed).
	#[arg(long, value_parser = crate::parse_amount)]
	pub bounty: u128,
	/// The model (its id in the registry; default: the approved model of the job's kind).
	#[arg(long)]
	pub model: Option<u32>,
	/// Candidates the worker judges at least.
	#[arg(long, default_value_t = 4)]
	pub candidates: u32,
	/// Blocks until the job's deadline.
	#[arg(long, default_value_t = 200)]
	pub deadline_in: u32,
	/// Refund the bounty when a result is refused, instead of re-opening the job.
	#[arg(long)]
	pub refund_on_rejection: bool,
	/// Print the job's id and return without following it.
	#[arg(long)]
	pub no_wait: bool,
	/// The worker gateway the image is uploaded to and the result fetched from.
	#[arg(long, default_value = "http://127.0.0.1:8080")]
	pub gateway: String,
	/// Where to save the result (default `<cid>.png`).
	#[arg(short, long)]
	pub output: Option<PathBuf>,
	/// Give up following after this many seconds.
	#[arg(long, default_value_t = 600)]
	pub timeout: u64,
}

/// The kind of a restyle job as the CLI takes it.
pub enum Restyle<'a> {
	/// `--style` (name or id) at most `strength` of it.
	Stylize { style: &'a str, strength: f64 },
	/// Line art, kept to `style` (name or id).
	LineArt { style: &'a str },
}

/// The active style named `style` (its name, or its id), with whether it has a basis blend.
async fn find_style(at: &AtBlock, style: &str) -> Result<(u32, bool)> {
	let styles: Vec<(u32, studio::runtime_types::pallet_studio_governance::types::StyleInfo)> =
		sorted_entries!(at, studio::storage().studio_governance().styles());
	let found = styles.into_iter().find(|(id, info)| {
		matches!(info.status, EntryStatus::Active) &&
			(style.parse::<u32>().ok() == Some(*id) || String::from_utf8_lossy(&info.name.0).eq_ignore_ascii_case(style))
	});
	let (id, info) = found.with_context(|| format!("no active style is called {style:?} (`studio style list`)"))?;
	Ok((id, !info.blend.0.is_empty()))
}

/// The approved model of `kind`.
async fn model_of_kind(at: &AtBlock, kind: ModelKind) -> Result<u32> {
	let models: Vec<(u32, studio::runtime_types::pallet_studio_governance::types::ModelInfo)> =
		sorted_entries!(at, studio::storage().studio_governance().models());
	models
		.into_iter()
		.find(|(_, info)| matches!(info.status, EntryStatus::Active) && std::mem::discriminant(&info.kind) == std::mem::discriminant(&kind))
		.map(|(id, _)| id)
		.with_context(|| format!("no approved {kind:?} model on this chain"))
}

/// Registers `bytes` as the signer's asset unless it already is, and uploads them to the
/// gateway; returns the CID. An asset recorded for another account is refused: a client
/// restyles only its own material.
pub async fn register_own(cli: &Cli, client: &Client, file: &Path, bytes: &[u8], gateway: &str) -> Result<Vec<u8>> {
	let cid = file_cid(bytes).to_bytes();
	let at = client.at_current_block().await?;
	let recorded = at.storage().try_fetch(studio::storage().provenance().assets(), (BoundedVec(cid.clone()),)).await?;
	let me = cli.signer().map(|signer| studio_chain::account_of(&signer))?;
	match recorded {
		Some(record) => {
			let record = record.decode()?;
			if record.owner != me {
				bail!("{} ({}) is recorded as {}'s asset: you can restyle only your own images", file.display(), cid_text(&cid), record.owner);
			}
			eprintln!("{} is already your asset {}", file.display(), cid_text(&cid));
		},
		None => {
			let call = studio::tx().provenance().register_external(BoundedVec(cid.clone()), BoundedVec(Vec::new()));
			transact(cli, client, &call).await?;
			eprintln!("registered {} as your asset {}", file.display(), cid_text(&cid));
		},
	}
	let (target, cid_bytes, body) = (gateway.to_owned(), cid.clone(), bytes.to_vec());
	tokio::task::spawn_blocking(move || upload(&target, &cid_bytes, &body))
		.await?
		.with_context(|| format!("{} is recorded but its upload to {gateway} failed", cid_text(&cid)))?;
	Ok(cid)
}

/// Runs `studio job stylize` or `studio job lineart`.
pub async fn run(cli: &Cli, args: &RestyleArgs, restyle: Restyle<'_>) -> Result<()> {
	let client = cli.client().await?;
	let at = client.at_current_block().await?;
	let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
	let max_side = at.constants().entry(studio::constants().job_escrow().max_image_side())?;
	let image = decode_input(&bytes, max_side).with_context(|| format!("{} cannot be restyled", args.file.display()))?;
	let (style_name, model_kind) = match &restyle {
		Restyle::Stylize { style, strength } => {
			if !(*strength > 0.0 && *strength <= 1.0) {
				bail!("--strength {strength} is not in (0, 1]");
			}
			(*style, ModelKind::StyleTransfer)
		},
		Restyle::LineArt { style } => (*style, ModelKind::LineArt),
	};
	let (style, blended) = find_style(&at, style_name).await?;
	if matches!(restyle, Restyle::Stylize { .. }) && !blended {
		bail!("style {style_name:?} has no basis blend: it is a generator's style, not one to stylize with");
	}
	let model = match args.model {
		Some(model) => model,
		None => model_of_kind(&at, model_kind).await?,
	};
	crate::job::check_funds(cli, &at, args.bounty, 0).await?;
	let content = register_own(cli, &client, &args.file, &bytes, &args.gateway).await?;
	let (kind, prompt) = match restyle {
		Restyle::Stylize { strength, .. } => (
			JobKind::Stylize { content: BoundedVec(content), strength: Permill((strength * 1e6).round() as u32) },
			format!("{} in {style_name}", args.file.display()),
		),
		Restyle::LineArt { .. } => (JobKind::LineArt { content: BoundedVec(content) }, format!("{} as line art", args.file.display())),
	};
	let now = at.block_number() as u32;
	let spec = JobSpec {
		kind,
		model,
		style,
		prompt: Prompt::Text(BoundedVec(prompt.into_bytes())),
		parents: BoundedVec(Vec::new()),
		seed: 0,
		output: OutputSpec { format: ImageFormat::Png, width: image.width, height: image.height },
		candidates: args.candidates,
		deadline: now + args.deadline_in,
		on_rejection: if args.refund_on_rejection { OnRejection::Refund } else { OnRejection::Reopen },
		curation: None,
	};
	let events = transact(cli, &client, &studio::tx().job_escrow().submit_job(spec, args.bounty)).await?;
	let id = events.find_first::<studio::job_escrow::events::JobSubmitted>().context("no JobSubmitted event")??.job;
	follow(cli, &client, id, args.bounty, args.no_wait, &args.gateway, args.output.clone(), args.timeout).await
}
