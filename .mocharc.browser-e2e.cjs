'use strict';
// The end-to-end tests in real browsers (Chromium and Firefox ESR), run inside
// scripts/test-netns.sh: `bash scripts/test-netns.sh npx mocha --config .mocharc.browser-e2e.cjs`.
module.exports = {
  ...require('./.mocharc.cjs'),
  spec: ['packages/sdk/test/e2e/browser-*.test.ts'],
  ignore: [],
};
