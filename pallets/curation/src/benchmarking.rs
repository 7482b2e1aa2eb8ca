//! Benchmarks of curation (FRAME benchmarking v2), each at its worst: `MaxFinalists` finalists
//! with style vectors of `MaxStyleDimensions` components, `s` stakes, a style whose preference
//! moves and is capped.

use super::*;
use crate::Pallet as Curation;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::{traits::Saturating, Permill};
use studio_primitives::{Curation as _, FinalistScore, JobId, StyleId};

const JOB: JobId = 7;

/// `MaxFinalists` finalists, each with a full-length style vector unlike the others'.
fn finalists<T: Config>() -> Vec<FinalistScore> {
	let dimensions = T::MaxStyleDimensions::get() as i32;
	(0..T::MaxFinalists::get() as i32)
		.map(|index| FinalistScore {
			style_deviation: Permill::from_percent(10 + index as u32),
			style_vector: (0..dimensions).map(|d| (d + 1) * (index + 1) * 1_000).collect(),
		})
		.collect()
}

/// An active style with a full-length reference short enough that a close's preference step
/// is capped (the rescaling branch).
fn style<T: Config>() -> StyleId {
	T::BenchmarkHelper::add_style((0..T::MaxStyleDimensions::get() as i32).map(|_| 10).collect())
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let plenty = T::MinStake::get().saturating_mul(1_000u32.into());
	T::Currency::set_balance(&who, T::Currency::minimum_balance().saturating_add(plenty));
	who
}

/// The `index`-th stake's amount: all different, each above `MinStake`.
fn amount<T: Config>(index: u32) -> BalanceOf<T> {
	T::MinStake::get().saturating_mul((index + 2).into())
}

/// Opens `JOB`'s curation (ending in 10 blocks, its reward in the reward account) with `stakes`
/// stakes on it: the first on finalist 1, the rest on finalist 0, so a close pays winners,
/// releases a loser and moves the preference.
fn curation_with<T: Config>(stakes: u32) -> BlockNumberFor<T> {
	let client = funded::<T>("client", 0);
	let reward = T::MinStake::get().saturating_mul(100u32.into());
	let reward_account = Curation::<T>::reward_account();
	T::Currency::set_balance(&reward_account, T::Currency::minimum_balance().saturating_add(reward));
	let ends_at = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
	Curation::<T>::open(JOB, client, style::<T>(), finalists::<T>(), ends_at, reward).expect("a valid curation");
	for index in 0..stakes {
		let curator = funded::<T>("curator", index);
		let finalist = if index == 0 { 1 } else { 0 };
		Curation::<T>::stake(RawOrigin::Signed(curator).into(), JOB, finalist, amount::<T>(index))
			.expect("room for every stake");
	}
	ends_at
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A stake on a curation with `s` stakes; with `MaxStakers` it displaces the smallest.
	#[benchmark]
	fn stake(s: Linear<0, { T::MaxStakers::get() }>) {
		curation_with::<T>(s);
		let curator = funded::<T>("newcomer", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(curator.clone()), JOB, 0, amount::<T>(T::MaxStakers::get()));
		let curation = Curations::<T>::get(JOB).expect("still running");
		assert!(curation.stakes.iter().any(|entry| entry.curator == curator));
	}

	/// Withdrawing the last of `s` stakes.
	#[benchmark]
	fn withdraw_stake(s: Linear<1, { T::MaxStakers::get() }>) {
		curation_with::<T>(s);
		let curator: T::AccountId = account("curator", s - 1, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(curator.clone()), JOB);
		let curation = Curations::<T>::get(JOB).expect("still running");
		assert!(curation.stakes.iter().all(|entry| entry.curator != curator));
	}

	/// Closing a curation with `s` stakes: rewards, releases, reputations, the preference.
	#[benchmark]
	fn close(s: Linear<0, { T::MaxStakers::get() }>) {
		let ends_at = curation_with::<T>(s);
		frame_system::Pallet::<T>::set_block_number(ends_at);
		#[block]
		{
			Curation::<T>::do_close(JOB).expect("the period is over");
		}
		assert!(!Curations::<T>::contains_key(JOB));
	}

	/// Opening a curation of `MaxFinalists` finalists (the job escrow's `submit_finalists`).
	#[benchmark]
	fn open() {
		let client = funded::<T>("client", 0);
		let style = style::<T>();
		let finalists = finalists::<T>();
		let ends_at = frame_system::Pallet::<T>::block_number().saturating_add(10u32.into());
		#[block]
		{
			Curation::<T>::open(JOB, client, style, finalists, ends_at, T::MinStake::get()).expect("a valid curation");
		}
		assert!(Curations::<T>::contains_key(JOB));
	}

	impl_benchmark_test_suite!(Curation, crate::mock::new_test_ext(), crate::mock::Test);
}
