import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DemoHarness, DESKTOP, type Viewport } from './harness.js';

/**
 * The built demo, served by a real dev-mode server, in Debian's Chromium with fake camera and
 * microphone: each visitor is a separate browser context.
 */
describe('demo app (e2e)', function () {
  // Generous: six engineers' tests share two cores, and each visitor is a Chromium context.
  this.timeout(120000);
  const demo = new DemoHarness();
  const open = (name: string, path: string, viewport?: Viewport): Promise<Page> => demo.open(name, path, viewport ? { viewport } : {});

  before(() => demo.start());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await demo.describe();
  });
  after(() => demo.stop());

  describe('landing page', function () {
    it('serves the landing page with links to every page', async function () {
      const page = await open('landing', '');
      await page.locator('#room-input').fill('my room');
      expect(await page.locator('a[data-page="watch.html"]').getAttribute('href')).to.equal('watch.html?room=my%20room');
      expect(await page.locator('a[data-page="screen.html"]').getAttribute('href')).to.equal('screen.html?room=my%20room');
      await page.locator('#summary[data-state="ok"]').waitFor();
    });

    it('opens the watch page of the room typed in when Enter is pressed in the Room field', async function () {
      const page = await open('landing (Enter)', '');
      await page.locator('#room-input').fill('enter room');
      await page.locator('#room-input').press('Enter');
      await page.waitForURL(/\/watch\.html\?room=enter%20room$/);
      await page.locator('#room-name', { hasText: 'enter room' }).waitFor();
    });
  });

  describe('live room', function () {
    let host: Page;
    let viewer1: Page;
    let viewer2: Page;
    let otherRoom: Page;
    let admin: Page;
    let screen: Page;
    let remote: Page;

    before(async function () {
      host = await open('host', 'host.html?room=live-1');
      await host.locator('#self-view[ready]').waitFor({ timeout: 15000 });
      viewer1 = await open('viewer 1', 'watch.html?room=live-1');
      viewer2 = await open('viewer 2', 'watch.html?room=live-1');
      otherRoom = await open('viewer of another room', 'watch.html?room=live-2');
      admin = await open('admin', 'admin.html?room=live-1');
      await otherRoom.locator('#heart:enabled').waitFor();
      await admin.locator('#connection[data-state="connected"]').waitFor();
    });

    it("plays the host's camera to each viewer, with the viewer count", async function () {
      for (const viewer of [viewer1, viewer2]) {
        await viewer.locator('#video[ready]').waitFor({ timeout: 15000 });
        await viewer.locator('#live:not([hidden])').waitFor();
        await viewer.locator('#viewer-count', { hasText: '2 watching' }).waitFor();
      }
      await otherRoom.locator('#viewer-count', { hasText: '1 watching' }).waitFor();
      expect(await otherRoom.locator('#video[ready]').count()).to.equal(0);
      // One definition of a viewer: the host shows the count its viewers show (the admin page is no viewer).
      await host.locator('#viewer-count', { hasText: '2 watching' }).waitFor();
      const counts = await Promise.all([host, viewer1, viewer2].map((page) => page.locator('#viewer-count').textContent()));
      expect(counts).to.deep.equal(['2 watching', '2 watching', '2 watching']);
      await host.locator('#live:not([hidden])').waitFor();
      for (const page of [host, viewer1, admin]) expect(await page.locator('#connection').textContent()).to.equal('Connected');
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
      // The top row keeps clear of the video's top edge.
      const gap = await viewer2.locator('[part~="comment"]', { hasText: text }).evaluate((comment) => {
        const video = document.getElementById('video')!.getBoundingClientRect();
        return comment.getBoundingClientRect().top - video.top;
      });
      expect(gap).to.be.at.least(6);
      await otherRoom.waitForTimeout(500);
      expect(await otherRoom.locator('[part~="comment"]', { hasText: text }).count()).to.equal(0);
      expect(await otherRoom.locator('#danmaku').evaluate((el) => el.shadowRoot?.textContent ?? '')).not.to.contain(text);
    });

    it('lists the comments made before for a viewer who joins later, newest first, without flying them over the video', async function () {
      // A room of its own, so the viewer counts of live-1 stay as the other tests expect.
      const early = await open('early viewer', 'watch.html?room=history-1');
      const texts = Array.from({ length: 13 }, (_, i) => `said before you came, ${i + 1}`);
      for (const text of texts) {
        await early.locator('sb-comment-box input').fill(text);
        await early.locator('sb-comment-box input').press('Enter');
        await early.locator('[part~="comment"]', { hasText: text }).waitFor({ timeout: 5000 });
      }
      const late = await open('late viewer', 'watch.html?room=history-1');
      await late.locator('#earlier-list li', { hasText: texts.at(-1) }).waitFor({ timeout: 15000 });
      expect(await late.locator('#earlier').isVisible()).to.equal(true);
      expect(await late.locator('#earlier-list li').allTextContents()).to.deep.equal(texts.toReversed());
      // The newest is in view in the list, and the picture stays clear: none flies by.
      expect(await late.locator('#earlier-list li').first().isVisible()).to.equal(true);
      await late.waitForTimeout(1000);
      expect(await late.locator('[part~="comment"]').count()).to.equal(0);
      // The viewer who was there saw it live: nothing is listed as earlier for it.
      expect(await early.locator('#earlier-list li').count()).to.equal(0);
      expect(await early.locator('#earlier').isVisible()).to.equal(false);
    });

    it('floats hearts sent over the lossy channel to the other viewers', async function () {
      await viewer1.locator('#heart').click();
      await viewer2.locator('#hearts .heart').first().waitFor({ timeout: 2000 });
      // Bright over the video: still fully opaque half-way up, and a colour that stands out on black.
      const look = await viewer2.locator('#hearts .heart').first().evaluate((heart) => {
        const [animation] = heart.getAnimations();
        animation!.pause();
        animation!.currentTime = Number(animation!.effect!.getComputedTiming().duration) / 2;
        const style = getComputedStyle(heart);
        // WCAG relative luminance (no named helpers: the function runs in the page as compiled).
        const [r = 0, g = 0, b = 0] = (style.color.match(/\d+(\.\d+)?/g) ?? []).map((c) => Number(c) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        return { opacity: Number(style.opacity), contrastOnBlack: (luminance + 0.05) / 0.05 };
      });
      expect(look.opacity).to.be.at.least(0.9);
      expect(look.contrastOnBlack).to.be.at.least(4.5);
    });

    it("shows an announcement from the admin page's HTTP API call on every page of the room", async function () {
      const text = `Announcement ${Date.now()}`;
      await admin.locator('#text').fill(text);
      // A refusal is shown as one, in the error colour, not as muted as a success (on a page of
      // its own: the browser logs the 401 as a console error).
      const refused = await demo.open('admin (wrong secret)', 'admin.html?room=live-1', { allowConsoleErrors: /status of 401/ });
      await refused.locator('#text').fill(text);
      await refused.locator('#secret').fill('wrong-secret');
      await refused.locator('button[type="submit"]').click();
      await refused.locator('#result[data-state="error"]', { hasText: 'Refused (401)' }).waitFor();
      const colours = await refused.locator('#result').evaluate((result) => {
        const probe = document.createElement('span');
        probe.style.color = 'var(--bad)';
        result.append(probe);
        const colour = { shown: getComputedStyle(result).color, bad: getComputedStyle(probe).color };
        probe.remove();
        return colour;
      });
      expect(colours.shown).to.equal(colours.bad);
      await refused.close();
      expect(await admin.locator('#secret').inputValue()).to.equal('switchboard-dev-api-secret');
      await admin.locator('button[type="submit"]').click();
      await admin.locator('#result[data-state="ok"]', { hasText: 'Announced to live-1' }).waitFor();
      for (const page of [host, viewer1, viewer2, admin]) await page.locator('#announcement', { hasText: text }).waitFor({ timeout: 2000 });
      expect(await otherRoom.locator('#announcement').count()).to.equal(0);
    });

    it('shows an announcement posted to the HTTP API by a backend', async function () {
      const response = await fetch(`${demo.url}/api/rooms/live-2/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer switchboard-dev-api-secret' },
        body: JSON.stringify({ type: 'announcement', data: { text: 'Room 2 starts soon' } }),
      });
      expect(response.status).to.equal(200);
      await otherRoom.locator('#announcement', { hasText: 'Room 2 starts soon' }).waitFor({ timeout: 2000 });
    });

    it("plays the live room on a screen, which the paired remote controls locally, following the screen's reports", async function () {
      screen = await open('live screen', 'screen.html?room=live-1&source=live', DESKTOP);
      await screen.waitForFunction(() => {
        const media = document.getElementById('clip') as HTMLVideoElement;
        return media.srcObject !== null && media.videoWidth > 0 && !media.paused;
      }, undefined, { timeout: 15000 });
      // The screen watches the room: a viewer, counted the same on every page.
      for (const page of [host, viewer1, viewer2]) await page.locator('#viewer-count', { hasText: '3 watching' }).waitFor();
      await screen.locator('#muted-hint:not([hidden])').waitFor();
      await screen.locator('#connection[data-state="connected"]').waitFor();
      const code = (await screen.locator('#code').textContent()) ?? '';
      remote = await open('live remote', `remote.html?code=${code}`, { width: 390, height: 700 });
      await remote.locator('sb-remote-control[ready]').waitFor();
      // Paired, the pairing card shrinks: the whole picture is in view on a laptop screen.
      await screen.locator('#pairing[data-paired]').waitFor();
      expect(await screen.locator('#clip').evaluate((clip) => clip.getBoundingClientRect().bottom)).to.be.at.most(DESKTOP.height);
      // A live stream: no seeking, the time alone, and the screen's mute shown as it is.
      await remote.locator('[part~="play"]', { hasText: 'Pause' }).waitFor();
      expect(await remote.locator('[part~="seek"]').isDisabled()).to.equal(true);
      expect(await remote.locator('[part~="forward"]').isDisabled()).to.equal(true);
      expect(await remote.locator('[part~="time"]').textContent()).to.match(/^\d+:\d\d$/);
      await remote.locator('[part~="mute"][aria-pressed="true"]', { hasText: 'Unmute' }).waitFor();

      await remote.locator('[part~="play"]').click();
      await screen.locator('#clock[data-paused="true"]', { hasText: 'Paused' }).waitFor({ timeout: 5000 });
      await remote.locator('[part~="play"]', { hasText: 'Play' }).waitFor();
      // Local to the screen: the viewers still play the host's camera.
      expect(await viewer1.locator('#video').evaluate((el) => (el.shadowRoot?.querySelector('video') as HTMLVideoElement).paused)).to.equal(false);

      await remote.locator('[part~="volume"]').evaluate((input: HTMLInputElement) => {
        input.value = '0.4';
        input.dispatchEvent(new Event('input', { bubbles: true }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
      });
      await screen.waitForFunction(() => Math.abs((document.getElementById('clip') as HTMLVideoElement).volume - 0.4) < 0.01);
      await remote.locator('[part~="mute"]').click();
      await screen.waitForFunction(() => !(document.getElementById('clip') as HTMLVideoElement).muted);
      // Whatever the browser made of the unmute (it may pause an element unmuted without a tap),
      // the remote shows what the screen reports.
      await remote.locator('[part~="mute"][aria-pressed="false"]', { hasText: 'Mute' }).waitFor();
      await screen.locator('#muted-hint[hidden]').waitFor({ state: 'attached' });
      const paused = await screen.locator('#clip').evaluate((media: HTMLVideoElement) => media.paused);
      await remote.locator('[part~="play"]', { hasText: paused ? 'Play' : 'Pause' }).waitFor();
      await remote.locator('[part~="play"]', { hasText: 'Play' }).click();
      // Live has no position: the screen says it plays live rather than showing a clock.
      await screen.locator('#clock[data-paused="false"]', { hasText: 'Live' }).waitFor({ timeout: 5000 });
      await remote.locator('[part~="play"]', { hasText: 'Pause' }).waitFor();
    });

    // Last of the room: the host goes away.
    it("takes LIVE down on the watch pages within 2 s of the host closing its page", async function () {
      await viewer1.locator('#live:not([hidden])').waitFor();
      const closedAt = Date.now();
      await host.close();
      for (const viewer of [viewer1, viewer2]) await viewer.locator('#live').waitFor({ state: 'hidden', timeout: 2000 });
      expect(Date.now() - closedAt).to.be.below(2000);
      await viewer1.locator('#video:not([ready])').waitFor({ timeout: 2000 });
      // The live screen says it waits for the host, instead of a black box and a stuck clock,
      // forgets the last command, and its remote shows it paused.
      await screen.locator('#waiting:not([hidden])', { hasText: 'Waiting for the host' }).waitFor({ timeout: 5000 });
      expect(await screen.locator('#clip').isVisible()).to.equal(false);
      expect(await screen.locator('#clip-view').isVisible()).to.equal(false);
      expect(await screen.locator('#last-command').textContent()).to.equal('');
      await remote.locator('[part~="play"]', { hasText: 'Play' }).waitFor({ timeout: 5000 });
    });
  });

  describe('remote control', function () {
    it('shows the pairing form, and no control panel, before a code is entered', async function () {
      const remote = await open('unpaired remote', 'remote.html', { width: 390, height: 700 });
      await remote.locator('#pair').waitFor();
      expect(await remote.locator('#remote').isHidden()).to.equal(true);
    });

    it('shows a disabled panel that says why after a wrong code', async function () {
      // Screens draw codes from 100000 to 999999: no screen ever shows this one.
      const remote = await open('remote with a wrong code', 'remote.html?code=000000', { width: 390, height: 700 });
      await remote.locator('#connection[data-state="connected"]').waitFor();
      await remote.locator('#status', { hasText: 'No screen shows the code 000000' }).waitFor();
      await remote.locator('#pair').waitFor();
      expect(await remote.locator('#remote').isVisible()).to.equal(true);
      expect(await remote.locator('#remote').getAttribute('ready')).to.equal(null);
      expect(await remote.locator('[part~="controls"]').getAttribute('aria-disabled')).to.equal('true');
      expect(await remote.locator('#remote [part~="status"]').textContent()).to.equal('Not paired with a player.');
      const look = await remote.locator('[part~="play"]').evaluate((button: HTMLButtonElement) => {
        const style = getComputedStyle(button);
        return { disabled: button.disabled, opacity: Number(style.opacity), cursor: style.cursor };
      });
      expect(look.disabled).to.equal(true);
      expect(look.opacity).to.be.below(0.6);
      expect(look.cursor).to.equal('not-allowed');
    });

    it('pairs a phone remote with a screen by its code and controls the clip', async function () {
      const screen = await open('screen', 'screen.html');
      await screen.locator('sb-room[state="connected"]').waitFor();
      const code = (await screen.locator('#code').textContent()) ?? '';
      expect(code).to.match(/^\d{6}$/);
      const remote = await open('remote', `remote.html?code=${code}`, { width: 390, height: 700 });
      await remote.locator('#status', { hasText: 'Paired' }).waitFor();
      await screen.locator('#paired', { hasText: '1 remote connected' }).waitFor();
      // Both pages hold the `direct` grant: the commands take a direct peer-to-peer channel,
      // and the remote's path chip says so.
      await remote.locator('#path[data-path="direct"]', { hasText: 'Direct' }).waitFor({ timeout: 15000 });
      await screen.locator('#muted-hint:not([hidden])').waitFor();

      const play = remote.locator('[part~="play"]');
      await play.locator('xpath=self::*[not(@disabled)]').waitFor();
      await play.click();
      await screen.locator('#clock[data-paused="false"]').waitFor({ timeout: 5000 });
      await remote.locator('[part~="play"]', { hasText: 'Pause' }).waitFor();
      await remote.locator('[part~="forward"]').click();
      await screen.waitForFunction(() => (document.getElementById('clip') as HTMLVideoElement).currentTime >= 10);
      await remote.locator('[part~="time"]', { hasText: /^0:1\d \/ 1:00$/ }).waitFor();
      // The screen's clock keeps up with the media (it is drawn every frame while playing).
      const drift = await screen.evaluate(() => {
        const media = document.getElementById('clip') as HTMLVideoElement;
        const [m = NaN, s = NaN] = (document.getElementById('clock')?.textContent ?? '').split(':').map(Number);
        return Math.abs(m * 60 + s - Math.floor(media.currentTime));
      });
      expect(drift).to.be.at.most(1);
      await play.click();
      await screen.locator('#clock[data-paused="true"]').waitFor({ timeout: 5000 });

      // The screen goes away: the remote says so and offers to pair again, without dead controls.
      await screen.close();
      await remote.locator('#status', { hasText: 'The screen went away' }).waitFor({ timeout: 5000 });
      await remote.locator('#pair').waitFor();
      expect(await remote.locator('#remote').isHidden()).to.equal(true);
    });

    it('pairs an end-to-end encrypted remote through the link, whose key the server never sees, and controls the clip', async function () {
      const screen = await open('encrypted screen', 'screen.html?e2ee=1');
      await screen.locator('sb-room[state="connected"]').waitFor();
      expect(await screen.locator('#e2ee').isChecked()).to.equal(true);
      const link = (await screen.locator('#remote-link').getAttribute('href')) ?? '';
      // The key is in the fragment, which a browser never sends with a request.
      expect(link).to.match(/remote\.html\?code=\d{6}#key=[\w-]{43}$/);
      const remote = await open('encrypted remote', link.slice(link.indexOf('remote.html')), { width: 390, height: 700 });
      await remote.locator('#status', { hasText: 'Paired with the screen, end-to-end encrypted.' }).waitFor();
      const play = remote.locator('[part~="play"]');
      await play.locator('xpath=self::*[not(@disabled)]').waitFor();
      await play.click();
      await screen.locator('#clock[data-paused="false"]').waitFor({ timeout: 5000 });
      await remote.locator('[part~="play"]', { hasText: 'Pause' }).waitFor();
      await play.click();
      await screen.locator('#clock[data-paused="true"]').waitFor({ timeout: 5000 });
    });
  });

  // Last (mocha runs a level's own tests before its describes).
  describe('all pages', function () {
    it('logged no console errors', function () {
      expect(demo.visitors.length).to.be.above(5);
      expect(demo.errors()).to.deep.equal([]);
    });
  });
});
