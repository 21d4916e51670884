import assert from 'node:assert/strict';
import { BrowserHarness, joinFromPage, type BrowserName, type PageWindow } from './browser-harness.js';


describe('browser end to end: camera and microphone through the server', function () {
  this.timeout(90000);
  let harness: BrowserHarness;

  before(async () => (harness = await BrowserHarness.start()));
  after(() => harness?.close());

  // Each browser publishes to the other: Firefox sends simulcast its own way (rid order, its encoder).
  const PAIRS: [BrowserName, BrowserName][] = [
    ['chromium', 'chromium'],
    ['firefox', 'chromium'],
    ['chromium', 'firefox'],
  ];
  for (const [hostBrowser, viewerBrowser] of PAIRS) {
    it(`plays a published camera and microphone in another browser, and switches to the lowest simulcast layer (${hostBrowser} to ${viewerBrowser})`, async () => {
      const host = await harness.page(hostBrowser);
      const viewer = await harness.page(viewerBrowser);
      const room = `live-${hostBrowser}-${viewerBrowser}`;
      await joinFromPage(host.page, room, 'host');
      await joinFromPage(viewer.page, room, 'viewer', 'subscribe,receiveData');
      await viewer.page.evaluate(() => {
        const w = window as unknown as PageWindow & { lastStats?: unknown };
        w.room.on('trackPublished', ({ track }) => {
          const element = document.createElement(track.kind === 'video' ? 'video' : 'audio');
          element.autoplay = true;
          (element as HTMLVideoElement).muted = true;
          document.body.append(element);
          track.attach(element);
        });
      });
      await host.page.evaluate(async () => {
        const w = window as unknown as PageWindow;
        await w.room.publish(await w.sdk.openCamera({ width: 640, height: 480 }), { simulcast: true });
        await w.room.publish(await w.sdk.openMicrophone());
      });

      await viewer.page.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) > 0, undefined, { timeout: 20000 });
      // Inbound RTP counters of the viewer's subscriptions, from the browser's own stats.
      const sample = () =>
        viewer.page.evaluate(async () => {
          const w = window as unknown as PageWindow;
          let framesDecoded = 0;
          let audioPacketsReceived = 0;
          for (const track of w.room.tracks.values()) {
            const report = await track.getStats();
            report.forEach((entry: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
              if (entry.type !== 'inbound-rtp') return;
              if (entry.kind === 'video') framesDecoded += entry.framesDecoded ?? 0;
              else audioPacketsReceived += entry.packetsReceived ?? 0;
            });
          }
          return { framesDecoded, audioPacketsReceived };
        });
      const first = await sample();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const second = await sample();
      assert.ok(second.framesDecoded > first.framesDecoded, `framesDecoded grew: ${first.framesDecoded} -> ${second.framesDecoded}`);
      assert.ok(second.audioPacketsReceived > first.audioPacketsReceived, 'inbound audio packets grew');

      // Wait for the top layer (the bandwidth estimate ramps up on loopback), then ask for the lowest.
      await viewer.page.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) >= 640, undefined, { timeout: 30000 });
      await viewer.page.evaluate(async () => {
        const w = window as unknown as PageWindow;
        const video = [...w.room.tracks.values()].find((t) => t.kind === 'video');
        await video?.setPreferredLayers(0);
      });
      await viewer.page.waitForFunction(() => {
        const width = document.querySelector('video')?.videoWidth ?? 0;
        return width > 0 && width <= 160;
      }, undefined, { timeout: 20000 });
      assert.deepEqual([...host.errors, ...viewer.errors], []);
    });
  }

  it('refuses to publish without the publish grant, with a typed error', async () => {
    const guest = await harness.page();
    await joinFromPage(guest.page, 'live', 'guest', 'subscribe,receiveData,sendData');
    const error = await guest.page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      try {
        await w.room.publish(await w.sdk.openCamera());
        return null;
      } catch (e) {
        return { name: (e as Error).name, code: (e as { code?: string }).code };
      }
    });
    assert.equal(error?.code, 'PERMISSION_DENIED');
  });
});
