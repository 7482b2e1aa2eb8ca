//! The pallets whose FRAME benchmarks `studio-node benchmark pallet` runs
//! (built only with the `runtime-benchmarks` feature).

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_multisig, Multisig]
	[pallet_utility, Utility]
	[pallet_studio_governance, StudioGovernance]
	[pallet_job_escrow, JobEscrow]
	[pallet_provenance, Provenance]
	[pallet_circuit_breaker, CircuitBreaker]
	[pallet_curation, Curation]
	[pallet_validator_set, ValidatorSet]
);
