import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The server serves dist/ under /console/ (with --console); the dev server proxies the API and
// the sample stream to a server on the default port.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  server: {
    proxy: {
      '/healthz': 'http://127.0.0.1:8080',
      '/api': 'http://127.0.0.1:8080',
    },
  },
  build: { target: 'es2022' },
});
