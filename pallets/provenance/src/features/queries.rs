//! What the runtime API answers: an asset, its ancestors, its derivatives.

use crate::*;
use alloc::{
	collections::{btree_set::BTreeSet, vec_deque::VecDeque},
	vec::Vec,
};
use frame_support::traits::Get;

impl<T: Config> Pallet<T> {
	/// The record of `cid`, if any.
	pub fn asset(cid: &CidBytes) -> Option<AssetRecordOf<T>> {
		Assets::<T>::get(cid)
	}

	/// The ancestors of `cid` up to `max_depth` generations, breadth first (nearest first),
	/// each once, at most `MaxLineage` of them.
	pub fn lineage(cid: &CidBytes, max_depth: u32) -> Vec<Ancestor> {
		let limit = T::MaxLineage::get() as usize;
		let mut ancestors = Vec::new();
		let mut seen = BTreeSet::new();
		let mut frontier = VecDeque::from([(cid.clone(), 0u32)]);
		while let Some((current, depth)) = frontier.pop_front() {
			if depth >= max_depth {
				continue;
			}
			let Some(record) = Assets::<T>::get(&current) else { continue };
			for parent in record.parents {
				if ancestors.len() == limit {
					return ancestors;
				}
				if seen.insert(parent.clone()) {
					ancestors.push(Ancestor { cid: parent.clone(), depth: depth + 1 });
					frontier.push_back((parent, depth + 1));
				}
			}
		}
		ancestors
	}

	/// Assets naming `cid` as a parent, at most `MaxDerivatives` of them.
	pub fn derivatives(cid: &CidBytes) -> Vec<CidBytes> {
		Derivatives::<T>::iter_key_prefix(cid).take(T::MaxDerivatives::get() as usize).collect()
	}
}
