//! # Studio worker
//!
//! The studio's hands. The worker fetches the pretrained models the studio runs from their
//! registry packages ([`models`]), runs them with candle ([`inference`]) on the CPU or a GPU
//! ([`device`]), measures how far an
//! output is from its style ([`style`]), searches for the best candidate ([`fitness`]), and
//! keeps its outputs on IPFS ([`content`], in the blocks kubo makes: [`unixfs`]), which the
//! [`gateway`] serves over HTTP; the offline commands write theirs to a folder ([`store`]). The
//! [`daemon`] serves the chain, and checks other workers' results when the chain draws it
//! (`verifier`, measuring with [`verify`]); [`service`] runs it beside the gateway.

pub mod agents;
pub mod chain;
pub mod content;
pub mod daemon;
pub mod device;
pub mod fitness;
pub mod gateway;
pub mod inference;
pub mod metrics;
pub mod models;
pub mod network;
pub mod restyle;
mod restyle_jobs;
pub mod runtime_code;
pub mod service;
pub mod store;
pub mod style;
pub mod unixfs;
mod verifier;
pub mod verify;
