//! The CPU kernels' loops compiled for the instruction set the machine has.
//!
//! The crate is built for the baseline x86-64 (SSE2, 4 lanes of f32), so that one binary runs on
//! any x86-64 machine; only `gemm` picked AVX-512 or AVX2 at run time. The kernels' own loops
//! (Winograd's transforms, the im2col gather, the instance norm, pooling, the bias and
//! activation) ran 4 lanes wide. [`Level::run`] runs a kernel's body inside a function compiled
//! for AVX-512 (x86-64-v4) or AVX2 with FMA (x86-64-v3), whichever the CPU has, the body inlined
//! into it (`#[inline(always)]` all the way down), and so vectorised 16 or 8 lanes wide.
//!
//! The results are the same bits at every level: Rust neither reorders floating-point
//! operations nor fuses a multiply and an add into an FMA unless asked, so a wider vector only
//! does the same operations on more values at once (tested below).

/// An instruction-set level of x86-64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
	/// SSE2: what the crate is compiled for.
	Baseline,
	/// x86-64-v3: AVX2 and FMA.
	V3,
	/// x86-64-v4: AVX-512 (F, BW, CD, DQ, VL).
	V4,
}

impl Level {
	/// The highest level this CPU runs.
	fn detected() -> Self {
		#[cfg(target_arch = "x86_64")]
		{
			use std::arch::is_x86_feature_detected as has;
			// Every feature `v3` and `v4` are compiled with, not only the vector ones.
			let v3 = has!("avx2") &&
				has!("fma") && has!("bmi1") &&
				has!("bmi2") && has!("lzcnt") &&
				has!("popcnt") && has!("f16c") &&
				has!("movbe");
			let v4 = v3 &&
				has!("avx512f") && has!("avx512bw") &&
				has!("avx512cd") && has!("avx512dq") &&
				has!("avx512vl");
			if v4 {
				return Self::V4
			}
			if v3 {
				return Self::V3
			}
		}
		Self::Baseline
	}

	/// Runs `body` (a closure marked `#[inline(always)]`, calling `#[inline(always)]` functions)
	/// compiled for this level. The CPU must have it ([`best`] or below).
	#[inline(always)]
	pub fn run<R>(self, body: impl FnOnce() -> R) -> R {
		match self {
			Self::Baseline => body(),
			#[cfg(target_arch = "x86_64")]
			// SAFETY: the caller runs a level the CPU has.
			Self::V3 => unsafe { v3(body) },
			#[cfg(target_arch = "x86_64")]
			// SAFETY: as above.
			Self::V4 => unsafe { v4(body) },
			#[cfg(not(target_arch = "x86_64"))]
			_ => body(),
		}
	}
}

/// The highest level this CPU runs, detected once: the level every kernel runs at outside the
/// tests.
pub fn best() -> Level {
	static DETECTED: std::sync::OnceLock<Level> = std::sync::OnceLock::new();
	*DETECTED.get_or_init(Level::detected)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,bmi1,bmi2,lzcnt,popcnt,f16c,movbe")]
unsafe fn v3<R>(body: impl FnOnce() -> R) -> R {
	body()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512cd,avx512dq,avx512vl,avx2,fma,bmi1,bmi2,lzcnt,popcnt,f16c,movbe")]
unsafe fn v4<R>(body: impl FnOnce() -> R) -> R {
	body()
}

/// Every level this CPU runs, lowest first: what the kernels' tests compare.
#[cfg(test)]
pub fn levels() -> Vec<Level> {
	[Level::Baseline, Level::V3, Level::V4].into_iter().filter(|level| *level as u8 <= best() as u8).collect()
}
