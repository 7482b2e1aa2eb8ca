#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and starts the studio on a
# dev chain (one validator, Alice; RPC on ws://127.0.0.1:9944). Ctrl-C stops it.
# Extra arguments go to studio-node, e.g. `scripts/studio.sh --rpc-port 9955`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_toolchain
build_node

log "starting the dev chain; JSON-RPC at ws://127.0.0.1:9944 unless you pass --rpc-port"
log "try: https://polkadot.js.org/apps/?rpc=ws://127.0.0.1:9944 (Alice, Bob … are endowed)"
exec "$STUDIO_NODE" --dev --tmp "$@"
