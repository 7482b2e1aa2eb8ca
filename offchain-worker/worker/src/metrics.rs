//! The worker's Prometheus metrics, served by the gateway at `GET /metrics`.

use prometheus::{Encoder, Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry, TextEncoder};

/// Everything the worker counts.
#[derive(Clone)]
pub struct Metrics {
	registry: Registry,
	/// Jobs this worker claimed.
	pub jobs_claimed: IntCounter,
	/// Results the chain accepted as delivered.
	pub jobs_delivered: IntCounter,
	/// Results the circuit breaker quarantined.
	pub jobs_quarantined: IntCounter,
	/// Results the chain refused (off-style with rejection, low quality).
	pub jobs_rejected: IntCounter,
	/// Jobs that failed on this worker (inference, store or submission).
	pub jobs_failed: IntCounter,
	/// Seconds each job's inference (the whole fitness loop) took.
	pub inference_seconds: Histogram,
	/// Candidates per second of the last job's fitness loop.
	pub candidates_per_second: prometheus::Gauge,
	/// Claimed jobs waiting for or in inference.
	pub queue_depth: IntGauge,
	/// The last finalized block the worker saw.
	pub finalized_block: IntGauge,
	/// 1 while connected to the node, 0 while reconnecting.
	pub chain_connected: IntGauge,
	/// Seconds each fetch of a file by CID took (local or from peers).
	pub content_fetch_seconds: Histogram,
	/// Blocks found corrupt in the repo (deleted and fetched again).
	pub content_corrupt_blocks: IntCounter,
	/// Blocks in the IPFS repo.
	pub content_blocks: IntGauge,
	/// Bytes in the IPFS repo.
	pub content_stored_bytes: IntGauge,
	/// Files the worker keeps pinned.
	pub content_pins: IntGauge,
	/// IPFS peers connected.
	pub content_peers: IntGauge,
	/// Findings this worker committed as a verifier of another's result.
	pub verifications_committed: IntCounter,
	/// Findings this worker revealed.
	pub verifications_revealed: IntCounter,
	/// Seconds each check of another's result took: fetching, re-scoring, re-generating.
	pub verification_seconds: Histogram,
}

fn registered<M: prometheus::core::Collector + Clone + 'static>(registry: &Registry, metric: M) -> M {
	registry.register(Box::new(metric.clone())).expect("metric names are unique");
	metric
}

fn counter(registry: &Registry, name: &str, help: &str) -> IntCounter {
	registered(registry, IntCounter::with_opts(Opts::new(name, help)).expect("a valid counter"))
}

fn histogram(registry: &Registry, name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
	registered(registry, Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets)).expect("a valid histogram"))
}

fn gauge(registry: &Registry, name: &str, help: &str) -> IntGauge {
	registered(registry, IntGauge::with_opts(Opts::new(name, help)).expect("a valid gauge"))
}

impl Metrics {
	/// A fresh set of metrics in a registry of its own.
	pub fn new() -> Self {
		let registry = Registry::new_custom(Some("studio_worker".into()), None).expect("a valid prefix");
		let buckets = vec![0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 60.0, 120.0, 300.0];
		Self {
			jobs_claimed: counter(&registry, "jobs_claimed_total", "Jobs this worker claimed"),
			jobs_delivered: counter(&registry, "jobs_delivered_total", "Results the chain accepted as delivered"),
			jobs_quarantined: counter(&registry, "jobs_quarantined_total", "Results the circuit breaker quarantined"),
			jobs_rejected: counter(&registry, "jobs_rejected_total", "Results the chain refused"),
			jobs_failed: counter(&registry, "jobs_failed_total", "Jobs that failed on this worker"),
			inference_seconds: histogram(&registry, "inference_seconds", "Seconds of each job's fitness loop", buckets),
			candidates_per_second: registered(
				&registry,
				prometheus::Gauge::with_opts(Opts::new(
					"candidates_per_second",
					"Candidates per second of the last job's fitness loop",
				))
				.expect("a valid gauge"),
			),
			queue_depth: gauge(&registry, "queue_depth", "Claimed jobs waiting for or in inference"),
			finalized_block: gauge(&registry, "finalized_block", "The last finalized block the worker saw"),
			chain_connected: gauge(&registry, "chain_connected", "1 while connected to the node"),
			content_fetch_seconds: histogram(
				&registry,
				"content_fetch_seconds",
				"Seconds of each fetch by CID",
				vec![0.001, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 20.0],
			),
			content_corrupt_blocks: counter(&registry, "content_corrupt_blocks_total", "Corrupt blocks found in the repo"),
			content_blocks: gauge(&registry, "content_blocks", "Blocks in the IPFS repo"),
			content_stored_bytes: gauge(&registry, "content_stored_bytes", "Bytes in the IPFS repo"),
			content_pins: gauge(&registry, "content_pins", "Files the worker keeps pinned"),
			content_peers: gauge(&registry, "content_peers", "IPFS peers connected"),
			verifications_committed: counter(&registry, "verifications_committed_total", "Findings committed as a verifier"),
			verifications_revealed: counter(&registry, "verifications_revealed_total", "Findings revealed as a verifier"),
			verification_seconds: histogram(
				&registry,
				"verification_seconds",
				"Seconds of each check of another's result",
				vec![0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0],
			),
			registry,
		}
	}

	/// The metrics in Prometheus' text format.
	pub fn render(&self) -> String {
		let mut buffer = Vec::new();
		TextEncoder::new().encode(&self.registry.gather(), &mut buffer).expect("text encoding cannot fail");
		String::from_utf8(buffer).expect("the text format is UTF-8")
	}
}

impl Default for Metrics {
	fn default() -> Self {
		Self::new()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn counts_show_in_the_text_format() {
		let metrics = Metrics::new();
		metrics.jobs_claimed.inc();
		metrics.inference_seconds.observe(1.5);
		metrics.queue_depth.set(3);
		let text = metrics.render();
		assert!(text.contains("studio_worker_jobs_claimed_total 1"), "{text}");
		assert!(text.contains("studio_worker_queue_depth 3"), "{text}");
		assert!(text.contains("studio_worker_inference_seconds_count 1"), "{text}");
	}
}
