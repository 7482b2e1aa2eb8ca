//! The pallet's logic, by concern.

mod closing;
mod ledger;
mod preference;
mod reputation;
mod stakes;
mod try_state;
