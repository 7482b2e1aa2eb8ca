//! The gateway: serves the content store over HTTP as `GET /ipfs/<cid>`, re-verifying every
//! file against its CID before a byte leaves, and the worker's metrics at `GET /metrics`.

use crate::{
	metrics::Metrics,
	store::{parse_cid, ContentStore, StoreError},
};
use http_body_util::Full;
use hyper::{body::Bytes, header, server::conn::http1, service::service_fn, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use tokio::net::TcpListener;

/// The PNG signature: content starting with it is served as `image/png`.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn plain(status: StatusCode, text: String) -> Response<Full<Bytes>> {
	Response::builder()
		.status(status)
		.header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
		.body(Full::new(Bytes::from(text + "\n")))
		.expect("a valid response")
}

/// The response to `method path`, read from `store` (or `metrics`, when served).
pub fn respond(store: &ContentStore, metrics: Option<&Metrics>, method: &Method, path: &str) -> Response<Full<Bytes>> {
	if method != Method::GET && method != Method::HEAD {
		return plain(StatusCode::METHOD_NOT_ALLOWED, format!("{method} is not supported; use GET"))
	}
	if let (Some(metrics), "/metrics") = (metrics, path) {
		return Response::builder()
			.header(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)
			.body(Full::new(Bytes::from(metrics.render())))
			.expect("a valid response")
	}
	let Some(cid_text) = path.strip_prefix("/ipfs/") else {
		return plain(StatusCode::NOT_FOUND, format!("no such path {path}; content is under /ipfs/<cid>"))
	};
	let cid = match parse_cid(cid_text) {
		Ok(cid) => cid,
		Err(error) => return plain(StatusCode::BAD_REQUEST, error.to_string()),
	};
	match store.get(&cid) {
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

/// Serves `store` (and `metrics`, when given) on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, store: ContentStore, metrics: Option<Metrics>) -> std::io::Result<()> {
	loop {
		let (stream, peer) = listener.accept().await?;
		let (store, metrics) = (store.clone(), metrics.clone());
		tokio::spawn(async move {
			let service = service_fn(move |request: Request<hyper::body::Incoming>| {
				let response = respond(&store, metrics.as_ref(), request.method(), request.uri().path());
				async move { Ok::<_, Infallible>(response) }
			});
			if let Err(error) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
				tracing::debug!(%peer, %error, "connection ended with an error");
			}
		});
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
		let png = [PNG_SIGNATURE, b"rest of an image"].concat();
		let cid = store.put(&png).unwrap();

		let ok = respond(&store, None, &Method::GET, &format!("/ipfs/{cid}"));
		assert_eq!(ok.status(), StatusCode::OK);
		assert_eq!(ok.headers()[header::CONTENT_TYPE], "image/png");
		assert_eq!(ok.headers()["x-content-cid"], cid.to_string().as_str());
		assert_eq!(body(ok), png);

		let head = respond(&store, None, &Method::HEAD, &format!("/ipfs/{cid}"));
		assert_eq!((head.status(), body(head).len()), (StatusCode::OK, 0));
		assert_eq!(respond(&store, None, &Method::POST, "/ipfs/x").status(), StatusCode::METHOD_NOT_ALLOWED);
		assert_eq!(respond(&store, None, &Method::GET, "/elsewhere").status(), StatusCode::NOT_FOUND);
		assert_eq!(respond(&store, None, &Method::GET, "/ipfs/not-a-cid").status(), StatusCode::BAD_REQUEST);
		let missing = crate::store::cid_of(b"never stored");
		assert_eq!(respond(&store, None, &Method::GET, &format!("/ipfs/{missing}")).status(), StatusCode::NOT_FOUND);

		let metrics = Metrics::new();
		metrics.jobs_delivered.inc();
		let served = body(respond(&store, Some(&metrics), &Method::GET, "/metrics"));
		assert!(String::from_utf8(served.to_vec()).unwrap().contains("studio_worker_jobs_delivered_total 1"));

		std::fs::write(store.path_of(&cid), b"tampered").unwrap();
		let corrupt = respond(&store, None, &Method::GET, &format!("/ipfs/{cid}"));
		assert_eq!(corrupt.status(), StatusCode::INTERNAL_SERVER_ERROR);
		assert!(String::from_utf8(body(corrupt).to_vec()).unwrap().contains("corrupt"));
	}
}
