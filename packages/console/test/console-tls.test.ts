import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { selfSigned } from '../../server/test/support/self-signed.js';
import { startTestServer, type TestServer } from '../../server/test/support/test-server.js';
import { builtConsole, ConsolePages, launchChromium, metricSum, signIn, untilEqual } from './console-harness.js';

/** GET over HTTPS, trusting only `ca`. */
function httpsText(url: string, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/**
 * The console behind the server's own TLS (`--tls-cert`, `--tls-key`) with a self-signed
 * certificate made for the test: the page, the API calls and the sample stream all go over
 * https (the page uses relative URLs only), and what it shows matches `/metrics`.
 */
describe('operator console over HTTPS (Chromium)', function () {
  this.timeout(180000);
  let dir: string;
  let server: TestServer;
  let browser: Browser;
  let pages: ConsolePages;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'sb-console-tls-'));
    const files = selfSigned(dir, 'server');
    server = await startTestServer(['--console', '--console-dir', await builtConsole(), '--tls-cert', files.cert, '--tls-key', files.key]);
    browser = await launchChromium();
    pages = new ConsolePages(browser, server.server.url);
  });

  after(async function () {
    await pages?.close();
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, streams samples and shows /metrics\u2019 values, every request over https', async function () {
    expect(server.server.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(dir, 'server.crt'));
    // The browser is told to accept the test's certificate, as an operator accepts (or installs) theirs.
    const page = await pages.open({ ignoreHTTPSErrors: true });
    const plain: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('https:')) plain.push(request.url());
    });
    await signIn(page);
    await page.locator('#stream-state[data-state="live"]').waitFor();
    const series = async (name: string) => metricSum(await httpsText(`${server.server.url}/metrics`, ca), name);
    await untilEqual(page, '[data-metric="rooms"] .value', () => series('switchboard_rooms'));
    await untilEqual(page, '[data-metric="peers"] .value', () => series('switchboard_peers'));
    const health = JSON.parse(await httpsText(`${server.server.url}/healthz`, ca)) as { cluster: { nodes: string[] } };
    await page.locator(`tr[data-node="${health.cluster.nodes[0]}"]`).waitFor();
    await page.goto(`${server.server.url}/console/#/rooms/nowhere`);
    await page.locator('#error', { hasText: 'no room "nowhere"' }).waitFor();
    expect(await page.evaluate(() => location.protocol)).to.equal('https:');
    expect(plain).to.deep.equal([]);
  });
});
