import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startClusterNodes, stopClusterNodes, type ClusterNode } from '../../../server/test/support/cluster-harness.js';
import { startTestRedis, type TestRedis } from '../../../server/test/support/redis-server.js';
import { joinFromPage, type PageWindow } from './browser-harness.js';

const SDK_ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const CHROMIUM_ARGS = createRequire(import.meta.url)('../../../../scripts/chromium-flags.json') as string[];


// Two server processes on one Redis, each serving the SDK page; Chromium publishes its fake
// camera on node B and plays it on node A, through the PipeTransports between the nodes.
describe('browser end to end: a camera on one node played on another', function () {
  this.timeout(120_000);
  let redis: TestRedis;
  let nodes: ClusterNode[] = [];
  let browser: Browser;
  let siteDir: string;

  before(async () => {
    siteDir = await mkdtemp(joinPath(tmpdir(), 'sb-cluster-e2e-'));
    await build({ entryPoints: [SDK_ENTRY], bundle: true, format: 'esm', target: 'chrome120', conditions: ['source'], outfile: joinPath(siteDir, 'sdk.js'), logLevel: 'error' });
    await writeFile(
      joinPath(siteDir, 'index.html'),
      '<!doctype html><meta charset="utf-8"><title>e2e</title><link rel="icon" href="data:,"><body>' +
        '<script type="module">import * as sdk from "/sdk.js"; window.sdk = sdk; window.sdkReady = true;</script>',
    );
    redis = await startTestRedis();
    nodes = await startClusterNodes(2, redis.url, { prefix: 'browser', flags: ['--static-dir', siteDir] });
    browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await stopClusterNodes(nodes);
    await redis?.close();
    if (siteDir) await rm(siteDir, { recursive: true, force: true });
  });

  async function page(node: ClusterNode): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext();
    const opened = await context.newPage();
    const errors: string[] = [];
    opened.on('pageerror', (error) => errors.push(error.message));
    await opened.goto(`${node.url}/index.html`);
    await opened.waitForFunction(() => (window as unknown as { sdkReady?: boolean }).sdkReady === true);
    return { page: opened, errors };
  }

  it('plays in Chromium on node A a camera published in Chromium on node B: decoded frames grow', async () => {
    const viewer = await page(nodes[0]!);
    const host = await page(nodes[1]!);
    await joinFromPage(viewer.page, 'live', 'viewer', 'subscribe,receiveData');
    const hostId = await joinFromPage(host.page, 'live', 'host');
    // The viewer attaches every track announced to it; the host's, published on the other
    // node, reaches it through the membership records and is auto-subscribed.
    await viewer.page.evaluate(() => {
      const w = window as unknown as PageWindow;
      w.room.on('trackPublished', ({ track }) => {
        const element = document.createElement('video');
        element.autoplay = true;
        element.muted = true;
        document.body.append(element);
        track.attach(element);
      });
    });
    const published = await host.page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      const track = await w.room.publish(await w.sdk.openCamera({ width: 640, height: 480 }), { name: 'camera' });
      return track.id;
    });
    await viewer.page.waitForFunction((id) => (window as unknown as PageWindow).room.tracks.has(id), published, { timeout: 30_000 });
    const announced = await viewer.page.evaluate((id) => {
      const track = (window as unknown as PageWindow).room.tracks.get(id);
      return track && { peerId: track.peerId, name: track.name, kind: track.kind };
    }, published);
    assert.deepEqual(announced, { peerId: hostId, name: 'camera', kind: 'video' });
    await viewer.page.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) > 0, undefined, { timeout: 30_000 });
    const framesDecoded = () =>
      viewer.page.evaluate(async () => {
        const w = window as unknown as PageWindow;
        let frames = 0;
        for (const track of w.room.tracks.values()) {
          (await track.getStats()).forEach((entry: { type: string; framesDecoded?: number }) => {
            if (entry.type === 'inbound-rtp') frames += entry.framesDecoded ?? 0;
          });
        }
        return frames;
      });
    const first = await framesDecoded();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const second = await framesDecoded();
    assert.ok(second > first, `framesDecoded grew: ${first} -> ${second}`);
    assert.deepEqual([...viewer.errors, ...host.errors], []);
  });
});
