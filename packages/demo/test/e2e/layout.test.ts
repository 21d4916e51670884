import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DemoHarness, DESKTOP, IMAGES, PHONE, SCREENSHOTS, type Viewport } from './harness.js';
import { measureLayout } from './layout-check.js';

/**
 * Every page of the demo, in the state a visitor sees it (a live room with comments, hearts and
 * an announcement; a paired screen and remote), on a phone and on a laptop: nothing sticks out
 * of the screen, its card or the page's column, nothing covers a header, every header starts at
 * the same height. With DEMO_SCREENSHOTS=1 it also takes the docs' screenshots (docs/images).
 */
describe('demo app (e2e): layout on a phone and a laptop', function () {
  this.timeout(240000);
  const demo = new DemoHarness();
  const headerTops = new Map<string, number>();
  // The README's Quick start shows these three under their first names.
  const FILE_NAMES: Record<string, string> = { 'watch-desktop': 'live-room.png', 'remote-phone': 'remote.png', 'screen-live-desktop': 'screen-live.png' };

  before(() => demo.start());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await demo.describe();
  });
  after(() => demo.stop());

  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as [string, Viewport][]) {
    describe(`at ${viewport.width}×${viewport.height} (${size})`, function () {
      // One room per size: its pages are closed at the end, so the next size starts afresh.
      const room = size === 'phone' ? 'jazz-night' : 'jazz-night-live';
      const opened: Page[] = [];
      const open = async (name: string, path: string, options: { viewport?: Viewport; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> => {
        const page = await demo.open(`${name} (${size})`, path, { viewport, ...options });
        opened.push(page);
        return page;
      };
      after(async () => {
        for (const page of opened) await page.close().catch(() => undefined);
      });

      async function expectTidy(page: Page, name: string): Promise<void> {
        await page.mouse.move(0, 0); // no hover highlight
        const { problems, headerTop } = await measureLayout(page);
        expect(problems, `${name} at ${viewport.width}×${viewport.height}`).to.deep.equal([]);
        if (headerTop !== null) headerTops.set(`${name} (${size})`, headerTop);
        if (SCREENSHOTS) await page.screenshot({ path: join(IMAGES, FILE_NAMES[`${name}-${size}`] ?? `${name}-${size}.png`), fullPage: name.startsWith('screen') });
      }

      let host: Page;
      let watch: Page;

      it('landing page', async function () {
        const page = await open('landing', '');
        await page.locator('#summary[data-state="ok"]').waitFor();
        await page.locator('#details:not([hidden])').waitFor();
        await expectTidy(page, 'landing');
      });

      it('host page with a long room name', async function () {
        const page = await open('long host', 'host.html?room=the-friday-night-jazz-session-from-the-front-row');
        await page.locator('#self-view[ready]').waitFor();
        await page.locator('#live:not([hidden])').waitFor();
        const { problems } = await measureLayout(page);
        expect(problems).to.deep.equal([]);
        // The logo, the name and LIVE share the first line.
        const tops = await page.locator('.topbar .brand, .topbar #live').evaluateAll((els) => els.map((el) => el.getBoundingClientRect()));
        expect(tops[1]!.top).to.be.below(tops[0]!.bottom);
        await page.close();
      });

      it('watch page of a live room, with comments, hearts, history and an announcement', async function () {
        host = await open('host', `host.html?room=${room}`);
        await host.locator('#self-view[ready]').waitFor();
        const other = await open('other viewer', `watch.html?room=${room}`, { viewport: { width: 960, height: 720 } });
        const input = other.locator('sb-comment-box input');
        await input.waitFor();
        await other.locator('sb-comment-box input:enabled').waitFor();
        for (const text of ['Doors open at eight', 'Is the drummer here yet?', 'Front row, waving!']) {
          await input.fill(text);
          await input.press('Enter');
        }
        watch = await open('watch', `watch.html?room=${room}`);
        await watch.locator('#video[ready]').waitFor();
        await watch.locator('#earlier-list li', { hasText: 'Front row, waving!' }).waitFor();
        const response = await fetch(`${demo.url}/api/rooms/${room}/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer switchboard-dev-api-secret' },
          body: JSON.stringify({ type: 'announcement', data: { text: 'The second set starts in 5 minutes' } }),
        });
        expect(response.status).to.equal(200);
        await watch.locator('#announcement').waitFor();
        for (const text of ['What a solo!', 'Hello from Lisbon!', 'This sax sounds amazing']) {
          await input.fill(text);
          await input.press('Enter');
          await watch.waitForTimeout(350);
        }
        await watch.locator('sb-comment-box input').fill('Encore!');
        await watch.locator('#heart').click();
        await other.locator('#heart').click();
        await watch.waitForTimeout(600);
        await expectTidy(watch, 'watch');
      });

      it('host page of the live room, with its announcement', async function () {
        await host.locator('#viewer-count', { hasText: '2 watching' }).waitFor();
        await host.locator('#announcement').waitFor();
        await expectTidy(host, 'host');
      });

      it('admin page after an announcement', async function () {
        const page = await open('admin', `admin.html?room=${room}`);
        await page.locator('#connection[data-state="connected"]').waitFor();
        await page.locator('#text').fill('We are back in 5 minutes');
        await page.locator('button[type="submit"]').click();
        await page.locator('#result[data-state="ok"]').waitFor();
        await page.locator('#announcement').waitFor();
        await expectTidy(page, 'admin');
      });

      it('screen and remote, paired', async function () {
        const unpaired = await open('remote (unpaired)', 'remote.html');
        await unpaired.locator('#pair').waitFor();
        await expectTidy(unpaired, 'remote-pair');
        const screen = await open('screen', 'screen.html');
        await screen.locator('sb-room[state="connected"]').waitFor();
        const code = (await screen.locator('#code').textContent()) ?? '';
        await expectTidy(screen, 'screen-unpaired');
        const remote = await open('remote', `remote.html?code=${code}`);
        await remote.locator('sb-remote-control[ready]').waitFor();
        await remote.locator('#path[data-path="direct"]').waitFor();
        await remote.locator('[part~="play"]').click();
        await screen.locator('#clock[data-paused="false"]').waitFor();
        await remote.locator('[part~="forward"]').click();
        await remote.locator('[part~="play"]', { hasText: 'Pause' }).waitFor();
        await screen.waitForTimeout(300);
        await expectTidy(remote, 'remote');
        await expectTidy(screen, 'screen');
        if (size === 'phone') {
          const dark = await open('remote (dark)', `remote.html?code=${code}`, { colorScheme: 'dark' });
          await dark.locator('sb-remote-control[ready]').waitFor();
          await expectTidy(dark, 'remote-dark');
        }
      });

      it('screen showing the live room', async function () {
        const screen = await open('live screen', `screen.html?room=${room}&source=live`);
        await screen.waitForFunction(() => {
          const media = document.getElementById('clip') as HTMLVideoElement;
          return media.srcObject !== null && media.videoWidth > 0 && !media.paused;
        }, undefined, { timeout: 60000 });
        await screen.waitForTimeout(300);
        await expectTidy(screen, 'screen-live');
      });
    });
  }

  describe('every page', function () {
    it('starts its header at the same height', function () {
      expect(headerTops.size).to.be.above(8);
      expect(new Set(headerTops.values()), JSON.stringify(Object.fromEntries(headerTops))).to.have.lengthOf(1);
    });

    it('logged no console errors', function () {
      expect(demo.errors()).to.deep.equal([]);
    });
  });
});
