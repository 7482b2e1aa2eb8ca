//! The pallet's invariants, checked by `try_state` and by the tests after every story.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
	ensure,
	traits::fungible::{InspectFreeze, InspectHold},
};
use sp_runtime::{traits::Zero, Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Checks that:
	/// - each account's vote freeze equals its largest recorded vote (votes on open
	///   proposals, and on closed ones the account has not unlocked yet);
	/// - the deposits held under `ProposalDeposit` are exactly the open proposals' deposits;
	/// - every parameter has a value within its bounds;
	/// - `ActiveProposals` counts the open proposals, and `ProposalsBy` each proposer's;
	/// - `ApprovedModelByHash` indexes exactly the active models.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		for (who, votes) in Votes::<T>::iter() {
			let frozen = T::Currency::balance_frozen(&FreezeReason::Vote.into(), &who);
			ensure!(frozen == Self::largest_vote(&votes), "vote freeze differs from the largest vote");
		}

		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		let mut by_account: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut open = 0u32;
		for (_, proposal) in Proposals::<T>::iter() {
			*by_account.entry(proposal.proposer.clone()).or_default() += 1;
			deposits.entry(proposal.proposer).or_insert_with(Zero::zero).saturating_accrue(proposal.deposit);
			open += 1;
		}
		ensure!(
			ProposalsBy::<T>::iter().collect::<BTreeMap<_, _>>() == by_account,
			"ProposalsBy miscounts an account's proposals"
		);
		for (who, deposit) in &deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::ProposalDeposit.into(), who);
			ensure!(held == *deposit, "held proposal deposits differ from the open proposals'");
		}
		ensure!(open == ActiveProposals::<T>::get(), "ActiveProposals miscounts the proposals");

		for parameter in StudioParameter::ALL {
			let value = ParameterValues::<T>::get(parameter).ok_or("a parameter has no value")?;
			let bounds = ParameterBoundsOf::<T>::get(parameter).ok_or("a parameter has no bounds")?;
			ensure!(value >= bounds.min && value <= bounds.max, "a parameter is out of its bounds");
		}

		let active_models = Models::<T>::iter().filter(|(_, m)| m.status == EntryStatus::Active);
		let mut indexed = 0usize;
		for (model, info) in active_models {
			ensure!(
				ApprovedModelByHash::<T>::get(info.weights_hash) == Some(model),
				"an active model is missing from the hash index"
			);
			indexed += 1;
		}
		ensure!(
			ApprovedModelByHash::<T>::iter().count() == indexed,
			"the hash index lists a retired or unknown model"
		);
		Ok(())
	}
}
