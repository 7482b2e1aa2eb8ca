//! `studio-node`: the Studio Chain node. Aura produces blocks, GRANDPA finalizes them, ParityDb
//! stores them, and JSON-RPC serves clients (the worker, the `studio` CLI, wallets).

mod chain_spec;
mod cli;
mod command;
mod genesis_file;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
