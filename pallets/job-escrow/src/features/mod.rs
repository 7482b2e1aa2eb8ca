//! The pallet's logic, one file per feature.

mod control;
mod curated;
mod jobs;
mod lifecycle;
mod results;
mod try_state;
mod verification;
mod workers;
