import { defaultClientConditions, defineConfig } from 'vite';

// "source" resolves workspace packages to their TypeScript sources, so the demo builds without
// building the SDK first. The server serves dist/, so the dev server only proxies its API.
export default defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    proxy: { '/healthz': 'http://127.0.0.1:8080' },
  },
  build: { target: 'es2022' },
});
