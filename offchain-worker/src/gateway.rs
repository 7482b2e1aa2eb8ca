//! The gateway: serves the content store over HTTP as `GET /ipfs/<cid>`, re-verifying every
//! file against its CID before a byte leaves; the worker's metrics at `GET /metrics`; and the
//! web studio (a built single-page app) at `/`, with `GET /config.json` telling it the node.

use crate::{
	metrics::Metrics,
	store::{parse_cid, ContentStore, StoreError},
};
use http_body_util::Full;
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
	/// `{"rpc": "<the node's WebSocket address>"}`: where the page reads the chain.
	config: Bytes,
}

impl WebApp {
	/// The app in `root`, pointed at the node at `rpc`; fails when `root` has no `index.html`
	/// (the app is not built).
	pub fn new(root: PathBuf, rpc: &str) -> std::io::Result<Self> {
		let root = root.canonicalize()?;
		if !root.join("index.html").is_file() {
			return Err(std::io::Error::new(
				std::io::ErrorKind::NotFound,
				format!("{} has no index.html: build the web studio first (npm run build in offchain-worker/web)", root.display()),
			))
		}
		let config = serde_json::json!({ "rpc": rpc }).to_string();
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

/// What the gateway serves.
#[derive(Clone)]
pub struct Gateway {
	/// The content store, under `/ipfs/`.
	pub store: ContentStore,
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
	/// The response to `method path`.
	pub fn respond(&self, method: &Method, path: &str) -> Response<Full<Bytes>> {
		if method != Method::GET && method != Method::HEAD {
			return plain(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not supported; use GET"))
		}
		if let Some(cid_text) = path.strip_prefix("/ipfs/") {
			return self.stored(method, cid_text)
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

	fn stored(&self, method: &Method, cid_text: &str) -> Response<Full<Bytes>> {
		let cid = match parse_cid(cid_text) {
			Ok(cid) => cid,
			Err(error) => return plain(StatusCode::BAD_REQUEST, error.to_string()),
		};
		match self.store.get(&cid) {
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
			Err(StoreError::NotFound(_)) => plain(StatusCode::NOT_FOUND, format!("no content stored under {cid}")),
			Err(error) => {
				tracing::error!(%cid, %error, "refusing to serve");
				plain(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
			},
		}
	}

	/// Serves on `listener` until the task is dropped.
	pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
		loop {
			let (stream, peer) = listener.accept().await?;
			let gateway = self.clone();
			tokio::spawn(async move {
				let service = service_fn(move |request: Request<hyper::body::Incoming>| {
					let response = gateway.respond(request.method(), request.uri().path());
					async move { Ok::<_, Infallible>(response) }
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
	use http_body_util::BodyExt;

	fn body(response: Response<Full<Bytes>>) -> Bytes {
		block_on(response.into_body().collect()).unwrap().to_bytes()
	}

	fn block_on<F: std::future::Future>(future: F) -> F::Output {
		tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
	}

	#[test]
	fn stored_content_is_served_verified_and_everything_else_named() {
		let dir = tempfile::tempdir().unwrap();
		let store = ContentStore::open(dir.path()).unwrap();
		let gateway = Gateway { store: store.clone(), metrics: None, web: None };
		let respond = |method: &Method, path: &str| gateway.respond(method, path);
		let png = [PNG_SIGNATURE, b"rest of an image"].concat();
		let cid = store.put(&png).unwrap();

		let ok = respond(&Method::GET, &format!("/ipfs/{cid}"));
		assert_eq!(ok.status(), StatusCode::OK);
		assert_eq!(ok.headers()[header::CONTENT_TYPE], "image/png");
		assert_eq!(ok.headers()["x-content-cid"], cid.to_string().as_str());
		assert_eq!(body(ok), png);

		let head = respond(&Method::HEAD, &format!("/ipfs/{cid}"));
		assert_eq!((head.status(), body(head).len()), (StatusCode::OK, 0));
		assert_eq!(respond(&Method::POST, "/ipfs/x").status(), StatusCode::METHOD_NOT_ALLOWED);
		assert_eq!(respond(&Method::GET, "/elsewhere").status(), StatusCode::NOT_FOUND);
		assert_eq!(respond(&Method::GET, "/ipfs/not-a-cid").status(), StatusCode::BAD_REQUEST);
		let missing = crate::store::cid_of(b"never stored");
		assert_eq!(respond(&Method::GET, &format!("/ipfs/{missing}")).status(), StatusCode::NOT_FOUND);

		let metrics = Metrics::new();
		metrics.jobs_delivered.inc();
		let with_metrics = Gateway { metrics: Some(metrics), ..gateway.clone() };
		let served = body(with_metrics.respond(&Method::GET, "/metrics"));
		assert!(String::from_utf8(served.to_vec()).unwrap().contains("studio_worker_jobs_delivered_total 1"));

		std::fs::write(store.path_of(&cid), b"tampered").unwrap();
		let corrupt = respond(&Method::GET, &format!("/ipfs/{cid}"));
		assert_eq!(corrupt.status(), StatusCode::INTERNAL_SERVER_ERROR);
		assert!(String::from_utf8(body(corrupt).to_vec()).unwrap().contains("corrupt"));
	}

	#[test]
	fn the_web_studio_is_served_with_its_config_and_nothing_outside_its_root() {
		let dir = tempfile::tempdir().unwrap();
		let app = dir.path().join("dist");
		std::fs::create_dir_all(app.join("assets")).unwrap();
		assert!(WebApp::new(app.clone(), "ws://127.0.0.1:9944").is_err(), "no index.html: not built");
		std::fs::write(app.join("index.html"), "<!doctype html>").unwrap();
		std::fs::write(app.join("assets/app.js"), "console.log(1)").unwrap();
		std::fs::write(dir.path().join("secret"), "outside").unwrap();
		let web = WebApp::new(app, "ws://127.0.0.1:9944").unwrap();
		let gateway = Gateway { store: ContentStore::open(dir.path().join("store")).unwrap(), metrics: None, web: Some(Arc::new(web)) };

		let index = gateway.respond(&Method::GET, "/");
		assert_eq!(index.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
		assert_eq!(body(index), "<!doctype html>");
		let script = gateway.respond(&Method::GET, "/assets/app.js");
		assert_eq!(script.headers()[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
		let config: serde_json::Value = serde_json::from_slice(&body(gateway.respond(&Method::GET, "/config.json"))).unwrap();
		assert_eq!(config, serde_json::json!({ "rpc": "ws://127.0.0.1:9944" }));
		for outside in ["/../secret", "/assets/../../secret", "/assets//app.js", "/missing.js", "/assets"] {
			assert_eq!(gateway.respond(&Method::GET, outside).status(), StatusCode::NOT_FOUND, "{outside}");
		}
		assert_eq!(gateway.respond(&Method::GET, "/metrics").status(), StatusCode::NOT_FOUND, "no metrics given");
	}
}
