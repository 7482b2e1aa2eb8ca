// Where the node is: `?rpc=ws://…` on the page's URL wins, then the gateway's `/config.json`
// (`{"rpc": "ws://127.0.0.1:9944", "maxUploadBytes": 16777216}`), then the default local node.
// `maxUploadBytes`: the largest image the gateway takes from a client (the worker's default
// when the gateway does not say).

export const DEFAULT_RPC = 'ws://127.0.0.1:9944';
export const DEFAULT_MAX_UPLOAD_BYTES = 16 << 20;

export async function resolveConfig(location = window.location) {
  const query = new URLSearchParams(location.search);
  const fromQuery = query.get('rpc');
  let gateway = {};
  let warning = null;
  try {
    // Relative, so the page works under any path the gateway serves it from.
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (response.ok) gateway = await response.json();
    else warning = `config.json: HTTP ${response.status}`;
  } catch (error) {
    warning = `config.json: ${error.message}`;
  }
  const maxUploadBytes = Number.isSafeInteger(gateway.maxUploadBytes) ? gateway.maxUploadBytes : DEFAULT_MAX_UPLOAD_BYTES;
  if (fromQuery) return { rpc: fromQuery, source: '?rpc', maxUploadBytes };
  if (typeof gateway.rpc === 'string' && gateway.rpc) return { rpc: gateway.rpc, source: 'config.json', maxUploadBytes };
  return { rpc: DEFAULT_RPC, source: 'default', warning, maxUploadBytes };
}
