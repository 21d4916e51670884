import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { startTestServer, type TestServer } from '../../../server/test/support/test-server.js';

const DEMO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IMAGES = fileURLToPath(new URL('../../../../docs/images/', import.meta.url));
const CHROMIUM_ARGS = createRequire(import.meta.url)('../../../../scripts/chromium-flags.json') as string[];
// Screenshots for the docs are only written on request, so that test runs leave the tree alone.
const SCREENSHOTS = process.env.DEMO_SCREENSHOTS === '1';

/**
 * The built demo, served by a real dev-mode server, in Debian's Chromium with fake camera and
 * microphone: each visitor is a separate browser context.
 */
describe('demo app (e2e)', function () {
  this.timeout(60000);

  let outDir: string;
  let server: TestServer;
  let browser: Browser;
  const pages: { name: string; page: Page; errors: string[] }[] = [];

  async function open(name: string, path: string, viewport = { width: 960, height: 720 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    pages.push({ name, page, errors });
    await page.goto(`${server.server.url}/${path}`);
    return page;
  }

  before(async function () {
    outDir = await mkdtemp(join(tmpdir(), 'sb-demo-'));
    await build({
      root: DEMO_ROOT,
      configFile: join(DEMO_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      // Under mocha (node --conditions=source), Vite fails to resolve its own
      // "vite/modulepreload-polyfill"; Chromium supports modulepreload natively anyway.
      build: { outDir, emptyOutDir: true, modulePreload: { polyfill: false } },
    });
    server = await startTestServer(['--static-dir', outDir]);
    browser = await chromium.launch({ executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const { name, page, errors } of pages) {
      const state = await page.evaluate(() => [document.querySelector('sb-room')?.getAttribute('state'), document.body.innerText.slice(0, 300)]).catch(String);
      console.log(`[${name}] sb-room state and text:`, JSON.stringify(state), errors);
    }
  });

  after(async function () {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  describe('landing page', function () {
    it('serves the landing page with links to every page', async function () {
      const page = await open('landing', '');
      await page.locator('#room-input').fill('my room');
      expect(await page.locator('a[data-page="watch.html"]').getAttribute('href')).to.equal('watch.html?room=my%20room');
      await page.locator('#summary[data-state="ok"]').waitFor();
    });
  });

  describe('live room', function () {
    let host: Page;
    let viewer1: Page;
    let viewer2: Page;
    let otherRoom: Page;
    let admin: Page;

    before(async function () {
      host = await open('host', 'host.html?room=live-1');
      await host.locator('#self-view[ready]').waitFor({ timeout: 15000 });
      viewer1 = await open('viewer 1', 'watch.html?room=live-1');
      viewer2 = await open('viewer 2', 'watch.html?room=live-1');
      otherRoom = await open('viewer of another room', 'watch.html?room=live-2');
      admin = await open('admin', 'admin.html?room=live-1');
      await otherRoom.locator('#heart:enabled').waitFor();
      await admin.locator('sb-room[state="connected"]').waitFor();
    });

    it("plays the host's camera to each viewer, with the viewer count", async function () {
      for (const viewer of [viewer1, viewer2]) {
        await viewer.locator('#video[ready]').waitFor({ timeout: 15000 });
        await viewer.locator('#live:not([hidden])').waitFor();
        await viewer.locator('#viewer-count', { hasText: '2 watching' }).waitFor();
      }
      await otherRoom.locator('#viewer-count', { hasText: '1 watching' }).waitFor();
      expect(await otherRoom.locator('#video[ready]').count()).to.equal(0);
      // The host counts everyone else in the room: two viewers and the admin page.
      await host.locator('#viewers', { hasText: '3' }).waitFor();
    });

    it("shows a viewer's comment in the other viewers' danmaku within 2 s, and only in that room", async function () {
      const text = `hello from viewer 1 ${Date.now()}`;
      await viewer1.locator('sb-comment-box input').fill(text);
      const sentAt = Date.now();
      await viewer1.locator('sb-comment-box input').press('Enter');
      await viewer2.locator('[part~="comment"]', { hasText: text }).waitFor({ timeout: 2000 });
      expect(Date.now() - sentAt).to.be.below(2000);
      // The sender sees its own comment too (a local echo).
      await viewer1.locator('[part~="comment"]', { hasText: text }).waitFor({ timeout: 2000 });
      if (SCREENSHOTS) {
        await mkdir(IMAGES, { recursive: true });
        for (const more of ['What a view!', 'Hello from Lisbon', 'first time here']) {
          await viewer1.locator('sb-comment-box input').fill(more);
          await viewer1.locator('sb-comment-box input').press('Enter');
          await viewer2.waitForTimeout(400);
        }
        await viewer2.locator('#heart').click();
        await viewer2.waitForTimeout(700);
        await viewer2.screenshot({ path: join(IMAGES, 'live-room.png') });
      }
      await otherRoom.waitForTimeout(500);
      expect(await otherRoom.locator('[part~="comment"]', { hasText: text }).count()).to.equal(0);
      expect(await otherRoom.locator('#danmaku').evaluate((el) => el.shadowRoot?.textContent ?? '')).not.to.contain(text);
    });

    it('floats hearts sent over the lossy channel to the other viewers', async function () {
      await viewer1.locator('#heart').click();
      await viewer2.locator('#hearts .heart').first().waitFor({ timeout: 2000 });
    });

    it("shows an announcement from the admin page's HTTP API call on every page of the room", async function () {
      const text = `Announcement ${Date.now()}`;
      await admin.locator('#text').fill(text);
      expect(await admin.locator('#secret').inputValue()).to.equal('switchboard-dev-api-secret');
      await admin.locator('button[type="submit"]').click();
      await admin.locator('#result', { hasText: 'Announced to live-1' }).waitFor();
      for (const page of [host, viewer1, viewer2, admin]) await page.locator('#announcement', { hasText: text }).waitFor({ timeout: 2000 });
      expect(await otherRoom.locator('#announcement').count()).to.equal(0);
    });

    it('shows an announcement posted to the HTTP API by a backend', async function () {
      const response = await fetch(`${server.server.url}/api/rooms/live-2/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer switchboard-dev-api-secret' },
        body: JSON.stringify({ type: 'announcement', data: { text: 'Room 2 starts soon' } }),
      });
      expect(response.status).to.equal(200);
      await otherRoom.locator('#announcement', { hasText: 'Room 2 starts soon' }).waitFor({ timeout: 2000 });
    });
  });

  describe('remote control', function () {
    it('pairs a phone remote with a screen by its code and controls the clip', async function () {
      const screen = await open('screen', 'screen.html');
      await screen.locator('sb-room[state="connected"]').waitFor();
      const code = (await screen.locator('#code').textContent()) ?? '';
      expect(code).to.match(/^\d{6}$/);
      const remote = await open('remote', `remote.html?code=${code}`, { width: 390, height: 700 });
      await remote.locator('#status', { hasText: 'Paired' }).waitFor();
      await screen.locator('#paired', { hasText: '1 remote' }).waitFor();

      const play = remote.locator('[part~="play"]');
      await play.locator('xpath=self::*[not(@disabled)]').waitFor();
      await play.click();
      await screen.locator('#clock[data-paused="false"]').waitFor({ timeout: 5000 });
      await remote.locator('[part~="play"]', { hasText: 'Pause' }).waitFor();
      await remote.locator('[part~="forward"]').click();
      await screen.waitForFunction(() => (document.getElementById('clip') as HTMLVideoElement).currentTime >= 10);
      await remote.locator('[part~="time"]', { hasText: /^0:1\d \/ 1:00$/ }).waitFor();
      if (SCREENSHOTS) await remote.screenshot({ path: join(IMAGES, 'remote.png') });
      await play.click();
      await screen.locator('#clock[data-paused="true"]').waitFor({ timeout: 5000 });
    });
  });

  // Last (mocha runs a level's own tests before its describes).
  describe('all pages', function () {
    it('logged no console errors', function () {
      expect(pages.length).to.be.above(5);
      const errors = pages.flatMap(({ name, errors }) => errors.map((error) => `${name}: ${error}`));
      expect(errors).to.deep.equal([]);
    });
  });
});
