//! Where inference runs: `--device cpu|cuda[:N]` and `--threads`, the same for every command
//! that runs a model. Without `--device`, the first GPU when the worker is built with the
//! `cuda` feature and one opens, else the CPU; the log says which, and why.

use candle_core::Device;
use std::{fmt, str::FromStr};

/// A device named on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceChoice {
	/// The CPU, with `--threads` threads.
	Cpu,
	/// The CUDA GPU of this ordinal (`cuda` is `cuda:0`).
	Cuda(usize),
}

impl FromStr for DeviceChoice {
	type Err = DeviceError;

	fn from_str(text: &str) -> Result<Self, Self::Err> {
		let unknown = || DeviceError::Unknown(text.to_owned());
		match text.trim().to_ascii_lowercase().as_str() {
			"cpu" => Ok(Self::Cpu),
			"cuda" => Ok(Self::Cuda(0)),
			other => match other.strip_prefix("cuda:") {
				Some(ordinal) => ordinal.parse().map(Self::Cuda).map_err(|_| unknown()),
				None => Err(unknown()),
			},
		}
	}
}

impl fmt::Display for DeviceChoice {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::Cpu => write!(f, "cpu"),
			Self::Cuda(ordinal) => write!(f, "cuda:{ordinal}"),
		}
	}
}

/// Why inference cannot run where it was asked to.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
	/// Not a device name.
	#[error("`{0}` is not a device: use cpu, cuda or cuda:N")]
	Unknown(String),
	/// A GPU asked of a worker built without CUDA.
	#[error("--device {0} needs a worker built with the `cuda` feature (cargo build --release -p studio-worker --features cuda)")]
	NoCudaFeature(DeviceChoice),
	/// The GPU did not open (no such ordinal, no driver).
	#[error("cannot open --device {choice}: {source}")]
	Open { choice: DeviceChoice, source: candle_core::Error },
	/// The thread pool was already built.
	#[error("setting the inference thread count: {0}")]
	Threads(#[from] rayon::ThreadPoolBuildError),
}

/// Where inference runs, as every command that runs a model takes it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ComputeArgs {
	/// Where inference runs: `cpu`, `cuda` or `cuda:N` (the N-th GPU). Default: the first GPU
	/// when this worker is built with the `cuda` feature and one is present, else the CPU.
	#[arg(long, global = true)]
	pub device: Option<DeviceChoice>,
	/// Threads for inference on the CPU (candle's and the worker's CPU kernels); default: every
	/// core.
	#[arg(long, global = true, value_parser = clap::value_parser!(u16).range(1..))]
	pub threads: Option<u16>,
}

impl ComputeArgs {
	/// Sizes the CPU's thread pool and opens the device, saying in the log which and why. Once
	/// per process: the thread pool is global.
	pub fn open(&self) -> Result<Device, DeviceError> {
		keep_freed_buffers();
		if let Some(threads) = self.threads {
			rayon::ThreadPoolBuilder::new().num_threads(threads.into()).build_global()?;
		}
		let device = match self.device {
			Some(DeviceChoice::Cpu) => Device::Cpu,
			Some(choice @ DeviceChoice::Cuda(ordinal)) => open_cuda(ordinal).map_err(|error| match error {
				OpenCuda::NotBuilt => DeviceError::NoCudaFeature(choice),
				OpenCuda::Failed(source) => DeviceError::Open { choice, source },
			})?,
			None => match open_cuda(0) {
				Ok(device) => device,
				Err(OpenCuda::NotBuilt) => Device::Cpu,
				Err(OpenCuda::Failed(error)) => {
					tracing::info!(%error, "no GPU opened; inference on the CPU");
					Device::Cpu
				},
			},
		};
		let chosen = if self.device.is_some() { "--device" } else { "the default" };
		tracing::info!(device = %label(&device), chosen, "inference device");
		Ok(device)
	}
}

/// Keeps the CPU's large inference buffers in the process once freed. Every layer allocates
/// its output and frees its input: 32 MiB a layer for style transfer at 512², 64 MiB for HED.
/// glibc gives any block over its mmap threshold (at most 32 MiB) back to the system when it is
/// freed, and trims the heap's top, so each layer's output faulted its pages in afresh, and
/// freeing the last unmapped them: 24 % of style transfer's time at 512² (74 → 56 ms an image,
/// docs/performance.md). With these thresholds every size is served from the heap and freed
/// memory stays for the next layer. Two arenas at most: each arena keeps what was freed in it,
/// and the daemon's many threads would each fill their own (its peak resident memory, 20 jobs
/// of 64 candidates, was 915 MiB with glibc's default of 8 per core, 648 MiB with two, at the
/// same speed). Called by [`ComputeArgs::open`]; a binary that starts threads before it opens
/// the device calls it first.
pub fn keep_freed_buffers() {
	#[cfg(all(target_os = "linux", target_env = "gnu"))]
	// SAFETY: mallopt only sets glibc's thresholds and arena limit, under its own lock.
	unsafe {
		libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
		libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
		libc::mallopt(libc::M_ARENA_MAX, 2);
	}
}

/// How a device is named in logs and benchmark tables: `CPU, 2 threads` or `CUDA GPU 0`.
pub fn label(device: &Device) -> String {
	match device.location() {
		candle_core::DeviceLocation::Cpu => format!("CPU, {} threads", rayon::current_num_threads()),
		candle_core::DeviceLocation::Cuda { gpu_id } => format!("CUDA GPU {gpu_id}"),
		candle_core::DeviceLocation::Metal { gpu_id } => format!("Metal GPU {gpu_id}"),
	}
}

/// Why no GPU opened.
enum OpenCuda {
	/// The worker is built without the `cuda` feature (only such a build gets this).
	#[cfg_attr(feature = "cuda", allow(dead_code))]
	NotBuilt,
	/// CUDA could not open it (only a `cuda` build gets this far).
	#[cfg_attr(not(feature = "cuda"), allow(dead_code))]
	Failed(candle_core::Error),
}

#[cfg(feature = "cuda")]
fn open_cuda(ordinal: usize) -> Result<Device, OpenCuda> {
	Device::new_cuda(ordinal).map_err(OpenCuda::Failed)
}

#[cfg(not(feature = "cuda"))]
fn open_cuda(_ordinal: usize) -> Result<Device, OpenCuda> {
	Err(OpenCuda::NotBuilt)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn devices_parse_and_bad_names_say_what_is_accepted() {
		assert_eq!("cpu".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cpu);
		assert_eq!("CUDA".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cuda(0));
		assert_eq!("cuda:3".parse::<DeviceChoice>().unwrap(), DeviceChoice::Cuda(3));
		assert_eq!(DeviceChoice::Cuda(3).to_string(), "cuda:3");
		for bad in ["gpu", "cuda:", "cuda:-1", "cuda:x", ""] {
			let error = bad.parse::<DeviceChoice>().unwrap_err();
			assert!(error.to_string().contains("use cpu, cuda or cuda:N"), "{bad}: {error}");
		}
	}

	#[cfg(not(feature = "cuda"))]
	#[test]
	fn a_gpu_asked_of_a_cpu_build_is_refused_and_the_default_is_the_cpu() {
		let asked = ComputeArgs { device: Some(DeviceChoice::Cuda(1)), threads: None };
		let error = asked.open().unwrap_err();
		assert!(matches!(error, DeviceError::NoCudaFeature(DeviceChoice::Cuda(1))), "{error}");
		assert!(error.to_string().contains("--features cuda"));
		assert!(ComputeArgs::default().open().unwrap().is_cpu());
	}
}
