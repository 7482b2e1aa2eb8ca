//! The worker as a service, as both `studio-worker run` and `studio worker run` start it: the
//! daemon that serves the chain, the IPFS node that keeps the studio's content, and the gateway
//! (the content over HTTP, uploads, the metrics and optionally the web studio).

use crate::{
	content::{ContentArgs, ContentNode},
	daemon::{self, DaemonConfig},
	gateway::{Gateway, UploadPolicy, WebApp},
	metrics::Metrics,
};
use studio_models::{agents::Agents, device::ComputeArgs};
use anyhow::{bail, Context, Result};
use std::{net::SocketAddr, path::PathBuf, sync::Arc};
use subxt_signer::sr25519::Keypair;

/// How the service runs; the node's address and the worker's key are given beside it.
#[derive(clap::Args, Clone, Debug)]
pub struct ServiceArgs {
	/// The worker's data directory: its IPFS repo (`ipfs/`), its IPFS identity and its pins.
	#[arg(long, default_value = "store")]
	pub store: PathBuf,
	#[command(flatten)]
	pub content: ContentArgs,
	/// The largest client upload the gateway accepts (`PUT /ipfs/<cid>` of a recorded asset),
	/// in MiB; 0 accepts none.
	#[arg(long, default_value_t = 16)]
	pub max_upload_mb: u64,
	/// Where to serve the store, the metrics and the web studio (loopback unless you mean to
	/// publish).
	#[arg(long, default_value = "127.0.0.1:8080")]
	pub listen: SocketAddr,
	/// How many claimed jobs the worker holds at once.
	#[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=8))]
	pub queue: u32,
	/// Search rounds after the first.
	#[arg(long, default_value_t = 2)]
	pub rounds: u32,
	/// Serve the web studio from this directory (the built app: `offchain-worker/web/dist`).
	#[arg(long)]
	pub web: Option<PathBuf>,
}

/// How often the IPFS repo's pins expire and its garbage is collected.
const MAINTENANCE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Aborts a background task when the service stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
	fn drop(&mut self) {
		self.0.abort();
	}
}

/// Logs to stderr, the same for `studio-worker` and `studio worker run`: `RUST_LOG` chooses
/// what (for example `RUST_LOG=studio_worker=debug`); `info` and above when it is unset or
/// invalid.
pub fn init_logging() {
	use tracing_subscriber::EnvFilter;
	let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
	tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter).init();
}

/// A listener on `address`, or an error naming it.
pub async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener> {
	tokio::net::TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))
}

/// Runs the worker for the node at `url`, signing with `signer`, with inference where
/// `compute` says, until a fatal error or Ctrl-C. Claimed jobs resume on the next start.
pub async fn run(models_dir: PathBuf, url: String, signer: Keypair, args: ServiceArgs, compute: &ComputeArgs) -> Result<()> {
	let web = args
		.web
		.map(|root| {
			WebApp::new(root.clone(), &url, args.max_upload_mb << 20).with_context(|| format!("the web studio in {}", root.display()))
		})
		.transpose()?;
	let device = compute.open()?;
	let agents = tokio::task::spawn_blocking(move || Agents::load(&models_dir, &device)).await??;
	let metrics = Metrics::new();
	let content = ContentNode::start(&args.store, &args.content, Some(metrics.clone()))
		.await
		.with_context(|| format!("the IPFS node in {}", args.store.display()))?;
	println!("IPFS node {} at {}", content.peer_id(), content.address().await?);
	let listener = bind(args.listen).await?;
	let address = listener.local_addr()?;
	println!("gateway listening on http://{address}/ipfs/ (metrics at /metrics)");
	if web.is_some() {
		println!("web studio at http://{address}/");
	}
	let uploads = (args.max_upload_mb > 0).then(|| UploadPolicy { url: url.clone(), max_bytes: args.max_upload_mb << 20 });
	let gateway = Gateway { content: content.clone(), uploads, metrics: Some(metrics.clone()), web: web.map(Arc::new) };
	let served = tokio::spawn(gateway.serve(listener));
	let maintained = tokio::spawn({
		let content = content.clone();
		async move {
			loop {
				if let Err(error) = content.maintain().await {
					tracing::warn!(%error, "maintaining the IPFS repo failed");
				}
				tokio::time::sleep(MAINTENANCE_INTERVAL).await;
			}
		}
	});
	let config = DaemonConfig { url, signer, content, queue: args.queue as usize, rounds: args.rounds };
	let _stop_maintenance = AbortOnDrop(maintained);
	tokio::select! {
		stopped = daemon::run(Arc::new(agents), config, metrics) => stopped.context("the worker stopped"),
		served = served => bail!("the gateway stopped: {:?}", served),
		_ = tokio::signal::ctrl_c() => {
			tracing::info!("interrupted; stopping (claimed jobs resume on the next start)");
			Ok(())
		},
	}
}
