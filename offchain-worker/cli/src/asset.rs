//! `studio asset`: provenance records, lineage trees, fetching assets verified against their
//! CIDs, and registering human-made assets as lineage roots.

use crate::{cid_text, fetch, parse_cid_arg, transact, upload, CidArg, Cli};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use std::{collections::BTreeSet, path::PathBuf};
use studio_chain::{studio, unixfs::file_cid, AtBlock};
use subxt::utils::AccountId32;

use studio::runtime_types::{
	bounded_collections::bounded_vec::BoundedVec, studio_primitives::AssetStatus,
};

#[derive(Subcommand)]
pub enum AssetCommand {
	/// Show an asset's provenance record.
	Show {
		#[arg(value_parser = parse_cid_arg)]
		cid: CidArg,
	},
	/// Show an asset's lineage: the assets it derives from, as a tree.
	Lineage {
		#[arg(value_parser = parse_cid_arg)]
		cid: CidArg,
		/// Generations to walk up.
		#[arg(long, default_value_t = 8)]
		depth: u32,
	},
	/// Fetch an asset through a worker's gateway (which fetches it from the studio's IPFS
	/// network when it does not hold it), verify it against its CID and save it.
	Get {
		#[arg(value_parser = parse_cid_arg)]
		cid: CidArg,
		/// The gateway.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		gateway: String,
		/// Where to save it.
		#[arg(short, long)]
		output: PathBuf,
	},
	/// Register a human-made image as an asset (a lineage root, or derived from `--parent`s),
	/// owned by the signing account, and upload it to a worker's gateway, which pins it on the
	/// studio's IPFS network.
	Register {
		/// The image (PNG, JPEG, GIF or WebP).
		file: PathBuf,
		/// A recorded asset it derives from (repeatable).
		#[arg(long = "parent", value_parser = parse_cid_arg)]
		parents: Vec<CidArg>,
		/// The worker gateway the image is uploaded to.
		#[arg(long, default_value = "http://127.0.0.1:8080")]
		gateway: String,
		/// Only record it on chain; upload it yourself later (e.g. with `curl -T`).
		#[arg(long)]
		no_upload: bool,
	},
}

/// The record of the asset `cid`, or an error naming it.
async fn record(at: &AtBlock, cid: &[u8]) -> Result<Record> {
	Ok(at
		.storage()
		.try_fetch(studio::storage().provenance().assets(), (BoundedVec(cid.to_vec()),))
		.await?
		.with_context(|| format!("no provenance record for {}", cid_text(cid)))?
		.decode()?)
}

type Record = studio::runtime_types::pallet_provenance::types::AssetRecord<AccountId32, u32>;

/// One line about a record: how it came to be, by whom, when.
fn summary(record: &Record) -> String {
	let origin = match &record.generation {
		Some(generation) => format!(
			"job {} by {}, model {}, seed {}, deviation {:.1}%",
			generation.job,
			generation.worker,
			generation.model,
			generation.seed,
			generation.style_deviation.0 as f64 / 10_000.0
		),
		None => format!("human-made, registered by {}", record.creator),
	};
	let status = match record.status {
		AssetStatus::External => "external",
		AssetStatus::Delivered => "delivered",
		AssetStatus::Final => "final",
		AssetStatus::Rejected => "rejected",
		AssetStatus::Candidate => "a curated job's finalist, under curation",
		AssetStatus::Unchosen => "a curated job's finalist the curation did not choose",
	};
	format!("{origin}; {status}; block {}", record.recorded_at)
}

/// A node of a lineage tree.
struct Lineage {
	cid: Vec<u8>,
	summary: String,
	/// `None` past the depth limit or for an asset already shown higher up.
	parents: Option<Vec<Lineage>>,
}

/// The lineage of `cid` up to `depth` generations; an asset reached twice is expanded once.
async fn lineage(at: &AtBlock, cid: Vec<u8>, depth: u32) -> Result<Lineage> {
	let mut seen = BTreeSet::new();
	walk(at, cid, depth, &mut seen).await
}

fn walk<'a>(
	at: &'a AtBlock,
	cid: Vec<u8>,
	depth: u32,
	seen: &'a mut BTreeSet<Vec<u8>>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Lineage>> + Send + 'a>> {
	Box::pin(async move {
		let record = record(at, &cid).await?;
		let expand = depth > 0 && seen.insert(cid.clone());
		let parents = if expand {
			let mut parents = Vec::new();
			for parent in record.parents.0.iter() {
				parents.push(walk(at, parent.0.clone(), depth - 1, seen).await?);
			}
			Some(parents)
		} else {
			None
		};
		Ok(Lineage { cid, summary: summary(&record), parents })
	})
}

impl Lineage {
	fn print(&self, prefix: &str, connector: &str, child_prefix: &str) {
		let more = if matches!(&self.parents, None) { " …" } else { "" };
		println!("{prefix}{connector}{} ({}){more}", cid_text(&self.cid), self.summary);
		let parents = self.parents.as_deref().unwrap_or_default();
		for (index, parent) in parents.iter().enumerate() {
			let last = index + 1 == parents.len();
			let (connector, indent) = if last { ("└── ", "    ") } else { ("├── ", "│   ") };
			parent.print(&format!("{prefix}{child_prefix}"), connector, indent);
		}
	}

	fn json(&self) -> serde_json::Value {
		serde_json::json!({
			"cid": cid_text(&self.cid),
			"summary": self.summary,
			"parents": self.parents.as_ref().map(|parents| parents.iter().map(Lineage::json).collect::<Vec<_>>()),
		})
	}
}

/// Whether `bytes` start like an image file the studio records: PNG, JPEG, GIF or WebP.
fn is_image(bytes: &[u8]) -> bool {
	bytes.starts_with(b"\x89PNG\r\n\x1a\n") ||
		bytes.starts_with(&[0xff, 0xd8, 0xff]) ||
		bytes.starts_with(b"GIF87a") ||
		bytes.starts_with(b"GIF89a") ||
		(bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP")
}

pub async fn run(cli: &Cli, command: &AssetCommand) -> Result<()> {
	match command {
		AssetCommand::Show { cid: CidArg(cid) } => {
			let client = cli.client().await?;
			let at = client.at_current_block().await?;
			let value = at
				.storage()
				.try_fetch(studio::storage().provenance().assets(), (BoundedVec(cid.clone()),))
				.await?
				.with_context(|| format!("no provenance record for {}", cid_text(cid)))?;
			cli.print_record(&at, &cid_text(cid), &value)
		},
		AssetCommand::Lineage { cid: CidArg(cid), depth } => {
			let client = cli.client().await?;
			let at = client.at_current_block().await?;
			let tree = lineage(&at, cid.clone(), *depth).await?;
			if cli.json {
				println!("{}", serde_json::to_string_pretty(&tree.json())?);
			} else {
				tree.print("", "", "");
			}
			Ok(())
		},
		AssetCommand::Get { cid: CidArg(cid), gateway, output } => {
			let bytes = fetch(gateway, cid)?;
			std::fs::write(output, &bytes).with_context(|| format!("cannot write {}", output.display()))?;
			println!("{}\t{} bytes, verified against {}", output.display(), bytes.len(), cid_text(cid));
			Ok(())
		},
		AssetCommand::Register { file, parents, gateway, no_upload } => {
			let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
			if !is_image(&bytes) {
				bail!("{} is not an image (PNG, JPEG, GIF or WebP)", file.display());
			}
			let cid = file_cid(&bytes);
			let client = cli.client().await?;
			let parents = BoundedVec(parents.iter().map(|CidArg(parent)| BoundedVec(parent.clone())).collect());
			let call = studio::tx().provenance().register_external(BoundedVec(cid.to_bytes()), parents);
			transact(cli, &client, &call).await?;
			if !no_upload {
				let cid_bytes = cid.to_bytes();
				let target = gateway.clone();
				tokio::task::spawn_blocking(move || upload(&target, &cid_bytes, &bytes))
					.await?
					.with_context(|| format!("{cid} is recorded on chain but its upload failed; retry with `curl -T {} {gateway}/ipfs/{cid}`", file.display()))?;
			}
			let uploaded = if *no_upload { "not uploaded" } else { "uploaded" };
			if cli.json {
				println!("{}", serde_json::json!({ "cid": cid.to_string(), "file": file, "uploaded": !no_upload }));
			} else {
				println!("{cid}\tregistered {} as a human-made asset; {uploaded}", file.display());
			}
			Ok(())
		},
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_image_files_are_registered() {
		assert!(is_image(b"\x89PNG\r\n\x1a\nrest"));
		assert!(is_image(&[0xff, 0xd8, 0xff, 0xe0]));
		assert!(is_image(b"GIF89a..."));
		assert!(is_image(b"RIFF\0\0\0\0WEBPVP8 "));
		assert!(!is_image(b"hello, not an image"));
		assert!(!is_image(b"RIFF\0\0\0\0WAVE"));
		assert!(!is_image(b""));
	}
}
