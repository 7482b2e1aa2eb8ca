//! End-to-end tests of `studio-node`: the real binary with the real wasm runtime, started as a
//! user starts it, on free 127.0.0.1 ports, always stopped at the end.

mod breaker;
mod chain_specs;
mod curation;
mod dev_chain;
mod escrow;
mod governance;
mod harness;
mod load;
mod local_testnet;
mod restyle;
mod studio;
mod studio_script;
mod upgrade;
mod validators;
mod verification;
mod web;
mod worker;
