// The connection to the node: unmodified @polkadot/api over a WebSocket that reconnects by
// itself (WsProvider retries every `RETRY_MS`), with its state reported to `onState`.

import { ApiPromise, WsProvider } from '@polkadot/api';

export const RETRY_MS = 2500;

/**
 * Connects to `rpc`. `onState({ state, message })` hears 'connecting', 'connected' (the socket),
 * 'ready' (metadata loaded), 'disconnected' and 'error'. Returns the ApiPromise at once; await
 * `api.isReady` for the first connection (it waits through retries).
 */
export function connect(rpc, onState) {
  onState({ state: 'connecting', message: `connecting to ${rpc}` });
  const provider = new WsProvider(rpc, RETRY_MS);
  let everConnected = false;
  let down = false; // reported once per outage
  const unreachable = () => ({
    state: everConnected ? 'disconnected' : 'error',
    // The socket's error event carries no detail a page may read; say what we know.
    message: everConnected
      ? `lost the node at ${rpc}; retrying every ${RETRY_MS / 1000} s`
      : `cannot reach the node at ${rpc} (is it running, and does it accept this page's origin?); retrying every ${RETRY_MS / 1000} s`,
  });
  provider.on('connected', () => {
    everConnected = true;
    down = false;
    onState({ state: 'connected', message: `connected to ${rpc}` });
  });
  for (const event of ['disconnected', 'error']) {
    provider.on(event, () => {
      if (down) return;
      down = true;
      onState(unreachable());
    });
  }
  const api = new ApiPromise({ provider, noInitWarn: true });
  // `isReadyOrError` rejects on the first socket error; `api.isReady` waits through retries
  // instead, which is what the page wants. (ApiPromise.create swallows it the same way.)
  api.isReadyOrError.catch(() => {});
  api.on('ready', () => onState({ state: 'ready', message: `connected to ${rpc}` }));
  // The API re-emits the provider's socket events (handled above); report only real errors.
  api.on('error', (error) => {
    if (error instanceof Error) onState({ state: 'error', message: error.message });
  });
  return api;
}

/** The chain's token symbol and decimals from its properties (UNIT/12 when it has none). */
export function tokenOf(api) {
  return {
    symbol: api.registry.chainTokens?.[0] ?? 'UNIT',
    decimals: api.registry.chainDecimals?.[0] ?? 12,
  };
}
