'use strict';
// Node tests run straight from TypeScript sources: tsx compiles on the fly and
// the "source" export condition makes workspace imports resolve to src/. Only tsx's ESM loader:
// with its CommonJS hook too, mocha's require() would compile the tests to CommonJS while the
// SDK's dynamic import() (direct channels, loaded on first use) loads a second, ESM copy of the
// modules, whose error classes then fail `instanceof`.
module.exports = {
  spec: ['packages/*/test/**/*.test.ts'],
  // Karma runs test/browser; the browser end-to-end tests run in their own network namespace
  // (.mocharc.browser-e2e.cjs, scripts/test-netns.sh), where Firefox can reach the server.
  ignore: ['packages/*/test/browser/**', 'packages/sdk/test/e2e/browser-*.test.ts'],
  'node-option': ['conditions=source', 'import=tsx/esm'],
  timeout: 20000,
  exit: true,
};
