#!/usr/bin/env bash
# Regenerates chain-specs/dev.json and chain-specs/local.json (raw) from the runtime's genesis
# presets. Run it after any runtime change; a test fails while the committed specs are stale.
#
# With `--production <genesis.toml>` it writes chain-specs/production.json instead: the
# runtime's production preset (no sudo key) with the operators' validators, balances and
# reviewers (ops/genesis.example.toml documents the file). Commit that file for a launch.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_toolchain
build_node
if [ "${1:-}" = "--production" ]; then
	genesis="${2:?--production needs the operators genesis file (ops/genesis.example.toml)}"
	"$STUDIO_NODE" build-spec --chain "production:$genesis" --raw --disable-default-bootnode \
		> "$REPO_ROOT/chain-specs/production.json"
	log "wrote chain-specs/production.json from $genesis"
	exit 0
fi
for chain in dev local; do
	"$STUDIO_NODE" build-spec --chain "$chain" --raw --disable-default-bootnode \
		> "$REPO_ROOT/chain-specs/$chain.json" 2>/dev/null
	log "wrote chain-specs/$chain.json"
done
