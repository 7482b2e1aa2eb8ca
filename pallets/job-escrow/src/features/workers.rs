//! Workers: registering with a bond, unregistering, withdrawing the bond.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::Saturating;
use studio_primitives::{AgentGate, ModelId, StudioParams};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_register_worker(
		who: T::AccountId,
		bond: BalanceOf<T>,
		capabilities: BoundedVec<ModelId, T::MaxCapabilities>,
	) -> DispatchResult {
		ensure!(!Workers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
		ensure!(bond >= T::Params::worker_min_bond(), Error::<T>::BondTooLow);
		ensure!(!capabilities.is_empty(), Error::<T>::NoCapabilities);
		for (index, model) in capabilities.iter().enumerate() {
			ensure!(!capabilities[..index].contains(model), Error::<T>::DuplicateCapability);
		}
		for model in &capabilities {
			ModelWorkers::<T>::try_mutate(model, |listed| listed.try_push(who.clone()))
				.map_err(|_| Error::<T>::TooManyWorkersForModel)?;
		}
		T::Currency::hold(&HoldReason::WorkerBond.into(), &who, bond)?;
		Workers::<T>::insert(
			&who,
			WorkerInfo {
				bond,
				capabilities: capabilities.clone(),
				claims: BoundedVec::new(),
				unsettled: BoundedVec::new(),
				unbonds_at: None,
			},
		);
		Self::deposit_event(Event::WorkerRegistered {
			worker: who,
			bond,
			capabilities: capabilities.into_inner(),
		});
		Ok(())
	}

	pub(crate) fn do_bond_extra(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		let bond = Workers::<T>::try_mutate(&who, |worker| {
			let worker = worker.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(worker.unbonds_at.is_none(), Error::<T>::WorkerLeaving);
			T::Currency::hold(&HoldReason::WorkerBond.into(), &who, amount)?;
			worker.bond.saturating_accrue(amount);
			Ok::<BalanceOf<T>, DispatchError>(worker.bond)
		})?;
		Self::deposit_event(Event::BondIncreased { worker: who, added: amount, bond });
		Ok(())
	}

	pub(crate) fn do_set_content_address(who: T::AccountId, address: ContentAddress) -> DispatchResult {
		ensure!(Workers::<T>::contains_key(&who), Error::<T>::NotRegistered);
		ensure!(is_content_address(&address), Error::<T>::InvalidContentAddress);
		ContentAddresses::<T>::insert(&who, &address);
		Self::deposit_event(Event::ContentAddressSet { worker: who, address: address.into_inner() });
		Ok(())
	}

	pub(crate) fn do_unregister_worker(who: T::AccountId) -> DispatchResult {
		let unbonds_at = Workers::<T>::try_mutate(&who, |worker| {
			let worker = worker.as_mut().ok_or(Error::<T>::NotRegistered)?;
			ensure!(worker.unbonds_at.is_none(), Error::<T>::WorkerLeaving);
			ensure!(worker.claims.is_empty() && worker.unsettled.is_empty(), Error::<T>::UnfinishedWork);
			// A halted agent waits for the reviewers' decision, which may slash its bond.
			ensure!(!T::Gate::is_halted(&who), Error::<T>::AgentHalted);
			let unbonds_at =
				frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingDelay::get());
			worker.unbonds_at = Some(unbonds_at);
			Ok::<BlockNumberFor<T>, Error<T>>(unbonds_at)
		})?;
		Self::deposit_event(Event::WorkerUnregistered { worker: who, unbonds_at });
		Ok(())
	}

	pub(crate) fn do_withdraw_bond(who: T::AccountId) -> DispatchResult {
		let worker = Workers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
		let unbonds_at = worker.unbonds_at.ok_or(Error::<T>::NotLeaving)?;
		ensure!(frame_system::Pallet::<T>::block_number() >= unbonds_at, Error::<T>::StillUnbonding);
		ensure!(!T::Gate::is_halted(&who), Error::<T>::AgentHalted);
		T::Currency::release(&HoldReason::WorkerBond.into(), &who, worker.bond, Precision::Exact)?;
		Self::forget_worker(&who, &worker);
		Self::deposit_event(Event::BondWithdrawn { worker: who, bond: worker.bond });
		Ok(())
	}

	/// Removes a worker whose bond is released: its record, its content address, and its place
	/// among each model's workers.
	pub(crate) fn forget_worker(who: &T::AccountId, worker: &WorkerOf<T>) {
		for model in &worker.capabilities {
			ModelWorkers::<T>::mutate(model, |listed| listed.retain(|listed| listed != who));
		}
		Workers::<T>::remove(who);
		ContentAddresses::<T>::remove(who);
	}

	/// Moves `share` of `worker`'s bond to the treasury; returns what was moved. The treasury
	/// always exists, so the move cannot fail short of a broken hold; if it did, nothing moves
	/// and the bond record stays equal to the hold.
	pub(crate) fn slash_bond(
		who: &T::AccountId,
		worker: &mut WorkerOf<T>,
		share: sp_runtime::Permill,
	) -> BalanceOf<T> {
		Self::slash_bond_to(who, worker, share, &T::Treasury::get())
	}

	/// Moves `share` of `worker`'s bond to `to` (an account that exists: the treasury, or the
	/// escrow's, which shares a slash out); returns what was moved.
	pub(crate) fn slash_bond_to(
		who: &T::AccountId,
		worker: &mut WorkerOf<T>,
		share: sp_runtime::Permill,
		to: &T::AccountId,
	) -> BalanceOf<T> {
		let due = share * worker.bond;
		let slashed = T::Currency::transfer_on_hold(
			&HoldReason::WorkerBond.into(),
			who,
			to,
			due,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.unwrap_or_default();
		worker.bond.saturating_reduce(slashed);
		slashed
	}
}
