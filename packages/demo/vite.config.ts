import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

const pages = ['index', 'host', 'watch', 'admin', 'screen', 'remote'];

// "source" resolves workspace packages to their TypeScript sources, so the demo builds without
// building the SDK first. The server serves dist/, so the dev server only proxies its API.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/healthz': 'http://127.0.0.1:8080',
      '/dev': 'http://127.0.0.1:8080',
      '/api': 'http://127.0.0.1:8080',
      '/rtc': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: Object.fromEntries(pages.map((page) => [page, fileURLToPath(new URL(`${page}.html`, import.meta.url))])),
    },
  },
});
