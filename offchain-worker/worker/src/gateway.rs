//! The gateway: the worker's IPFS content over HTTP as `GET /ipfs/<cid>` (local or fetched from
//! peers, every block checked against its CID before a byte leaves), client uploads of
//! recorded assets as `PUT /ipfs/<cid>`; the worker's metrics at `GET /metrics`; and the web
//! studio (a built single-page app) at `/`, with `GET /config.json` telling it the node.

use crate::{
	content::{ContentError, ContentNode},
	metrics::Metrics,
	store::parse_cid,
};
use studio_chain::unixfs::file_cid;
use cid::Cid;
use http_body_util::{BodyExt, Full, Limited};
use hyper::{body::Bytes, header, server::conn::http1, service::service_fn, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::{convert::Infallible, path::PathBuf, sync::Arc};
use tokio::net::TcpListener;

/// The PNG signature: content starting with it is served as `image/png`.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The web studio: a directory holding a built single-page app (`index.html` and its assets).
#[derive(Clone, Debug)]
pub struct WebApp {
	root: PathBuf,
	/// `{"rpc": "<the node's WebSocket address>", "maxUploadBytes": n}`: where the page reads
	/// the chain, and the largest image it may upload here.
	config: Bytes,
}

impl WebApp {
	/// The app in `root`, pointed at the node at `rpc`, told that the gateway takes client
	/// uploads of at most `max_upload_bytes` (0: none); fails when `root` has no `index.html`
	/// (the app is not built).
	pub fn new(root: PathBuf, rpc: &str, max_upload_bytes: u64) -> std::io::Result<Self> {
		let root = root.canonicalize()?;
		if !root.join("index.html").is_file() {
			return Err(std::io::Error::new(
				std::io::ErrorKind::NotFound,
				format!("{} has no index.html: build the web studio first (npm run build in offchain-worker/web)", root.display()),
			))
		}
		let config = serde_json::json!({ "rpc": rpc, "maxUploadBytes": max_upload_bytes }).to_string();
		Ok(Self { root, config: Bytes::from(config) })
	}

	/// The file under the app's root that `path` names, if it is one: `/` is `index.html`;
	/// nothing outside the root is reachable.
	fn file(&self, path: &str) -> Option<PathBuf> {
		let relative = path.trim_start_matches('/');
		let relative = if relative.is_empty() { "index.html" } else { relative };
		if relative.split('/').any(|part| part.is_empty() || part == ".." || part == "." || part.contains('\\')) {
			return None
		}
		let file = self.root.join(relative).canonicalize().ok()?;
		(file.starts_with(&self.root) && file.is_file()).then_some(file)
	}
}

/// Who may add content through the gateway: `PUT /ipfs/<cid>` is accepted only for a CID the
/// chain's provenance pallet records (a client registers the asset first, paying its deposit),
/// whose bytes give that CID, and no larger than `max_bytes`.
#[derive(Clone, Debug)]
pub struct UploadPolicy {
	/// The node whose state is checked.
	pub url: String,
	/// The largest upload accepted.
	pub max_bytes: u64,
}

impl UploadPolicy {
	/// Whether provenance records `cid` at the node's latest block.
	async fn recorded(&self, cid: &Cid) -> Result<bool, String> {
		use studio_chain::{studio, Client};
		use studio::runtime_types::bounded_collections::bounded_vec::BoundedVec;
		let client = Client::from_insecure_url(&self.url).await.map_err(|error| error.to_string())?;
		let at = client.at_current_block().await.map_err(|error| error.to_string())?;
		let record = at
			.storage()
			.try_fetch(studio::storage().provenance().assets(), (BoundedVec(cid.to_bytes()),))
			.await
			.map_err(|error| error.to_string())?;
		Ok(record.is_some())
	}
}

/// What the gateway serves.
#[derive(Clone)]
pub struct Gateway {
	/// The worker's IPFS node, under `/ipfs/`.
	pub content: ContentNode,
	/// Whether and what it accepts as `PUT /ipfs/<cid>`.
	pub uploads: Option<UploadPolicy>,
	/// The worker's metrics, at `/metrics`.
	pub metrics: Option<Metrics>,
	/// The web studio, at `/`.
	pub web: Option<Arc<WebApp>>,
}

fn plain(status: StatusCode, text: String) -> Response<Full<Bytes>> {
	Response::builder()
		.status(status)
		.header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
		.body(Full::new(Bytes::from(text + "\n")))
		.expect("a valid response")
}

fn content(content_type: &str, body: Bytes, method: &Method) -> Response<Full<Bytes>> {
	let body = if method == Method::HEAD { Bytes::new() } else { body };
	Response::builder().header(header::CONTENT_TYPE, content_type).body(Full::new(body)).expect("a valid response")
}

/// The media type of a web studio file, by its extension.
fn media_type(file: &std::path::Path) -> &'static str {
	match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
		"html" => "text/html; charset=utf-8",
		"js" | "mjs" => "text/javascript; charset=utf-8",
		"css" => "text/css; charset=utf-8",
		"json" | "map" => "application/json",
		"svg" => "image/svg+xml",
		"png" => "image/png",
		"ico" => "image/x-icon",
		"woff2" => "font/woff2",
		"wasm" => "application/wasm",
		_ => "application/octet-stream",
	}
}

impl Gateway {
	/// The response to `method path` (with `body`, for an upload).
	pub async fn respond(&self, method: &Method, path: &str, body: Option<hyper::body::Incoming>) -> Response<Full<Bytes>> {
		if let Some(cid_text) = path.strip_prefix("/ipfs/") {
			return match (method, body) {
				(&Method::GET | &Method::HEAD, _) => self.stored(method, cid_text).await,
				(&Method::PUT, Some(body)) => self.upload(cid_text, body).await,
				_ => plain(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not supported; use GET or PUT")),
			}
		}
		if method != Method::GET && method != Method::HEAD {
			return plain(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not supported; use GET"))
		}
		match (path, &self.metrics, &self.web) {
			("/metrics", Some(metrics), _) =>
				content(prometheus::TEXT_FORMAT, Bytes::from(metrics.render()), method),
			("/config.json", _, Some(web)) => content("application/json", web.config.clone(), method),
			(_, _, Some(web)) => match web.file(path) {
				Some(file) => match std::fs::read(&file) {
					Ok(bytes) => content(media_type(&file), Bytes::from(bytes), method),
					Err(error) => plain(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read {path}: {error}")),
				},
				None => plain(StatusCode::NOT_FOUND, format!("no such path {path}")),
			},
			_ => plain(StatusCode::NOT_FOUND, format!("no such path {path}; content is under /ipfs/<cid>")),
		}
	}

	async fn stored(&self, method: &Method, cid_text: &str) -> Response<Full<Bytes>> {
		let cid = match parse_cid(cid_text) {
			Ok(cid) => cid,
			Err(error) => return plain(StatusCode::BAD_REQUEST, error.to_string()),
		};
		match self.content.get(&cid, u64::MAX).await {
			Ok(bytes) => {
				let content_type =
					if bytes.starts_with(PNG_SIGNATURE) { "image/png" } else { "application/octet-stream" };
				let body = if method == Method::HEAD { Bytes::new() } else { Bytes::from(bytes) };
				Response::builder()
					.header(header::CONTENT_TYPE, content_type)
					.header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
					.header("x-content-cid", cid.to_string())
					.body(Full::new(body))
					.expect("a valid response")
			},
			Err(error @ ContentError::NotAvailable { .. }) => plain(StatusCode::NOT_FOUND, error.to_string()),
			Err(error) => {
				tracing::error!(%cid, %error, "refusing to serve");
				plain(StatusCode::BAD_GATEWAY, error.to_string())
			},
		}
	}

	async fn upload(&self, cid_text: &str, body: hyper::body::Incoming) -> Response<Full<Bytes>> {
		let Some(policy) = &self.uploads else {
			return plain(StatusCode::FORBIDDEN, "this gateway accepts no uploads".into())
		};
		let cid = match parse_cid(cid_text) {
			Ok(cid) => cid,
			Err(error) => return plain(StatusCode::BAD_REQUEST, error.to_string()),
		};
		let bytes = match Limited::new(body, policy.max_bytes as usize).collect().await {
			Ok(collected) => collected.to_bytes(),
			Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, format!("uploads are limited to {} bytes", policy.max_bytes)),
		};
		let found = file_cid(&bytes);
		if found != cid {
			return plain(StatusCode::BAD_REQUEST, format!("the bytes give {found}, not {cid}"))
		}
		match policy.recorded(&cid).await {
			Ok(true) => {},
			Ok(false) => return plain(StatusCode::FORBIDDEN, format!("{cid} is not recorded on chain: register the asset first")),
			Err(error) => return plain(StatusCode::SERVICE_UNAVAILABLE, format!("cannot read the chain: {error}")),
		}
		match self.content.add(&bytes).await {
			Ok(_) => {
				tracing::info!(%cid, bytes = bytes.len(), "accepted an upload");
				plain(StatusCode::CREATED, format!("{cid} pinned ({} bytes)", bytes.len()))
			},
			Err(error) => plain(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
		}
	}

	/// Serves on `listener` until the task is dropped.
	pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
		loop {
			let (stream, peer) = listener.accept().await?;
			let gateway = self.clone();
			tokio::spawn(async move {
				let service = service_fn(move |request: Request<hyper::body::Incoming>| {
					let gateway = gateway.clone();
					async move {
						let (parts, body) = request.into_parts();
						Ok::<_, Infallible>(gateway.respond(&parts.method, parts.uri.path(), Some(body)).await)
					}
				});
				if let Err(error) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
					tracing::debug!(%peer, %error, "connection ended with an error");
				}
			});
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::content::ContentArgs;
	use clap::Parser;

	#[derive(Parser)]
	struct Args {
		#[command(flatten)]
		content: ContentArgs,
	}

	async fn body(response: Response<Full<Bytes>>) -> Bytes {
		response.into_body().collect().await.unwrap().to_bytes()
	}

	/// A gateway over a fresh IPFS node in `dir`, fetches from peers given up after a second.
	async fn gateway(dir: &std::path::Path) -> Gateway {
		let args = Args::parse_from(["test", "--fetch-timeout", "1"]).content;
		let content = ContentNode::start(dir, &args, None).await.unwrap();
		Gateway { content, uploads: None, metrics: None, web: None }
	}

	#[tokio::test]
	async fn content_is_served_verified_and_everything_else_named() {
		let dir = tempfile::tempdir().unwrap();
		let gateway = gateway(dir.path()).await;
		let png = [PNG_SIGNATURE, b"rest of an image"].concat();
		let cid = gateway.content.add(&png).await.unwrap();

		let ok = gateway.respond(&Method::GET, &format!("/ipfs/{cid}"), None).await;
		assert_eq!(ok.status(), StatusCode::OK);
		assert_eq!(ok.headers()[header::CONTENT_TYPE], "image/png");
		assert_eq!(ok.headers()["x-content-cid"], cid.to_string().as_str());
		assert_eq!(body(ok).await, png);

		let head = gateway.respond(&Method::HEAD, &format!("/ipfs/{cid}"), None).await;
		assert_eq!((head.status(), body(head).await.len()), (StatusCode::OK, 0));
		assert_eq!(gateway.respond(&Method::POST, "/ipfs/x", None).await.status(), StatusCode::METHOD_NOT_ALLOWED);
		assert_eq!(gateway.respond(&Method::GET, "/elsewhere", None).await.status(), StatusCode::NOT_FOUND);
		assert_eq!(gateway.respond(&Method::GET, "/ipfs/not-a-cid", None).await.status(), StatusCode::BAD_REQUEST);
		let missing = file_cid(b"never stored");
		let absent = gateway.respond(&Method::GET, &format!("/ipfs/{missing}"), None).await;
		assert_eq!(absent.status(), StatusCode::NOT_FOUND);
		assert!(String::from_utf8(body(absent).await.to_vec()).unwrap().contains("is not available"));

		let metrics = Metrics::new();
		metrics.jobs_delivered.inc();
		let with_metrics = Gateway { metrics: Some(metrics), ..gateway.clone() };
		let served = body(with_metrics.respond(&Method::GET, "/metrics", None).await).await;
		assert!(String::from_utf8(served.to_vec()).unwrap().contains("studio_worker_jobs_delivered_total 1"));
		gateway.content.stop().await;
	}

	#[tokio::test]
	async fn the_web_studio_is_served_with_its_config_and_nothing_outside_its_root() {
		let dir = tempfile::tempdir().unwrap();
		let app = dir.path().join("dist");
		std::fs::create_dir_all(app.join("assets")).unwrap();
		assert!(WebApp::new(app.clone(), "ws://127.0.0.1:9944", 0).is_err(), "no index.html: not built");
		std::fs::write(app.join("index.html"), "<!doctype html>").unwrap();
		std::fs::write(app.join("assets/app.js"), "console.log(1)").unwrap();
		std::fs::write(dir.path().join("secret"), "outside").unwrap();
		let web = WebApp::new(app, "ws://127.0.0.1:9944", 16 << 20).unwrap();
		let gateway = Gateway { web: Some(Arc::new(web)), ..gateway(&dir.path().join("worker")).await };
		let get = |path: &'static str| gateway.respond(&Method::GET, path, None);

		let index = get("/").await;
		assert_eq!(index.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
		assert_eq!(body(index).await, "<!doctype html>");
		let script = get("/assets/app.js").await;
		assert_eq!(script.headers()[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
		let config: serde_json::Value = serde_json::from_slice(&body(get("/config.json").await).await).unwrap();
		assert_eq!(config, serde_json::json!({ "rpc": "ws://127.0.0.1:9944", "maxUploadBytes": 16 << 20 }));
		for outside in ["/../secret", "/assets/../../secret", "/assets//app.js", "/missing.js", "/assets"] {
			assert_eq!(get(outside).await.status(), StatusCode::NOT_FOUND, "{outside}");
		}
		assert_eq!(get("/metrics").await.status(), StatusCode::NOT_FOUND, "no metrics given");
	}
}
