//! The pallet's logic, one file per feature.

mod gate;
mod review;
mod trips;
mod try_state;
