#!/usr/bin/env bash
# Builds the node's container image (the Dockerfile at the repository root) as
# studio-chain/node:<commit>, after linting the Dockerfile. Without a running Docker daemon it
# lints only and says so (the test suite lints it too; CI machines have no Docker daemon).
#
#   scripts/docker-image.sh [tag]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

lint_dockerfile
tag="${1:-studio-chain/node:$(git -C "$REPO_ROOT" rev-parse --short HEAD)}"
if ! docker info >/dev/null 2>&1; then
	log "no Docker daemon here: the Dockerfile is linted, the image is not built"
	exit 0
fi
log "building $tag (the node compiles inside the builder stage: about as long as a fresh build)"
docker build --tag "$tag" "$REPO_ROOT"
docker run --rm "$tag" --version
log "built $tag; run a validator with: docker run -v studio-data:/data -p 30333:30333 $tag --chain /specs/local.json --validator"
