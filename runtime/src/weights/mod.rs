//! Weights of the FRAME pallets the runtime uses from polkadot-sdk, measured on this machine by
//! their own benchmarks in the runtime's wasm (`scripts/bench-weights.sh`; the studio's pallets
//! keep theirs in their crates). Each file is generated: run the script again, never edit.

pub mod frame_system;
pub mod pallet_balances;
pub mod pallet_multisig;
pub mod pallet_sudo;
pub mod pallet_timestamp;
pub mod pallet_utility;
