// Where the node is: `?rpc=ws://…` on the page's URL wins, then the gateway's `/config.json`
// (`{"rpc": "ws://127.0.0.1:9944"}`), then the default local node.

export const DEFAULT_RPC = 'ws://127.0.0.1:9944';

export async function resolveConfig(location = window.location) {
  const query = new URLSearchParams(location.search);
  const fromQuery = query.get('rpc');
  if (fromQuery) return { rpc: fromQuery, source: '?rpc' };
  try {
    // Relative, so the page works under any path the gateway serves it from.
    const response = await fetch('./config.json', { cache: 'no-store' });
    if (response.ok) {
      const config = await response.json();
      if (typeof config.rpc === 'string' && config.rpc) return { rpc: config.rpc, source: 'config.json' };
    }
    return { rpc: DEFAULT_RPC, source: 'default', warning: `config.json: HTTP ${response.status}` };
  } catch (error) {
    return { rpc: DEFAULT_RPC, source: 'default', warning: `config.json: ${error.message}` };
  }
}
