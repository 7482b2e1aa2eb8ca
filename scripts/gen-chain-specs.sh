#!/usr/bin/env bash
# Regenerates chain-specs/dev.json and chain-specs/local.json (raw) from the runtime's genesis
# presets. Run it after any runtime change; a test fails while the committed specs are stale.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_toolchain
build_node
for chain in dev local; do
	"$STUDIO_NODE" build-spec --chain "$chain" --raw --disable-default-bootnode \
		> "$REPO_ROOT/chain-specs/$chain.json" 2>/dev/null
	log "wrote chain-specs/$chain.json"
done
