import assert from 'node:assert/strict';
import type * as Sdk from '../../src/index.js';
import { BrowserHarness, type BrowserName, type TestPage as Page } from './browser-harness.js';

// What a page knows: the SDK, its room, the direct channel it has, and what arrived on it.
type PageWindow = Window & {
  sdk: typeof Sdk;
  room: Sdk.Room;
  channel?: Sdk.DirectChannel;
  got: number[];
  paths: string[];
};

const GRANTS = 'publish,subscribe,sendData,receiveData,direct';

// Page helpers as plain script text: functions written inside page.evaluate get tsx's __name
// wrappers, which the page does not define.
const HELPERS = `
window.got = [];
window.paths = [];
window.noCandidates = () => false;
window.adopt = (channel) => {
  window.channel = channel;
  channel.on('message', (m) => window.got.push(m.data.i));
  channel.on('path', (change) => window.paths.push(change.path));
};`;

type Helpers = { adopt: (channel: Sdk.DirectChannel) => void; noCandidates: () => boolean };

async function join(page: Page, room: string, identity: string, walled: boolean): Promise<string> {
  await page.addScriptTag({ content: HELPERS });
  return page.evaluate(
    async ({ room, identity, grants, walled }) => {
      const w = window as unknown as PageWindow & Helpers;
      const { token } = (await (await fetch(`/dev/token?${new URLSearchParams({ room, identity, grants })}`)).json()) as { token: string };
      // A walled page tells the other no ICE candidate, so no direct path can form.
      const direct = { incoming: 'accept' as const, fallbackMs: 800, ...(walled ? { candidateFilter: w.noCandidates } : {}) };
      w.room = await w.sdk.connect(location.origin.replace(/^http/, 'ws'), token, { direct });
      w.room.on('directChannel', w.adopt);
      return w.room.peerId;
    },
    { room, identity, grants: GRANTS, walled },
  );
}

async function open(page: Page, peerId: string, walled: boolean): Promise<string> {
  return page.evaluate(
    async ({ peerId, walled }) => {
      const w = window as unknown as PageWindow & Helpers;
      const channel = await w.room.openDirect(peerId, walled ? { candidateFilter: w.noCandidates } : {});
      w.adopt(channel);
      return channel.path;
    },
    { peerId, walled },
  );
}

async function sendRange(page: Page, from: number, to: number): Promise<void> {
  await page.evaluate(
    async ({ from, to }) => {
      const w = window as unknown as PageWindow;
      for (let i = from; i <= to; i += 1) {
        await w.channel!.send('n', { i });
        if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    { from, to },
  );
}

const got = (page: Page): Promise<number[]> => page.evaluate(() => (window as unknown as PageWindow).got);
const path = (page: Page): Promise<string | undefined> => page.evaluate(() => (window as unknown as PageWindow).channel?.path);

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

describe('browser end to end: direct channels between two browsers', function () {
  this.timeout(90000);
  let harness: BrowserHarness;

  before(async () => (harness = await BrowserHarness.start()));
  after(() => harness?.close());

  // Chromium with Chromium, and Firefox with Chromium: each end of the channel is a different WebRTC stack.
  const PAIRS: [BrowserName, BrowserName][] = [
    ['chromium', 'chromium'],
    ['firefox', 'chromium'],
  ];
  for (const [first, second] of PAIRS) {
    it(`opens peer to peer, carries messages both ways in order, survives a dropped path and comes back (${first} and ${second})`, async () => {
      const a = await harness.page(first);
      const b = await harness.page(second);
      const room = `direct-${first}-${second}`;
      await join(a.page, room, 'alice', false);
      const bId = await join(b.page, room, 'bob', false);
      await a.page.waitForFunction(() => (window as unknown as PageWindow).room.peers.size === 1);
      assert.equal(await open(a.page, bId, false), 'direct');
      await b.page.waitForFunction(() => (window as unknown as PageWindow).channel?.path === 'direct');
      await Promise.all([sendRange(a.page, 1, 100), sendRange(b.page, 1, 50)]);
      await b.page.waitForFunction(() => (window as unknown as PageWindow).got.length === 100);
      await a.page.waitForFunction(() => (window as unknown as PageWindow).got.length === 50);
      assert.deepEqual(await got(b.page), range(1, 100));
      assert.deepEqual(await got(a.page), range(1, 50));

      const sending = sendRange(a.page, 101, 400);
      await b.page.waitForFunction(() => (window as unknown as PageWindow).got.length > 150);
      await b.page.evaluate(() => (window as unknown as PageWindow).channel?.peerConnection?.close());
      await sending;
      await b.page.waitForFunction(() => (window as unknown as PageWindow).got.length >= 400, undefined, { timeout: 20000 });
      assert.deepEqual(await got(b.page), range(1, 400), 'exactly once, in order');
      assert.ok((await b.page.evaluate(() => (window as unknown as PageWindow).paths)).includes('relay'));
      await a.page.waitForFunction(() => (window as unknown as PageWindow).channel?.path === 'direct', undefined, { timeout: 20000 });
      await b.page.waitForFunction(() => (window as unknown as PageWindow).channel?.path === 'direct', undefined, { timeout: 20000 });
      assert.deepEqual([...a.errors, ...b.errors], []);
    });
  }

  it('falls back to the relay when ICE cannot connect, losing nothing', async () => {
    const a = await harness.page();
    const b = await harness.page();
    await join(a.page, 'walled', 'carol', true);
    const bId = await join(b.page, 'walled', 'dave', true);
    await a.page.waitForFunction(() => (window as unknown as PageWindow).room.peers.size >= 1);
    assert.equal(await open(a.page, bId, true), 'relay');
    await sendRange(a.page, 1, 200);
    await b.page.waitForFunction(() => (window as unknown as PageWindow).got.length >= 200, undefined, { timeout: 20000 });
    assert.deepEqual(await got(b.page), range(1, 200));
    assert.equal(await path(b.page), 'relay');
    assert.deepEqual([...a.errors, ...b.errors], []);
  });
});
