//! Dispatch of the command line to the service and the subcommands.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Studio Chain Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://example.invalid/studio-chain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development_chain_spec()?),
			"" | "local" => Box::new(chain_spec::local_chain_spec()?),
			"production" => Box::new(chain_spec::production_chain_spec("")?),
			id if id.starts_with("production:") => Box::new(chain_spec::production_chain_spec(&id["production:".len()..])?),
			path => Box::new(chain_spec::from_file(path)?),
		})
	}
}

/// Parses the command line and runs what it asks for.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let aux_revert = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
			})
		},
		#[cfg(feature = "runtime-benchmarks")]
		Some(Subcommand::Benchmark(crate::cli::BenchmarkSubcommand::Pallet(cmd))) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| {
				cmd.run_with_spec::<sp_runtime::traits::HashingFor<studio_runtime::opaque::Block>, ()>(Some(
					config.chain_spec,
				))
			})
		},
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<studio_runtime::opaque::Block>(&config))
		},
		None => {
			ensure_rpc_port_is_free(&cli.run.rpc_params)?;
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				use sc_network::config::NetworkBackendType;
				use studio_runtime::opaque::{Block, Hash};
				match config.network.network_backend {
					NetworkBackendType::Libp2p =>
						service::new_full::<sc_network::NetworkWorker<Block, Hash>>(config),
					NetworkBackendType::Litep2p =>
						service::new_full::<sc_network::Litep2pNetworkBackend>(config),
				}
				.map_err(sc_cli::Error::Service)
			})
		},
	}
}

/// Refuses to start when the RPC port the user asked for (`--rpc-port`) is taken.
///
/// Substrate's RPC server falls back to a random port when its port is busy; a user who named a
/// port expects to find the node there, so a busy port is an error with the address in it.
fn ensure_rpc_port_is_free(rpc: &sc_cli::RpcParams) -> sc_cli::Result<()> {
	let Some(port) = rpc.rpc_port else { return Ok(()) };
	let interface = if rpc.rpc_external || rpc.unsafe_rpc_external {
		std::net::Ipv4Addr::UNSPECIFIED
	} else {
		std::net::Ipv4Addr::LOCALHOST
	};
	std::net::TcpListener::bind((interface, port)).map(drop).map_err(|e| {
		sc_cli::Error::Input(format!(
			"cannot serve JSON-RPC on {interface}:{port}: {e} (is another node running? choose another --rpc-port)"
		))
	})
}
