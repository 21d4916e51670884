'use strict';
// Browser tests: mocha specs under packages/*/test/browser, bundled by esbuild, run in Debian's
// headless Chromium and Firefox ESR (test tools cannot download their own browser on these
// machines). KARMA_BROWSERS=ChromiumHeadless (or FirefoxEsrHeadless) runs one of them.
process.env.CHROME_BIN ||= '/usr/bin/chromium';
process.env.FIREFOX_BIN ||= '/usr/bin/firefox-esr';

// karma-esbuild writes its entry file to os.tmpdir() and imports each spec by a path relative to
// it, which breaks (a bare "sb/..." import) when the checkout itself lies below the temp dir, as
// CI's clones may. A temp dir inside the checkout keeps those paths "../"-relative.
const path = require('node:path');
const fs = require('node:fs');
process.env.TMPDIR = path.join(__dirname, 'node_modules', '.cache', 'karma-tmp');
fs.mkdirSync(process.env.TMPDIR, { recursive: true });

// The flags every Chromium of this project runs with (playwright-core E2E tests too).
const CHROMIUM_FLAGS = require('./scripts/chromium-flags.json');
// The prefs every Firefox of this project runs with (puppeteer-core E2E tests too): fake camera
// and microphone without a prompt, plain host candidates. Firefox never uses a server's loopback
// candidates: run karma in scripts/test-netns.sh, which gives the test server a second address.
const FIREFOX_PREFS = require('./scripts/firefox-prefs.json');
const BROWSERS = (process.env.KARMA_BROWSERS || 'ChromiumHeadless,FirefoxEsrHeadless').split(',');

// Prints one line per spec and a closing "N passed, N failed" line that CI logs can be read by.
function SpecSummaryReporter(baseReporterDecorator) {
  baseReporterDecorator(this);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  this.onSpecComplete = (browser, result) => {
    // "Chrome Headless 131.0.0.0 (Linux x86_64)" -> "Chrome": each spec runs once per browser.
    const name = `[${browser.name.split(' ')[0]}] ${[...result.suite, result.description].join(' > ')}`;
    if (result.skipped) {
      skipped++;
      this.write(`  - ${name} (skipped)\n`);
    } else if (result.success) {
      passed++;
      this.write(`  ✔ ${name} (${result.time} ms)\n`);
    } else {
      failed++;
      this.write(`  ✖ ${name}\n${result.log.map((l) => `      ${l}`).join('\n')}\n`);
    }
  };
  this.onRunComplete = (_browsers, results) => {
    const errored = results.error ? ' (the run itself errored)' : '';
    this.write(`browser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${errored}\n`);
  };
}
SpecSummaryReporter.$inject = ['baseReporterDecorator'];

module.exports = (config) => {
  config.set({
    frameworks: ['mocha'],
    plugins: [
      'karma-mocha',
      'karma-chrome-launcher',
      'karma-firefox-launcher',
      'karma-esbuild',
      { 'reporter:spec-summary': ['type', SpecSummaryReporter] },
      require('./scripts/karma-switchboard-server.cjs'),
    ],
    beforeMiddleware: ['switchboard-server'],
    files: [{ pattern: 'packages/*/test/browser/**/*.test.ts', watched: false }],
    preprocessors: { 'packages/*/test/browser/**/*.test.ts': ['esbuild'] },
    esbuild: {
      target: ['chrome120', 'firefox128'],
      conditions: ['source'],
      sourcemap: 'inline',
    },
    hostname: '127.0.0.1',
    listenAddress: '127.0.0.1',
    browsers: BROWSERS,
    // One browser at a time: both at once on CI's 2 cores slow a room's first connection past
    // the tests' bounded waits.
    concurrency: 1,
    customLaunchers: {
      ChromiumHeadless: { base: 'ChromeHeadless', flags: CHROMIUM_FLAGS },
      FirefoxEsrHeadless: { base: 'FirefoxHeadless', prefs: FIREFOX_PREFS },
    },
    client: { mocha: { timeout: 20000 } },
    reporters: ['spec-summary'],
    singleRun: true,
    autoWatch: false,
    browserNoActivityTimeout: 120000,
    captureTimeout: 60000,
    logLevel: config.LOG_INFO,
  });
};
