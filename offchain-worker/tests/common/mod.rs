//! What the worker's integration tests share.

use std::path::PathBuf;

/// Where the models' wheels are cached: `$STUDIO_WHEEL_CACHE`, by default
/// `~/.cache/studio-chain/wheels` (pip fills it when a wheel is missing).
pub fn wheel_cache() -> PathBuf {
	std::env::var_os("STUDIO_WHEEL_CACHE").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/studio-chain/wheels")
	})
}
