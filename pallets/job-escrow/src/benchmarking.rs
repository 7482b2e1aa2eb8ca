//! Benchmarks of the job escrow (FRAME benchmarking v2), each in its heaviest case.

use super::*;
use crate::Pallet as Escrow;
use alloc::{boxed::Box, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, Get},
	weights::Weight,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{Permill, Saturating};
use studio_primitives::{AgentGate, CidBytes, JobId, ModelId, StudioParams, Verdict};

/// A raw CIDv1 whose digest ends in `n`: distinct for every `n`.
fn cid(n: u32) -> CidBytes {
	let mut bytes = alloc::vec![0x01, 0x55, 0x12, 0x20];
	bytes.extend_from_slice(&[0xab; 28]);
	bytes.extend_from_slice(&n.to_be_bytes());
	CidBytes::try_from(bytes).expect("36 bytes fit")
}

/// The bounty of every benchmarked job.
fn bounty<T: Config>() -> BalanceOf<T> {
	T::Params::min_bounty().saturating_mul(10u32.into())
}

/// The bond of every benchmarked worker: enough for `MaxClaimsPerWorker` claims at once.
fn bond<T: Config>() -> BalanceOf<T> {
	T::Params::worker_min_bond().saturating_mul(T::MaxClaimsPerWorker::get().max(2).into())
}

/// An account with enough for a hundred bounties and a bond.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let plenty = bounty::<T>().saturating_mul(100u32.into()).saturating_add(bond::<T>());
	T::Currency::set_balance(&who, plenty);
	who
}

/// The longest list of models a worker may give, the generator first.
fn capabilities<T: Config>(generator: ModelId) -> BoundedVec<ModelId, T::MaxCapabilities> {
	let others = (1..T::MaxCapabilities::get()).map(|n| generator.wrapping_add(n));
	let models: Vec<ModelId> = core::iter::once(generator).chain(others).collect();
	models.try_into().expect("MaxCapabilities models")
}

/// A registered worker able to run the benchmark generator.
fn worker<T: Config>(index: u32) -> T::AccountId {
	let who: T::AccountId = account("worker", index, 0);
	register::<T>(&who);
	who
}

/// Funds `who` and registers it as a worker able to run the benchmark generator.
fn register<T: Config>(who: &T::AccountId) {
	let (generator, _) = T::BenchmarkHelper::approved_generator();
	let plenty = bounty::<T>().saturating_mul(100u32.into()).saturating_add(bond::<T>());
	T::Currency::set_balance(who, plenty);
	Escrow::<T>::register_worker(RawOrigin::Signed(who.clone()).into(), bond::<T>(), capabilities::<T>(generator))
		.expect("a funded account registers");
}

/// Makes `who` a registered worker holding `MaxClaimsPerWorker` claims: the heaviest agent
/// for the circuit breaker's benchmarks to halt or retire (every claim is released).
pub fn occupied_worker<T: Config>(who: &T::AccountId) {
	register::<T>(who);
	let client = funded::<T>("client of an occupied worker", 0);
	for _ in 0..T::MaxClaimsPerWorker::get() {
		let job = open_job::<T>(&client, 0);
		Escrow::<T>::claim_job(RawOrigin::Signed(who.clone()).into(), job).expect("claimable");
	}
}

/// The largest job specification: the longest prompt, `parents` recorded parents, the most
/// candidates, the largest output.
fn spec<T: Config>(client: &T::AccountId, parents: u32) -> JobSpecOf<T> {
	let (model, _) = T::BenchmarkHelper::approved_generator();
	let parents: Vec<CidBytes> = (0..parents).map(|n| cid(1_000_000 + n)).collect();
	for parent in &parents {
		if !<T::Assets as studio_primitives::AssetLedger<T::AccountId>>::contains(parent) {
			T::BenchmarkHelper::record_asset(client.clone(), parent.clone());
		}
	}
	let side = T::MaxImageSide::get();
	JobSpec {
		kind: JobKind::Generate,
		model,
		style: T::BenchmarkHelper::active_style(),
		prompt: Prompt::Text(
			alloc::vec![b'a'; T::MaxPromptLength::get() as usize].try_into().expect("the limit fits"),
		),
		parents: parents.try_into().expect("at most MaxParents"),
		seed: 42,
		output: OutputSpec { format: ImageFormat::Png, width: side, height: side },
		candidates: T::MaxCandidates::get(),
		deadline: frame_system::Pallet::<T>::block_number()
			.saturating_add(T::Params::job_max_lifetime()),
		on_rejection: OnRejection::Reopen,
		curation: None,
	}
}

/// A job of `client` with `parents` parents, open.
fn open_job<T: Config>(client: &T::AccountId, parents: u32) -> JobId {
	let job = NextJobId::<T>::get();
	Escrow::<T>::submit_job(
		RawOrigin::Signed(client.clone()).into(),
		Box::new(spec::<T>(client, parents)),
		bounty::<T>(),
	)
	.expect("a valid job is accepted");
	job
}

/// A job claimed by `worker`, which also holds all but one of its other claims.
fn claimed_job<T: Config>(client: &T::AccountId, worker: &T::AccountId, parents: u32) -> JobId {
	for _ in 1..T::MaxClaimsPerWorker::get() {
		let other = open_job::<T>(client, 0);
		Escrow::<T>::claim_job(RawOrigin::Signed(worker.clone()).into(), other).expect("claimable");
	}
	let job = open_job::<T>(client, parents);
	Escrow::<T>::claim_job(RawOrigin::Signed(worker.clone()).into(), job).expect("claimable");
	job
}

/// The report of a clean result for `job`.
fn report<T: Config>(job: JobId) -> ResultReport {
	let (_, weights_hash) = T::BenchmarkHelper::approved_generator();
	ResultReport {
		output: cid(job as u32),
		style_deviation: Permill::zero(),
		quality: Permill::one(),
		weights_hash,
		settings: alloc::vec![b'0'; MAX_SETTINGS_LEN as usize].try_into().expect("the longest settings"),
		candidates_tried: T::MaxCandidates::get(),
	}
}

/// A job delivered by `worker`, its challenge window over.
fn settleable_job<T: Config>(client: &T::AccountId, worker: &T::AccountId) -> JobId {
	let job = claimed_job::<T>(client, worker, 0);
	Escrow::<T>::submit_result(RawOrigin::Signed(worker.clone()).into(), job, report::<T>(job))
		.expect("a clean result is delivered");
	let settles_at = Jobs::<T>::get(job).and_then(|info| info.due_at()).expect("delivered");
	frame_system::Pallet::<T>::set_block_number(settles_at);
	job
}

/// A job claimed by `worker`, its claim expired (before its deadline: it will re-open). The
/// worker's only claim: `process_due_job` is the cost of one due job.
fn expired_claim<T: Config>(client: &T::AccountId, worker: &T::AccountId) -> (JobId, BlockNumberFor<T>) {
	let job = open_job::<T>(client, 0);
	Escrow::<T>::claim_job(RawOrigin::Signed(worker.clone()).into(), job).expect("claimable");
	let expires_at = Jobs::<T>::get(job).and_then(|info| info.due_at()).expect("claimed");
	frame_system::Pallet::<T>::set_block_number(expires_at);
	(job, expires_at)
}

/// A job of `client` delivered by `worker`, `workers` other workers registered, and the result
/// challenged by `client` in the current block (its verifiers are drawn in the next).
fn challenged_job<T: Config>(client: &T::AccountId, worker: &T::AccountId, workers: u32) -> JobId {
	for index in 0..workers {
		self::worker::<T>(100 + index);
	}
	let job = claimed_job::<T>(client, worker, 0);
	Escrow::<T>::submit_result(RawOrigin::Signed(worker.clone()).into(), job, report::<T>(job))
		.expect("a clean result is delivered");
	Escrow::<T>::challenge(RawOrigin::Signed(client.clone()).into(), job).expect("within the window");
	job
}

/// A job whose verifiers were drawn; returns it with its verifiers.
fn drawn_job<T: Config>(client: &T::AccountId, worker: &T::AccountId) -> (JobId, Vec<T::AccountId>) {
	let job = challenged_job::<T>(client, worker, T::MaxVerifiers::get());
	let next = frame_system::Pallet::<T>::block_number().saturating_add(1u32.into());
	frame_system::Pallet::<T>::set_block_number(next);
	Escrow::<T>::draw_due(next);
	let verifiers = Verifications::<T>::get(job).expect("verified").verifiers.iter().map(|vote| vote.verifier.clone()).collect();
	(job, verifiers)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_worker() {
		let (generator, _) = T::BenchmarkHelper::approved_generator();
		let who = funded::<T>("worker", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bond::<T>(), capabilities::<T>(generator));
		assert!(Workers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn bond_extra() {
		let who = worker::<T>(0);
		let before = Workers::<T>::get(&who).expect("registered").bond;
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), T::Params::worker_min_bond());
		assert!(Workers::<T>::get(&who).expect("registered").bond > before);
	}

	#[benchmark]
	fn set_content_address() {
		let who = worker::<T>(0);
		let mut text = b"/ip4/198.51.100.7/tcp/4001/p2p/".to_vec();
		text.resize(MAX_CONTENT_ADDRESS_LEN as usize, b'z');
		let address = ContentAddress::try_from(text).expect("the longest address");
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), address.clone());
		assert_eq!(ContentAddresses::<T>::get(&who), Some(address));
	}

	#[benchmark]
	fn unregister_worker() {
		let who = worker::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Workers::<T>::get(&who).unwrap().unbonds_at.is_some());
	}

	#[benchmark]
	fn withdraw_bond() {
		let who = worker::<T>(0);
		Escrow::<T>::unregister_worker(RawOrigin::Signed(who.clone()).into()).unwrap();
		let unbonds_at = Workers::<T>::get(&who).unwrap().unbonds_at.unwrap();
		frame_system::Pallet::<T>::set_block_number(unbonds_at);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Workers::<T>::contains_key(&who));
	}

	#[benchmark]
	fn submit_job(p: Linear<0, { T::MaxParents::get() }>) {
		let client = funded::<T>("client", 0);
		let spec = spec::<T>(&client, p);
		#[extrinsic_call]
		_(RawOrigin::Signed(client), Box::new(spec), bounty::<T>());
		assert_eq!(NextJobId::<T>::get(), 1);
	}

	#[benchmark]
	fn cancel_job() {
		let client = funded::<T>("client", 0);
		let job = open_job::<T>(&client, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(client), job);
		assert_eq!(Jobs::<T>::get(job).unwrap().status, JobStatus::Cancelled);
	}

	#[benchmark]
	fn claim_job() {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		for _ in 1..T::MaxClaimsPerWorker::get() {
			let other = open_job::<T>(&client, 0);
			Escrow::<T>::claim_job(RawOrigin::Signed(who.clone()).into(), other).unwrap();
		}
		let job = open_job::<T>(&client, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), job);
		assert!(matches!(Jobs::<T>::get(job).unwrap().status, JobStatus::Claimed { .. }));
	}

	#[benchmark]
	fn submit_result(p: Linear<0, { T::MaxParents::get() }>) {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let job = claimed_job::<T>(&client, &who, p);
		let report = report::<T>(job);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), job, report);
		assert!(matches!(Jobs::<T>::get(job).unwrap().status, JobStatus::Delivered { .. }));
	}

	/// What a breaker trip inside `submit_result` adds: the worker's result is far off the
	/// style, and it holds `c` other claims, which the trip releases (each job re-opened).
	#[benchmark]
	fn release_claims(c: Linear<0, { T::MaxClaimsPerWorker::get() - 1 }>) {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		for _ in 0..c {
			let other = open_job::<T>(&client, 0);
			Escrow::<T>::claim_job(RawOrigin::Signed(who.clone()).into(), other).expect("claimable");
		}
		let judged = open_job::<T>(&client, 0);
		let (model, _) = T::BenchmarkHelper::approved_generator();
		let verdict;
		#[block]
		{
			verdict = <T::Gate as AgentGate<T::AccountId, BalanceOf<T>>>::judge_result(&who, judged, model, Permill::one());
		}
		assert!(matches!(verdict, Verdict::Quarantine(_)));
	}

	#[benchmark]
	fn settle() {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let job = settleable_job::<T>(&client, &who);
		#[extrinsic_call]
		_(RawOrigin::Signed(client), job);
		assert!(matches!(Jobs::<T>::get(job).unwrap().status, JobStatus::Settled { .. }));
	}

	#[benchmark]
	fn expire() {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let (job, _) = expired_claim::<T>(&client, &who);
		#[extrinsic_call]
		_(RawOrigin::Signed(client), job);
		assert_eq!(Jobs::<T>::get(job).unwrap().status, JobStatus::Open);
	}

	#[benchmark]
	fn process_due_job() {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let (job, expires_at) = expired_claim::<T>(&client, &who);
		DueCursor::<T>::put(expires_at);
		#[block]
		{
			Escrow::<T>::process_due(expires_at, Weight::MAX);
		}
		assert_eq!(Jobs::<T>::get(job).unwrap().status, JobStatus::Open);
	}

	#[benchmark]
	fn challenge() {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let job = claimed_job::<T>(&client, &who, 0);
		Escrow::<T>::submit_result(RawOrigin::Signed(who).into(), job, report::<T>(job)).unwrap();
		let challenger = funded::<T>("challenger", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), job);
		assert!(Verifications::<T>::get(job).unwrap().challenger.is_some());
	}

	#[benchmark]
	fn draw_verifiers(w: Linear<1, { T::MaxWorkersPerModel::get() - 1 }>) {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let job = challenged_job::<T>(&client, &who, w);
		let next = frame_system::Pallet::<T>::block_number().saturating_add(1u32.into());
		frame_system::Pallet::<T>::set_block_number(next);
		#[block]
		{
			Escrow::<T>::draw_due(next);
		}
		assert!(!Verifications::<T>::get(job).unwrap().verifiers.is_empty());
	}

	#[benchmark]
	fn commit_finding() {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let (job, verifiers) = drawn_job::<T>(&client, &who);
		let last = verifiers.last().unwrap().clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), job, [7; 32]);
		assert!(Verifications::<T>::get(job).unwrap().verifiers.iter().any(|vote| vote.verifier == last && vote.commitment.is_some()));
	}

	#[benchmark]
	fn reveal_finding() {
		let client = funded::<T>("client", 0);
		let who = worker::<T>(0);
		let (job, verifiers) = drawn_job::<T>(&client, &who);
		for verifier in &verifiers {
			let commitment = commitment_of(job, verifier, &Finding::Unavailable, &[1; 32]);
			Escrow::<T>::commit_finding(RawOrigin::Signed(verifier.clone()).into(), job, commitment).unwrap();
		}
		// The first reveal, which decides nothing yet (`conclude` is counted apart).
		let first = verifiers[0].clone();
		#[extrinsic_call]
		_(RawOrigin::Signed(first), job, Finding::Unavailable, [1; 32]);
		assert!(Verifications::<T>::contains_key(job) || verifiers.len() == 1);
	}

	#[benchmark]
	fn conclude(v: Linear<1, { T::MaxVerifiers::get() }>) {
		let client = funded::<T>("client", 0);
		// A worker of its own per run: the fallen result halts it (in a test gate that outlives
		// the storage the benchmark rolls back).
		let who = worker::<T>(v);
		let (job, verifiers) = drawn_job::<T>(&client, &who);
		// `v` verifiers, each refuting: the result falls, the heaviest verdict.
		let votes: Vec<_> = verifiers
			.iter()
			.cycle()
			.take(v as usize)
			.map(|verifier| VerifierVote {
				verifier: verifier.clone(),
				commitment: Some([0; 32]),
				finding: Some(Finding::Unavailable),
			})
			.collect();
		Verifications::<T>::mutate(job, |verification| {
			verification.as_mut().unwrap().verifiers = votes.try_into().expect("at most MaxVerifiers");
		});
		#[block]
		{
			Escrow::<T>::conclude(job).expect("a verdict");
		}
		assert!(!Verifications::<T>::contains_key(job));
	}

	impl_benchmark_test_suite!(Escrow, crate::mock::new_test_ext(), crate::mock::Test);
}
