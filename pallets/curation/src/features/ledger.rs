//! What the job escrow asks of curation: open a curated job's curation, close it when due.

use crate::*;
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::AccountIdConversion, DispatchError};
use studio_primitives::{Curation, FinalistScore, JobId, StyleId};

impl<T: Config> Curation<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> for Pallet<T> {
	fn reward_account() -> T::AccountId {
		Pallet::<T>::reward_account()
	}

	fn open(
		job: JobId,
		client: T::AccountId,
		style: StyleId,
		finalists: Vec<FinalistScore>,
		ends_at: BlockNumberFor<T>,
		reward: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!Curations::<T>::contains_key(job), Error::<T>::AlreadyCurating);
		ensure!(finalists.len() >= 2, Error::<T>::InvalidFinalists);
		let finalists = finalists
			.into_iter()
			.map(|score| {
				Ok(Finalist {
					style_deviation: score.style_deviation,
					style_vector: BoundedVec::try_from(score.style_vector)
						.map_err(|_| Error::<T>::InvalidFinalists)?,
					weight: 0,
				})
			})
			.collect::<Result<Vec<_>, Error<T>>>()?;
		let count = finalists.len() as u32;
		let finalists = BoundedVec::try_from(finalists).map_err(|_| Error::<T>::InvalidFinalists)?;
		Curations::<T>::insert(
			job,
			CurationInfo { client, style, ends_at, reward, finalists, stakes: BoundedVec::new() },
		);
		Self::deposit_event(Event::CurationOpened { job, finalists: count, ends_at, reward });
		Ok(())
	}

	fn close(job: JobId) -> Result<u32, DispatchError> {
		Self::do_close(job).map(|(winner, _)| winner)
	}

	fn open_weight() -> Weight {
		T::WeightInfo::open()
	}

	fn close_weight() -> Weight {
		T::WeightInfo::close(T::MaxStakers::get())
	}
}

impl<T: Config> Pallet<T> {
	/// The account that keeps the rewards of running curations (and, from genesis, the
	/// existential deposit).
	pub fn reward_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}
}
