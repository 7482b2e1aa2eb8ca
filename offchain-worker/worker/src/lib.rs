//! # Studio worker
//!
//! The studio's hands on the chain. The [`daemon`] follows the chain, claims the jobs this
//! worker can run, designs them with the studio's models ([`studio_models`]) and submits the
//! signed results through the chain client ([`studio_chain`]); it checks other workers'
//! results when the chain draws it (`verifier`). Outputs live on IPFS ([`content`], joined to
//! the other workers through the chain: [`network`]), which the [`gateway`] serves over HTTP
//! with the worker's [`metrics`] and the web studio; the offline commands write theirs to a
//! folder ([`store`]). [`service`] runs the daemon beside the gateway.

pub mod content;
pub mod daemon;
pub mod gateway;
pub mod metrics;
pub mod network;
mod restyle_jobs;
pub mod service;
pub mod store;
mod verifier;
