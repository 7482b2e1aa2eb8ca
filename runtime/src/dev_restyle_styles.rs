//! The dev and local chains' restyle styles, as the worker's style critic measures them: each
//! reference is the mean style vector, in the critic's 128 × 128 view, of 8 exemplar eyes
//! (`restyle::exemplar_contents`, seed 1000) restyled at full strength in the style's basis
//! blend, or drawn as line art at the middle threshold when the blend is empty; in units of
//! 10⁻⁶. Written by `STUDIO_BLESS_STYLES=1 cargo test --release --workspace --test
//! restyle_models`; that test fails when the worker would compute other references.

/// (name, basis blend as (basis style, parts per million) — empty for the line-art style —,
/// reference vector)
pub const DEV_RESTYLE_STYLES: [(&str, &[(u8, u32)], [i32; 68]); 4] = [
	("ink wash", &[(2, 700_000), (14, 300_000)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
	("starry swirl", &[(16, 600_000), (19, 400_000)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
	("sepia sketch", &[(11, 500_000), (18, 500_000)], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
	("clean line", &[], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
];
