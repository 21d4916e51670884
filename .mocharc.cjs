'use strict';
// Node tests run straight from TypeScript sources: tsx compiles on the fly and
// the "source" export condition makes workspace imports resolve to src/.
module.exports = {
  spec: ['packages/*/test/**/*.test.ts'],
  ignore: ['packages/*/test/browser/**'],
  'node-option': ['conditions=source', 'import=tsx'],
  timeout: 20000,
  exit: true,
};
