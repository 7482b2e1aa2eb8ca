//! The pallet's logic, one file per feature.

mod cid;
mod queries;
mod records;
mod try_state;

pub use cid::{raw_cid, validate_cid, CidProblem};
