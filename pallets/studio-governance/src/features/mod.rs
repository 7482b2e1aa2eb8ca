//! The pallet's logic, one file per feature.

mod chain;
mod genesis;
mod parameters;
mod proposals;
mod registries;
mod try_state;
mod voting;
