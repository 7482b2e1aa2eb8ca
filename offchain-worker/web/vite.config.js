// Vite builds the web studio into dist/, which the worker's gateway serves at `/`.
//
// Development (`npm run dev`, `npm run preview`) against a running chain:
//   STUDIO_GATEWAY=http://127.0.0.1:8080  proxies /ipfs/… (and /config.json when the gateway
//                                         serves one) to a worker's gateway;
//   STUDIO_RPC=ws://127.0.0.1:9944       answers /config.json itself with that node.
// Without them, open the page with `?rpc=ws://…`.

import { defineConfig } from 'vite';

const gateway = process.env.STUDIO_GATEWAY;
const rpc = process.env.STUDIO_RPC;

/** Serves `/config.json` as the gateway will, from STUDIO_RPC. */
function devConfigJson() {
  const middleware = (req, res, next) => {
    if (!rpc || req.url.split('?')[0] !== '/config.json') return next();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ rpc }));
  };
  return {
    name: 'studio-dev-config-json',
    // Block bodies: a hook that returns a function has it run as a late middleware.
    configureServer(server) {
      server.middlewares.use(middleware);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware);
    },
  };
}

const proxy = gateway
  ? {
      '/ipfs': { target: gateway, changeOrigin: true },
      ...(rpc ? {} : { '/config.json': { target: gateway, changeOrigin: true } }),
    }
  : undefined;

export default defineConfig({
  // Relative asset URLs: the page works wherever the gateway mounts it.
  base: './',
  plugins: [devConfigJson()],
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // @polkadot/api is most of the bundle; keep it in its own chunk so app changes stay small.
    // What a first visit does not need (the wallet extension's bridge, the UnixFS importer that
    // checks uploads and downloads) stays in chunks loaded on demand.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: (id) =>
          /node_modules\/@polkadot\/extension-/.test(id) ? 'wallet'
          : /node_modules\/(@polkadot|@noble|@scure|@substrate|rxjs|bn\.js)\//.test(id) ? 'polkadot'
          : undefined,
      },
    },
  },
});
