//! `studio gov` and `studio style`: the studio's parameters; proposals, with a dry run that
//! shows the track, the bounds and the step a change takes; votes and closing; and the style
//! registry, whose new styles get their reference from the worker's own style critic.

use crate::{parse_amount, transact, units, Cli};
use anyhow::{bail, Context, Result};
use candle_core::{Device, Tensor};
use clap::{Args, Subcommand};
use pallet_studio_governance::{ParameterBounds, ParameterUnit, StudioParameter as Parameter};
use std::path::PathBuf;
use studio_chain::{studio, AtBlock, Client};
use studio_models::{
	agents::Agents,
	inference::image::decode_png,
	style::{deviation, reference, style_vectors, to_fixed_point, to_permill},
};
use subxt::{
	rpcs::{methods::legacy::DryRunResult, LegacyRpcMethods},
	PolkadotConfig,
};

use studio::runtime_types::{
	bounded_collections::bounded_vec::BoundedVec,
	pallet_studio_governance::types::{EntryStatus, GovernanceAction, StudioParameter, Track},
	sp_arithmetic::per_things::Permill,
	studio_primitives::BasisWeight,
};

/// The side of the image the studio's styles are measured on.
const STYLE_IMAGE_SIDE: usize = 128;

#[derive(Subcommand)]
pub enum GovCommand {
	/// The studio's parameters, their values and bounds.
	Params,
	/// The open proposals: action, track, end of voting and tally.
	List,
	/// Propose a change; the proposal deposit is held until it closes.
	Propose {
		#[command(subcommand)]
		action: ProposeAction,
		#[command(flatten)]
		dry_run: DryRun,
	},
	/// Vote on an open proposal with an amount of tokens (frozen while the vote counts).
	Vote {
		proposal: u32,
		/// Vote for it.
		#[arg(long, conflicts_with = "nay", required_unless_present = "nay")]
		aye: bool,
		/// Vote against it.
		#[arg(long)]
		nay: bool,
		/// The tokens the vote weighs, in STU.
		#[arg(long, value_parser = parse_amount)]
		amount: u128,
	},
	/// Close a proposal whose voting is over: it is approved (and enacted) or rejected.
	Close { proposal: u32 },
	/// Forget votes on closed proposals and lower the signing account's freeze.
	Unlock,
}

#[derive(Args)]
pub struct DryRun {
	/// Show what the proposal does (its track and the track's rules; for a parameter its
	/// bounds and step) and check it against the node's runtime, without submitting it.
	#[arg(long, global = true)]
	dry_run: bool,
}

#[derive(Subcommand)]
pub enum ProposeAction {
	/// Set a parameter (names as `studio gov params` lists them) to a value in its unit.
	Param {
		#[arg(value_parser = parse_parameter)]
		parameter: Parameter,
		value: u128,
	},
	/// Retire a style: no new jobs may use it.
	RetireStyle { style: u32 },
	/// Retire a model: no new jobs or claims may use it.
	RetireModel { model: u32 },
	/// Forget what curations taught a style (slow track): its preference direction is zero.
	ResetPreference { style: u32 },
	/// Add a validator from the next session change on (slow track); it must have registered
	/// its session keys (`studio validator keys`).
	AddValidator { account: subxt::utils::AccountId32 },
	/// Remove a validator, offline or misbehaving (fast track).
	RemoveValidator { account: subxt::utils::AccountId32 },
	/// Authorize a runtime upgrade (slow track): once enacted, anyone applies the code with
	/// `studio runtime apply`. The file is checked first: the chain's spec name and a higher
	/// spec version.
	Upgrade {
		/// The runtime's wasm as it will be applied (`*.compact.compressed.wasm`).
		wasm: PathBuf,
	},
}

#[derive(Subcommand)]
pub enum StyleCommand {
	/// The style registry.
	List,
	/// Propose a new style. Its reference vector is the mean of the example images' style
	/// vectors, measured by the worker's own style critic. A stylize style (`--blend`) is
	/// measured on its blend's work: the `--from` images (PNG or JPEG, any size) restyled in
	/// it, or the studio's own exemplar eyes when none are given. Re-weighting a style is
	/// adding the new blend and retiring the old style.
	Add {
		/// The style's name.
		#[arg(long)]
		name: String,
		/// Example images: of the style itself (128×128 8-bit RGB PNGs, such as the studio
		/// makes), or, with `--blend`, contents to restyle in it.
		#[arg(long, num_args = 1.., required_unless_present = "blend")]
		from: Vec<PathBuf>,
		/// A stylize style's blend of the style-transfer network's basis styles, as
		/// `basis:share` pairs summing to 1 (e.g. `3:0.5,12:0.5`).
		#[arg(long, value_parser = parse_blend)]
		blend: Option<Blend>,
		/// Where the models live (`studio-worker models fetch` puts them there).
		#[arg(long, default_value = "models")]
		models_dir: PathBuf,
		#[command(flatten)]
		dry_run: DryRun,
	},
}

/// A basis blend as `basis:share` pairs, shares in parts per million.
#[derive(Clone, Debug)]
pub struct Blend(Vec<(u8, u32)>);

/// `3:0.5,12:0.5` as a blend whose shares sum to exactly one (1 000 000 ppm); the last share
/// absorbs the rounding.
fn parse_blend(text: &str) -> Result<Blend, String> {
	let mut terms = Vec::new();
	for term in text.split(',') {
		let (basis, share) = term.split_once(':').ok_or_else(|| format!("`{term}` is not basis:share"))?;
		let basis: u8 = basis.trim().parse().map_err(|_| format!("`{basis}` is not a basis style index"))?;
		if basis as usize >= studio_models::inference::stylize::BASIS_STYLES {
			return Err(format!("basis style {basis} does not exist (0 to {})", studio_models::inference::stylize::BASIS_STYLES - 1))
		}
		let share: f64 = share.trim().parse().map_err(|_| format!("`{share}` is not a share"))?;
		if !(share > 0.0 && share <= 1.0) {
			return Err(format!("share {share} is not in (0, 1]"))
		}
		if terms.iter().any(|(b, _)| *b == basis) {
			return Err(format!("basis style {basis} is named twice"))
		}
		terms.push((basis, (share * 1e6).round() as u32));
	}
	let total: u32 = terms.iter().map(|(_, ppm)| ppm).sum();
	if total.abs_diff(1_000_000) > terms.len() as u32 {
		return Err(format!("the shares sum to {}, not 1", total as f64 / 1e6))
	}
	let last = terms.last_mut().expect("split yields at least one term");
	last.1 = last.1 + 1_000_000 - total;
	Ok(Blend(terms))
}

/// A parameter by its name, in any case, with or without `-` and `_`.
fn parse_parameter(text: &str) -> Result<Parameter, String> {
	let wanted: String = text.chars().filter(|c| *c != '-' && *c != '_').collect();
	Parameter::ALL.into_iter().find(|p| format!("{p:?}").eq_ignore_ascii_case(&wanted)).ok_or_else(|| {
		let names: Vec<_> = Parameter::ALL.iter().map(|p| format!("{p:?}")).collect();
		format!("no parameter `{text}`; the parameters are {}", names.join(", "))
	})
}

/// A parameter's value at `at`.
pub async fn parameter_value(at: &AtBlock, parameter: Parameter) -> Result<u128> {
	let value = at.storage().try_fetch(studio::storage().studio_governance().parameter_values(), (on_chain(parameter),)).await?;
	Ok(value.with_context(|| format!("{parameter:?} has no value on this chain"))?.decode()?)
}

/// The chain's form of a parameter, as subxt generates it from the metadata.
fn on_chain(parameter: Parameter) -> StudioParameter {
	match parameter {
		Parameter::MaxStyleDeviation => StudioParameter::MaxStyleDeviation,
		Parameter::HardStyleLimit => StudioParameter::HardStyleLimit,
		Parameter::StyleEmaWeight => StudioParameter::StyleEmaWeight,
		Parameter::MinBounty => StudioParameter::MinBounty,
		Parameter::WorkerMinBond => StudioParameter::WorkerMinBond,
		Parameter::StudioFee => StudioParameter::StudioFee,
		Parameter::ClaimTimeout => StudioParameter::ClaimTimeout,
		Parameter::ChallengeWindow => StudioParameter::ChallengeWindow,
		Parameter::JobMaxLifetime => StudioParameter::JobMaxLifetime,
		Parameter::EpochSpendCap => StudioParameter::EpochSpendCap,
		Parameter::QualityThreshold => StudioParameter::QualityThreshold,
		Parameter::ReviewQuorum => StudioParameter::ReviewQuorum,
		Parameter::AuditProbability => StudioParameter::AuditProbability,
		Parameter::ChallengeDeposit => StudioParameter::ChallengeDeposit,
		Parameter::VerifierCount => StudioParameter::VerifierCount,
		Parameter::ScoreTolerance => StudioParameter::ScoreTolerance,
		Parameter::ReproductionFloor => StudioParameter::ReproductionFloor,
		Parameter::CurationReward => StudioParameter::CurationReward,
		Parameter::ReputationGain => StudioParameter::ReputationGain,
		Parameter::ReputationLoss => StudioParameter::ReputationLoss,
		Parameter::ReputationHalfLife => StudioParameter::ReputationHalfLife,
		Parameter::PreferenceRate => StudioParameter::PreferenceRate,
		Parameter::PreferenceWeight => StudioParameter::PreferenceWeight,
	}
}

fn unit_name(parameter: Parameter) -> &'static str {
	match parameter.unit() {
		ParameterUnit::Permill => "parts per million",
		ParameterUnit::Balance => "planck (10⁻¹² STU)",
		ParameterUnit::Blocks => "blocks",
		ParameterUnit::Count => "count",
	}
}

/// A proposal's action, described.
struct Plan {
	action: GovernanceAction<subxt::utils::AccountId32>,
	lines: Vec<String>,
	/// The track the pallet puts the action on (`Fast` for changes that make the studio safer).
	track: Track,
}

async fn parameter_plan(at: &AtBlock, parameter: Parameter, value: u128) -> Result<Plan> {
	let current = parameter_value(at, parameter).await?;
	let bounds = at
		.storage()
		.try_fetch(studio::storage().studio_governance().parameter_bounds_of(), (on_chain(parameter),))
		.await?
		.with_context(|| format!("{parameter:?} has no bounds on this chain"))?
		.decode()?;
	let bounds = ParameterBounds { min: bounds.min, max: bounds.max, max_step: bounds.max_step };
	let step = current.abs_diff(value);
	let verdict = match bounds.check(current, value) {
		Ok(()) => "within its bounds".to_string(),
		Err(violation) => format!("REFUSED: {violation:?}"),
	};
	let tightening = parameter.is_tightening(current, value);
	let fast = bounds.fast_track(parameter, current, value);
	Ok(Plan {
		action: GovernanceAction::SetParameter { parameter: on_chain(parameter), value },
		lines: vec![
			format!("set {parameter:?} from {current} to {value} ({})", unit_name(parameter)),
			format!("bounds [{}, {}]; a step of {step} of at most {}: {verdict}", bounds.min, bounds.max, bounds.max_step),
			match (tightening, fast) {
				(true, true) => "tightens the studio".to_string(),
				(true, false) => "tightens the studio by more than half the largest step: the slow track's to decide".to_string(),
				_ => "loosens (or re-tunes) the studio".to_string(),
			},
		],
		track: if fast { Track::Fast } else { Track::Slow },
	})
}

/// The track's rules in words.
async fn track_rules(at: &AtBlock, track: Track) -> Result<String> {
	let name = format!("{track:?}");
	let info = at
		.storage()
		.try_fetch(studio::storage().studio_governance().tracks(), (track,))
		.await?
		.with_context(|| format!("the chain has no {name} track"))?
		.decode()?;
	let percent = |perbill: u32| perbill as f64 / 10_000_000.0;
	Ok(format!(
		"track {name}: voting for {} blocks, turnout ≥ {:.1}% of the issuance, approval ≥ {:.1}%, enacted {} blocks after passing",
		info.voting_period,
		percent(info.min_turnout.0),
		percent(info.min_approval.0),
		info.enactment_delay
	))
}

/// Signs the proposal's call and applies it on top of the node's best block without
/// submitting it (`system_dryRun`); `Ok(None)` when it would go through, else why not.
async fn dry_run(cli: &Cli, client: &Client, call: &impl subxt::tx::Payload) -> Result<Option<String>> {
	let signed = client.tx().await?.create_signed(call, &cli.signer()?, Default::default()).await?;
	let rpc = cli.rpc().await?;
	let applied = LegacyRpcMethods::<subxt::config::RpcConfigFor<PolkadotConfig>>::new(rpc)
		.dry_run(signed.encoded(), None)
		.await
		.context("the node's system_dryRun (is it started with unsafe RPC methods allowed?)")?;
	match applied.into_dry_run_result() {
		Ok(DryRunResult::Success) => Ok(None),
		Ok(DryRunResult::DispatchError(bytes)) => {
			let metadata = client.at_current_block().await?.metadata();
			let error = subxt::error::DispatchError::decode_from(bytes, metadata)?;
			Ok(Some(studio_chain::explain(&error)))
		},
		Ok(DryRunResult::TransactionValidityError) => Ok(Some(format!(
			"the transaction is invalid: {}",
			invalidity(&applied.0[1..])
		))),
		Err(_) => bail!("the node's dry run answered something that is not an ApplyExtrinsicResult"),
	}
}

/// Why a transaction is invalid, from the SCALE bytes of a `TransactionValidityError`.
fn invalidity(bytes: &[u8]) -> String {
	const INVALID: [&str; 13] = [
		"the call is not allowed",
		"the account cannot pay the fees",
		"the nonce is in the future",
		"the nonce is stale",
		"the signature is bad",
		"the transaction's birth block is too old",
		"it would exhaust the block's resources",
		"a custom check failed",
		"a mandatory transaction failed",
		"a mandatory transaction was not validated",
		"the signer is not allowed",
		"the implicit data is indeterminate",
		"the origin is unknown",
	];
	match bytes {
		[0, reason, ..] => INVALID.get(*reason as usize).map_or_else(|| format!("invalid ({reason})"), |r| r.to_string()),
		[1, ..] => "its validity cannot be determined".into(),
		_ => format!("0x{}", studio_chain::hex(bytes)),
	}
}

/// Prints the plan; with `--dry-run` checks it against the runtime, else submits it.
async fn propose(cli: &Cli, client: &Client, at: &AtBlock, plan: Plan, dry: bool) -> Result<()> {
	let deposit = at.constants().entry(studio::constants().studio_governance().proposal_deposit())?;
	let mut lines = plan.lines;
	lines.push(track_rules(at, plan.track).await?);
	lines.push(format!("deposit {} held until it closes", units(deposit)));
	let call = studio::tx().studio_governance().propose(plan.action);
	if dry {
		let refused = dry_run(cli, client, &call).await?;
		lines.push(match &refused {
			None => "dry run: the runtime accepts it (nothing was submitted)".into(),
			Some(reason) => format!("dry run: the runtime refuses it: {reason}"),
		});
		print_lines(cli, &lines);
		if let Some(reason) = refused {
			bail!("the proposal would be refused: {reason}");
		}
		return Ok(())
	}
	let events = transact(cli, client, &call).await?;
	let proposed =
		events.find_first::<studio::studio_governance::events::Proposed>().context("no Proposed event")??;
	lines.push(format!(
		"proposal {} on the {:?} track; voting ends at block {}",
		proposed.proposal, proposed.track, proposed.voting_ends
	));
	print_lines(cli, &lines);
	Ok(())
}

fn print_lines(cli: &Cli, lines: &[String]) {
	if cli.json {
		println!("{}", serde_json::json!({ "plan": lines }));
	} else {
		lines.iter().for_each(|line| println!("{line}"));
	}
}

fn describe_action(action: &GovernanceAction<subxt::utils::AccountId32>) -> String {
	match action {
		GovernanceAction::SetParameter { parameter, value } => format!("set {parameter:?} to {value}"),
		GovernanceAction::AddStyle { name, reference, blend } => format!(
			"add style \"{}\" ({} components{})",
			String::from_utf8_lossy(&name.0),
			reference.0.len(),
			if blend.0.is_empty() { String::new() } else { format!(", blend {}", blend_text(&blend.0)) }
		),
		GovernanceAction::RetireStyle { style } => format!("retire style {style}"),
		GovernanceAction::ApproveModel { name, version, .. } =>
			format!("approve model \"{}\" v{version}", String::from_utf8_lossy(&name.0)),
		GovernanceAction::RetireModel { model } => format!("retire model {model}"),
		GovernanceAction::SetReviewers { reviewers } => format!("set {} reviewers", reviewers.0.len()),
		GovernanceAction::AddValidator { validator } => format!("add validator {validator}"),
		GovernanceAction::RemoveValidator { validator } => format!("remove validator {validator}"),
		GovernanceAction::AuthorizeUpgrade { code_hash } =>
			format!("authorize the runtime upgrade to code hash 0x{}", studio_chain::hex(&code_hash.0)),
		GovernanceAction::ResetPreference { style } => format!("reset style {style}'s learned preference"),
	}
}

pub async fn run(cli: &Cli, command: &GovCommand) -> Result<()> {
	let client = cli.client().await?;
	let at = client.at_current_block().await?;
	let governance = studio::tx().studio_governance();
	match command {
		GovCommand::Params => {
			let storage = studio::storage().studio_governance();
			let mut entries = at.storage().iter(storage.parameter_values(), ()).await?;
			let mut rows = Vec::new();
			while let Some(entry) = entries.next().await {
				let entry = entry?;
				let parameter = entry.key()?.decode()?.0;
				let name = format!("{parameter:?}");
				let bounds = at.storage().try_fetch(storage.parameter_bounds_of(), (parameter,)).await?;
				let bounds = bounds.map(|bounds| bounds.decode()).transpose()?;
				rows.push((name, entry.value().decode()?, bounds));
			}
			rows.sort_by(|a, b| a.0.cmp(&b.0));
			for (name, value, bounds) in rows {
				let bounds = bounds.map(|b| (b.min, b.max, b.max_step));
				if cli.json {
					println!("{}", serde_json::json!({ "parameter": name, "value": value, "min": bounds.map(|b| b.0), "max": bounds.map(|b| b.1), "max_step": bounds.map(|b| b.2) }));
				} else {
					let bounds = bounds.map_or(String::new(), |(min, max, step)| format!("\t[{min}, {max}], step ≤ {step}"));
					let value: u128 = value;
					println!("{name}\t{value}{bounds}");
				}
			}
			Ok(())
		},
		GovCommand::List => {
			let proposals: Vec<(u32, _)> = sorted_entries!(at, studio::storage().studio_governance().proposals());
			for (id, proposal) in proposals {
				let action = describe_action(&proposal.action);
				let (ayes, nays) = (proposal.tally.ayes, proposal.tally.nays);
				if cli.json {
					println!("{}", serde_json::json!({ "proposal": id, "action": action, "track": format!("{:?}", proposal.track), "voting_ends": proposal.voting_ends, "ayes": ayes, "nays": nays, "proposer": proposal.proposer.to_string() }));
				} else {
					println!(
						"{id}\t{action}\t{:?} track, voting ends at block {}\tayes {} / nays {}",
						proposal.track, proposal.voting_ends, units(ayes), units(nays)
					);
				}
			}
			Ok(())
		},
		GovCommand::Propose { action, dry_run } => {
			let plan = match action {
				ProposeAction::Param { parameter, value } => parameter_plan(&at, *parameter, *value).await?,
				ProposeAction::RetireStyle { style } => Plan {
					action: GovernanceAction::RetireStyle { style: *style },
					lines: vec![format!("retire style {style}: no new jobs may use it")],
					track: Track::Fast,
				},
				ProposeAction::RetireModel { model } => Plan {
					action: GovernanceAction::RetireModel { model: *model },
					lines: vec![format!("retire model {model}: no new jobs or claims may use it")],
					track: Track::Fast,
				},
				ProposeAction::ResetPreference { style } => Plan {
					action: GovernanceAction::ResetPreference { style: *style },
					lines: vec![format!("reset style {style}'s learned preference: workers no longer lean towards past picks")],
					track: Track::Slow,
				},
				ProposeAction::AddValidator { account } => Plan {
					action: GovernanceAction::AddValidator { validator: account.clone() },
					lines: vec![format!("add validator {account}: it validates from the second session change after the enactment")],
					track: Track::Slow,
				},
				ProposeAction::RemoveValidator { account } => Plan {
					action: GovernanceAction::RemoveValidator { validator: account.clone() },
					lines: vec![format!("remove validator {account}: it stops at the second session change after the enactment")],
					track: Track::Fast,
				},
				ProposeAction::Upgrade { wasm } => {
					let (code, line) = crate::runtime::checked_code(cli, &at, wasm).await?;
					Plan {
						action: GovernanceAction::AuthorizeUpgrade { code_hash: subxt::utils::H256(code.code_hash) },
						lines: vec![line, "once enacted, anyone may apply it: `studio runtime apply <wasm>`".into()],
						track: Track::Slow,
					}
				},
			};
			propose(cli, &client, &at, plan, dry_run.dry_run).await
		},
		GovCommand::Vote { proposal, aye, nay: _, amount } => {
			transact(cli, &client, &governance.vote(*proposal, *aye, *amount)).await?;
			let side = if *aye { "aye" } else { "nay" };
			println!("voted {side} on proposal {proposal} with {}", units(*amount));
			Ok(())
		},
		GovCommand::Close { proposal } => {
			let events = transact(cli, &client, &governance.close(*proposal)).await?;
			if let Some(approved) = events.find_first::<studio::studio_governance::events::Approved>().transpose()? {
				let enacted = events.has::<studio::studio_governance::events::Enacted>();
				let when = if enacted { "enacted now".to_string() } else { format!("enacted at block {}", approved.enact_at) };
				println!("proposal {proposal} approved (ayes {} / nays {}): {when}", units(approved.ayes), units(approved.nays));
			} else if let Some(rejected) = events.find_first::<studio::studio_governance::events::Rejected>().transpose()? {
				println!("proposal {proposal} rejected (ayes {} / nays {})", units(rejected.ayes), units(rejected.nays));
			}
			Ok(())
		},
		GovCommand::Unlock => {
			transact(cli, &client, &governance.unlock()).await?;
			println!("unlocked: votes on closed proposals no longer freeze tokens");
			Ok(())
		},
	}
}

/// A blend as `basis:share` pairs.
fn blend_text(blend: &[studio::runtime_types::studio_primitives::BasisWeight]) -> String {
	blend.iter().map(|term| format!("{}:{}", term.basis, term.weight.0 as f64 / 1e6)).collect::<Vec<_>>().join(",")
}

/// The reference of a stylize style: the mean style vector of `files` (or the studio's
/// exemplar eyes) restyled at full strength in `blend`, in the critic's view.
fn blend_reference(models_dir: &std::path::Path, files: &[PathBuf], blend: &Blend, max_side: u32, device: &Device) -> Result<Vec<f32>> {
	use studio_models::{
	inference::client_image::decode_input,
	restyle::{exemplar_contents, exemplar_reference, RestyleKind},
};
	let contents = if files.is_empty() {
		let (_, generator) = Agents::generator(models_dir, device)?;
		exemplar_contents(&generator, 1_000, 8, device)?
	} else {
		files
			.iter()
			.map(|file| {
				let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
				decode_input(&bytes, max_side).with_context(|| format!("{} cannot be restyled", file.display()))
			})
			.collect::<Result<_>>()?
	};
	let restylers = Agents::restylers(models_dir, device)?;
	let (_, critic) = Agents::critic(models_dir, device)?;
	let kind = RestyleKind::Stylize { blend: blend.0.iter().map(|(basis, ppm)| (*basis, *ppm as f32 / 1e6)).collect(), max_strength: 1.0 };
	Ok(exemplar_reference(&restylers, &critic, &kind, &contents, device)?)
}

/// The style vectors of example images, each a 128×128 RGB PNG.
fn example_vectors(models_dir: &std::path::Path, files: &[PathBuf], device: &Device) -> Result<Vec<Vec<f32>>> {
	let mut images = Vec::new();
	for file in files {
		let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
		let image = decode_png(&bytes, device).with_context(|| format!("{} is not an image the studio reads", file.display()))?;
		let (_, height, width) = image.dims3()?;
		if (height, width) != (STYLE_IMAGE_SIDE, STYLE_IMAGE_SIDE) {
			bail!("{} is {width}×{height}; styles are measured on {STYLE_IMAGE_SIDE}×{STYLE_IMAGE_SIDE} images", file.display());
		}
		images.push(image);
	}
	let (_, critic) = Agents::critic(models_dir, device)?;
	Ok(style_vectors(&critic, &Tensor::stack(&images, 0)?)?)
}

pub async fn run_style(cli: &Cli, command: &StyleCommand) -> Result<()> {
	let client = cli.client().await?;
	let at = client.at_current_block().await?;
	match command {
		StyleCommand::List => {
			let styles: Vec<(u32, _)> = sorted_entries!(at, studio::storage().studio_governance().styles());
			for (id, style) in styles {
				let name = String::from_utf8_lossy(&style.name.0).to_string();
				let status = if matches!(style.status, EntryStatus::Active) { "active" } else { "retired" };
				let blend = blend_text(&style.blend.0);
				if cli.json {
					println!("{}", serde_json::json!({ "style": id, "name": name, "status": status, "blend": blend, "reference": style.reference.0 }));
				} else {
					let kind = if blend.is_empty() { "generator's style".to_string() } else { format!("stylize blend {blend}") };
					println!("{id}\t{name}\t{status}\t{kind}\t{} components", style.reference.0.len());
				}
			}
			Ok(())
		},
		StyleCommand::Add { name, from, blend: Some(blend), models_dir, dry_run } => {
			let max_side = at.constants().entry(studio::constants().job_escrow().max_image_side())?;
			let style_reference = blend_reference(models_dir, from, blend, max_side, &cli.compute.open()?)?;
			let measured_on = if from.is_empty() { "the studio's 8 exemplar eyes".to_string() } else { format!("{} images", from.len()) };
			let blend = blend.0.iter().map(|(basis, ppm)| BasisWeight { basis: *basis, weight: Permill(*ppm) }).collect::<Vec<_>>();
			let plan = Plan {
				lines: vec![format!(
					"add stylize style \"{name}\", blend {}: a reference of {} components measured on {measured_on} restyled in it",
					blend_text(&blend),
					style_reference.len()
				)],
				action: GovernanceAction::AddStyle {
					name: BoundedVec(name.as_bytes().to_vec()),
					reference: BoundedVec(to_fixed_point(&style_reference)),
					blend: BoundedVec(blend),
				},
				track: Track::Slow,
			};
			propose(cli, &client, &at, plan, dry_run.dry_run).await
		},
		StyleCommand::Add { name, from, blend: None, models_dir, dry_run } => {
			let vectors = example_vectors(models_dir, from, &cli.compute.open()?)?;
			let style_reference = reference(&vectors);
			let spread: Vec<u32> = vectors.iter().map(|v| to_permill(deviation(v, &style_reference))).collect();
			let plan = Plan {
				action: GovernanceAction::AddStyle {
					name: BoundedVec(name.as_bytes().to_vec()),
					reference: BoundedVec(to_fixed_point(&style_reference)),
					blend: BoundedVec(Vec::new()),
				},
				lines: vec![
					format!("add style \"{name}\": a reference of {} components from {} examples", style_reference.len(), from.len()),
					format!(
						"the examples deviate from it by {}–{} ppm",
						spread.iter().min().expect("at least one example"),
						spread.iter().max().expect("at least one example")
					),
				],
				track: Track::Slow,
			};
			propose(cli, &client, &at, plan, dry_run.dry_run).await
		},
	}
}
