'use strict';
// Node tests run straight from TypeScript sources: tsx compiles on the fly and
// the "source" export condition makes workspace imports resolve to src/.
module.exports = {
  spec: ['packages/*/test/**/*.test.ts'],
  // Karma runs test/browser; the browser end-to-end tests run in their own network namespace
  // (.mocharc.browser-e2e.cjs, scripts/test-netns.sh), where Firefox can reach the server.
  ignore: ['packages/*/test/browser/**', 'packages/sdk/test/e2e/browser-*.test.ts'],
  'node-option': ['conditions=source', 'import=tsx'],
  timeout: 20000,
  exit: true,
};
