//! The registries token holders curate: styles, models and the reviewer council, and the
//! traits through which other pallets read them.

use crate::*;
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use studio_primitives::{
	check_blend, ApprovedModel, BasisWeight, BlendError, ModelId, ModelKind, ModelRegistry,
	ReviewerSet, Sha256, StyleBlend, StyleId, StyleRegistry,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn check_new_style(
		name: &BoundedVec<u8, T::MaxNameLength>,
		reference: &BoundedVec<i32, T::MaxStyleDimensions>,
		blend: &StyleBlend,
	) -> DispatchResult {
		ensure!(!name.is_empty(), Error::<T>::EmptyName);
		ensure!(!reference.is_empty(), Error::<T>::EmptyStyleVector);
		if !blend.is_empty() {
			check_blend(blend).map_err(|error| match error {
				BlendError::BasisOutOfRange => Error::<T>::BasisStyleOutOfRange,
				BlendError::DuplicateBasis => Error::<T>::DuplicateBasisStyle,
				BlendError::NotNormalized => Error::<T>::BlendNotNormalized,
			})?;
		}
		Ok(())
	}

	pub(crate) fn check_style_retirable(style: StyleId) -> DispatchResult {
		let info = Styles::<T>::get(style).ok_or(Error::<T>::UnknownStyle)?;
		ensure!(info.status == EntryStatus::Active, Error::<T>::StyleRetired);
		Ok(())
	}

	pub(crate) fn check_new_model(
		name: &BoundedVec<u8, T::MaxNameLength>,
		weights_hash: &Sha256,
	) -> DispatchResult {
		ensure!(!name.is_empty(), Error::<T>::EmptyName);
		ensure!(
			!ApprovedModelByHash::<T>::contains_key(weights_hash),
			Error::<T>::ModelAlreadyApproved
		);
		Ok(())
	}

	pub(crate) fn check_model_retirable(model: ModelId) -> DispatchResult {
		let info = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(info.status == EntryStatus::Active, Error::<T>::ModelRetired);
		Ok(())
	}

	pub(crate) fn check_reviewers(reviewers: &BoundedVec<T::AccountId, T::MaxReviewers>) -> DispatchResult {
		let mut sorted: Vec<&T::AccountId> = reviewers.iter().collect();
		sorted.sort();
		sorted.dedup();
		ensure!(sorted.len() == reviewers.len(), Error::<T>::DuplicateReviewer);
		let quorum = Self::parameter(StudioParameter::ReviewQuorum)?;
		ensure!(reviewers.len() as u128 >= quorum, Error::<T>::QuorumAboveReviewers);
		Ok(())
	}

	pub(crate) fn add_style(
		name: BoundedVec<u8, T::MaxNameLength>,
		reference: BoundedVec<i32, T::MaxStyleDimensions>,
		blend: StyleBlend,
	) -> StyleId {
		let style = Self::take_next_id::<NextStyleId<T>>();
		Styles::<T>::insert(style, StyleInfo { name, reference, blend, status: EntryStatus::Active });
		Self::deposit_event(Event::StyleAdded { style });
		style
	}

	pub(crate) fn retire_style(style: StyleId) -> DispatchResult {
		Styles::<T>::try_mutate(style, |info| {
			let info = info.as_mut().ok_or(Error::<T>::UnknownStyle)?;
			info.status = EntryStatus::Retired;
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::StyleRetired { style });
		Ok(())
	}

	pub(crate) fn approve_model(
		name: BoundedVec<u8, T::MaxNameLength>,
		kind: ModelKind,
		weights_hash: Sha256,
		version: u32,
	) -> ModelId {
		let model = Self::take_next_id::<NextModelId<T>>();
		Models::<T>::insert(
			model,
			ModelInfo { name, kind, weights_hash, version, status: EntryStatus::Active },
		);
		ApprovedModelByHash::<T>::insert(weights_hash, model);
		Self::deposit_event(Event::ModelApproved { model, kind, weights_hash });
		model
	}

	pub(crate) fn retire_model(model: ModelId) -> DispatchResult {
		Models::<T>::try_mutate(model, |info| {
			let info = info.as_mut().ok_or(Error::<T>::UnknownModel)?;
			info.status = EntryStatus::Retired;
			ApprovedModelByHash::<T>::remove(info.weights_hash);
			Ok::<_, DispatchError>(())
		})?;
		Self::deposit_event(Event::ModelRetired { model });
		Ok(())
	}

	pub(crate) fn set_reviewers(reviewers: BoundedVec<T::AccountId, T::MaxReviewers>) {
		let count = reviewers.len() as u32;
		Reviewers::<T>::put(reviewers);
		Self::deposit_event(Event::ReviewersSet { count });
	}
}

impl<T: Config> StyleRegistry for Pallet<T> {
	fn active_style(style: StyleId) -> Option<Vec<i32>> {
		Styles::<T>::get(style)
			.filter(|info| info.status == EntryStatus::Active)
			.map(|info| info.reference.into_inner())
	}

	fn stylize_blend(style: StyleId) -> Option<Vec<BasisWeight>> {
		Styles::<T>::get(style)
			.filter(|info| info.status == EntryStatus::Active && !info.blend.is_empty())
			.map(|info| info.blend.into_inner())
	}
}

impl<T: Config> ModelRegistry for Pallet<T> {
	fn approved_model(model: ModelId) -> Option<ApprovedModel> {
		Models::<T>::get(model).filter(|info| info.status == EntryStatus::Active).map(|info| {
			ApprovedModel { kind: info.kind, weights_hash: info.weights_hash, version: info.version }
		})
	}
}

impl<T: Config> ReviewerSet<T::AccountId> for Pallet<T> {
	fn is_reviewer(who: &T::AccountId) -> bool {
		Reviewers::<T>::get().contains(who)
	}

	fn reviewer_count() -> u32 {
		Reviewers::<T>::decode_len().unwrap_or(0) as u32
	}
}
