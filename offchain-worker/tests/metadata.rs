//! The worker's chain client is generated from `metadata/studio.scale`: this test fails when
//! that file no longer matches the runtime the workspace builds. `STUDIO_BLESS_METADATA=1`
//! rewrites it (then rebuild the worker).

use std::path::Path;

#[test]
fn checked_in_metadata_matches_the_runtime() {
	let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("metadata/studio.scale");
	let fresh = studio_runtime::Runtime::metadata_at_version(16).expect("the runtime serves metadata v16").to_vec();
	if std::env::var_os("STUDIO_BLESS_METADATA").is_some() {
		std::fs::write(&path, &fresh).unwrap();
		return
	}
	let checked_in = std::fs::read(&path).expect("metadata/studio.scale is checked in");
	assert!(
		checked_in == fresh,
		"{} is stale: the runtime's metadata changed; run `STUDIO_BLESS_METADATA=1 cargo test --release --workspace --test metadata` and rebuild",
		path.display()
	);
}
