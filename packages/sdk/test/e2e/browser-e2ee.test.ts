import assert from 'node:assert/strict';
import type { DecryptionFailedEvent, ExternalKeyProvider } from '../../src/index.js';
import { BrowserHarness, type BrowserName, type PageWindow, type TestPage } from './browser-harness.js';

// What an encrypting page keeps: its key provider, and what it received (messages, and direct
// channel messages' numbers).
type E2eeWindow = PageWindow & { keys: ExternalKeyProvider; failures: DecryptionFailedEvent[]; texts: string[]; direct: number[] };

const DIRECT_GRANTS = 'publish,subscribe,sendData,receiveData,direct';

/**
 * Joins `room` from `page` with end-to-end encryption, holding the key whose bytes are all
 * `keyByte` under `keyId` (none when `keyByte` is 0).
 */
async function joinEncrypted(page: TestPage, room: string, identity: string, keyByte: number, keyId = 1): Promise<string> {
  return page.evaluate(
    async ({ room, identity, keyByte, keyId, grants }) => {
      const w = window as unknown as E2eeWindow;
      const { token } = (await (await fetch(`/dev/token?${new URLSearchParams({ room, identity, grants })}`)).json()) as { token: string };
      w.keys = new w.sdk.ExternalKeyProvider();
      if (keyByte !== 0) await w.keys.setKey(new Uint8Array(32).fill(keyByte), { keyId });
      w.room = await w.sdk.connect(location.origin.replace(/^http/, 'ws'), token, { e2ee: { keyProvider: w.keys }, direct: { incoming: 'accept' } });
      w.failures = [];
      w.texts = [];
      w.direct = [];
      w.room.on('decryptionFailed', (event) => w.failures.push(event));
      w.room.on('message', (message) => w.texts.push((message.data as { text: string }).text));
      w.room.on('directChannel', (channel) => channel.on('message', (message) => w.direct.push((message.data as { n: number }).n)));
      w.room.on('trackPublished', ({ track }) => {
        if (track.kind !== 'video') return;
        const video = document.createElement('video');
        video.autoplay = true;
        video.muted = true;
        document.body.append(video);
        track.attach(video);
      });
      return w.room.peerId;
    },
    { room, identity, keyByte, keyId, grants: DIRECT_GRANTS },
  );
}

/** Video frames the page has decoded, over all its subscriptions. */
function framesDecoded(page: TestPage): Promise<number> {
  return page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    let frames = 0;
    for (const track of w.room.tracks.values()) {
      if (track.kind !== 'video') continue;
      (await track.getStats()).forEach((entry: { type: string; framesDecoded?: number }) => {
        if (entry.type === 'inbound-rtp') frames += entry.framesDecoded ?? 0;
      });
    }
    return frames;
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Each page's browser: where one browser encrypts and another decrypts, the formats must agree.
type Trio = [BrowserName, BrowserName, BrowserName];
const label = (browsers: Trio) => browsers.join(', ');

describe('browser end to end: end-to-end encryption in Chromium and Firefox', function () {
  this.timeout(180000);
  let harness: BrowserHarness;

  // The pages of the running test, which leave their rooms after it: a publisher left sending
  // would load the machine (and the browser) for the tests after it.
  let pages: TestPage[] = [];
  const open = async (browsers: Trio) => {
    const opened = await Promise.all(browsers.map((browser) => harness.page(browser)));
    pages = opened.map(({ page }) => page);
    return opened;
  };

  before(async () => (harness = await BrowserHarness.start()));
  afterEach(async () => {
    await Promise.all(pages.map((page) => page.evaluate(() => (window as unknown as PageWindow).room?.leave()).catch(() => undefined)));
    pages = [];
  });
  after(() => harness?.close());

  // Sender, receiver, and a page with the wrong key.
  const DATA: Trio[] = [
    ['chromium', 'chromium', 'chromium'],
    ['firefox', 'chromium', 'firefox'],
  ];
  for (const browsers of DATA) {
    it(`delivers encrypted messages and direct messages between pages, and a typed failure to a page with the wrong key (${label(browsers)})`, async () => {
      const [alice, bob, eve] = await open(browsers);
      const room = `data-${browsers.join('-')}`;
      await joinEncrypted(alice!.page, room, 'alice', 7);
      const bobId = await joinEncrypted(bob!.page, room, 'bob', 7);
      await joinEncrypted(eve!.page, room, 'eve', 8);
      await alice!.page.waitForFunction(() => (window as unknown as PageWindow).room.peers.size === 2);
      await alice!.page.evaluate(async () => {
        const w = window as unknown as PageWindow;
        for (let n = 0; n < 20; n++) void w.room.send('chat', { text: `secret ${n}` });
        await w.room.send('chat', { text: 'last' });
      });
      await bob!.page.waitForFunction(() => (window as unknown as E2eeWindow).texts.length === 21);
      const texts = await bob!.page.evaluate(() => (window as unknown as E2eeWindow).texts);
      assert.deepEqual(texts, [...Array.from({ length: 20 }, (_, n) => `secret ${n}`), 'last']);
      await eve!.page.waitForFunction(() => (window as unknown as E2eeWindow).failures.length === 21);
      const atEve = await eve!.page.evaluate(() => {
        const w = window as unknown as E2eeWindow;
        return { texts: w.texts.length, first: { reason: w.failures[0]!.reason, code: w.failures[0]!.error.code, identity: w.failures[0]!.identity } };
      });
      assert.deepEqual(atEve, { texts: 0, first: { reason: 'badCiphertext', code: 'E2EE_DECRYPTION_FAILED', identity: 'alice' } });

      // The other way (the receiver's browser encrypts), and over a direct channel.
      await bob!.page.evaluate(() => (window as unknown as PageWindow).room.send('chat', { text: 'reply' }));
      await alice!.page.waitForFunction(() => (window as unknown as E2eeWindow).texts.includes('reply'));
      await alice!.page.evaluate(async (peerId) => {
        const channel = await (window as unknown as PageWindow).room.openDirect(peerId);
        for (let n = 0; n < 20; n++) void channel.send('n', { n });
        await channel.send('n', { n: 20 });
      }, bobId);
      await bob!.page.waitForFunction(() => (window as unknown as E2eeWindow).direct.length === 21);
      assert.deepEqual(await bob!.page.evaluate(() => (window as unknown as E2eeWindow).direct), Array.from({ length: 21 }, (_, n) => n));
      assert.deepEqual([...alice!.errors, ...bob!.errors, ...eve!.errors], []);
    });
  }

  // Publisher, viewer with the key, viewer without it; VP8 (the default) with simulcast, VP9 without.
  const MEDIA: { browsers: Trio; codec?: 'vp9' }[] = [
    { browsers: ['chromium', 'chromium', 'chromium'] },
    { browsers: ['firefox', 'firefox', 'firefox'] },
    { browsers: ['firefox', 'chromium', 'firefox'] },
    { browsers: ['chromium', 'firefox', 'chromium'] },
    { browsers: ['chromium', 'firefox', 'chromium'], codec: 'vp9' },
    { browsers: ['firefox', 'chromium', 'firefox'], codec: 'vp9' },
  ];
  for (const { browsers, codec } of MEDIA) {
    it(`shows encrypted ${codec ?? 'vp8'} video to a viewer with the key, none to one without, and keeps playing across a key rotation (${label(browsers)})`, async () => {
      const [host, viewer, blind] = await open(browsers);
      const room = `media-${codec ?? 'vp8'}-${browsers.join('-')}`;
      await joinEncrypted(host!.page, room, 'host', 1);
      await joinEncrypted(viewer!.page, room, 'viewer', 1);
      await joinEncrypted(blind!.page, room, 'blind', 2, 5);
      await host!.page.evaluate(async (codec) => {
        const w = window as unknown as PageWindow;
        await w.room.publish(await w.sdk.openCamera({ width: 640, height: 480 }), codec === null ? { simulcast: true } : { codec, simulcast: false });
        await w.room.publish(await w.sdk.openMicrophone());
      }, codec ?? null);
      await viewer!.page.waitForFunction(() => (document.querySelector('video')?.videoWidth ?? 0) > 0, undefined, { timeout: 30000 });
      const before = await framesDecoded(viewer!.page);
      await sleep(2000);
      assert.ok((await framesDecoded(viewer!.page)) > before, 'the viewer with the key decodes frames');

      // The viewer without the right key has the tracks, receives their packets, decodes nothing.
      await blind!.page.waitForFunction(() => (window as unknown as E2eeWindow).failures.some((f) => f.source === 'media'), undefined, { timeout: 20000 });
      assert.equal(await framesDecoded(blind!.page), 0);
      assert.equal(await blind!.page.evaluate(() => document.querySelector('video')?.videoWidth ?? 0), 0);
      const failure = await blind!.page.evaluate(() => {
        const f = (window as unknown as E2eeWindow).failures.find((event) => event.source === 'media')!;
        return { identity: f.identity, reason: f.reason, keyId: f.keyId };
      });
      assert.deepEqual(failure, { identity: 'host', reason: 'noKey', keyId: 1 });

      // Rotation mid-stream: receivers learn key 2 first, then the host switches to it.
      for (const page of [viewer!.page, blind!.page]) {
        await page.evaluate(() => (window as unknown as E2eeWindow).keys.setKey(new Uint8Array(32).fill(3), { keyId: 2, activate: false }));
      }
      await host!.page.evaluate(() => (window as unknown as E2eeWindow).keys.setKey(new Uint8Array(32).fill(3), { keyId: 2 }));
      const rotated = await framesDecoded(viewer!.page);
      // Frames under key 2 are decoded (a loaded machine may take a while to send them).
      for (let waited = 0; (await framesDecoded(viewer!.page)) <= rotated + 10; waited += 500) {
        assert.ok(waited < 20000, 'the viewer keeps decoding under the new key');
        await sleep(500);
      }

      assert.deepEqual([...host!.errors, ...viewer!.errors], []);
      // H264's clear header (its NAL unit headers) is not handled: refused rather than sent
      // half-readable. (Firefox ESR here has no H264 at all: its OpenH264 plug-in is not installed.)
      if (browsers[0] === 'firefox') return;
      const refused = await host!.page.evaluate(async () => {
        const w = window as unknown as PageWindow;
        return w.room.publish(await w.sdk.openCamera(), { name: 'second', codec: 'h264' }).then(
          () => null,
          (error: { name: string; code: string }) => ({ name: error.name, code: error.code }),
        );
      });
      assert.deepEqual(refused, { name: 'E2EEError', code: 'UNSUPPORTED' });
      assert.deepEqual([...host!.errors, ...viewer!.errors], []);
    });
  }
});
