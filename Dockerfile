# syntax=docker/dockerfile:1
# studio-node with the committed chain specs, run as a non-root user.
#
#   scripts/docker-image.sh                 # builds studio-chain/node:<git commit>; lints this file first
#   docker run -v studio-data:/data -p 30333:30333 studio-chain/node:<tag> --chain /specs/local.json --validator
#
# The first stage builds the node (and with it the wasm runtime) as scripts/studio.sh does; the
# second holds only the binary, the chain specs and a data volume.

FROM rust:1.95-bookworm AS builder
RUN apt-get update \
	&& apt-get install -y --no-install-recommends protobuf-compiler=3.21.* g++=4:12.* make=4.3-* perl=5.36.* \
	&& rm -rf /var/lib/apt/lists/* \
	&& rustup target add wasm32-unknown-unknown \
	&& rustup component add rust-src
WORKDIR /build
COPY . .
RUN cargo build --release --locked -p studio-node \
	&& cp target/release/studio-node /usr/local/bin/studio-node

FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates=20230311* \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --create-home --home-dir /data studio
COPY --from=builder /usr/local/bin/studio-node /usr/local/bin/studio-node
COPY chain-specs /specs
USER 10001:10001
# p2p, JSON-RPC (loopback inside the container unless --rpc-external), Prometheus.
EXPOSE 30333 9944 9615
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/studio-node", "--base-path", "/data"]
CMD ["--chain", "/specs/local.json"]
