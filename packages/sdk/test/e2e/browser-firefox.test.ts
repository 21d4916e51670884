import assert from 'node:assert/strict';
import { BrowserHarness, joinFromPage, type PageWindow } from './browser-harness.js';

// What a page received, as "from:type:data".
type Inbox = PageWindow & { inbox: string[] };

describe('browser end to end: Firefox ESR beside Chromium', function () {
  this.timeout(90000);
  let harness: BrowserHarness;

  before(async () => (harness = await BrowserHarness.start()));
  after(() => harness?.close());

  it('a Firefox and a Chromium page exchange messages in one room, broadcast and targeted', async () => {
    const fox = await harness.page('firefox');
    const chrome = await harness.page('chromium');
    const foxId = await joinFromPage(fox.page, 'mixed', 'fox');
    const chromeId = await joinFromPage(chrome.page, 'mixed', 'chrome');
    for (const { page } of [fox, chrome]) {
      await page.evaluate(() => {
        const w = window as unknown as Inbox;
        w.inbox = [];
        w.room.on('message', (message) => w.inbox.push(`${message.from}:${message.type}:${JSON.stringify(message.data)}`));
      });
    }
    await fox.page.evaluate(async (to) => {
      const w = window as unknown as Inbox;
      await w.room.send('chat', { text: 'hello from Firefox' });
      await w.room.send('dm', 'just for you', { to: [to] });
    }, chromeId);
    await chrome.page.evaluate(async (to) => {
      const w = window as unknown as Inbox;
      await w.room.send('chat', { text: 'hello from Chromium' });
      await w.room.send('cursor', { x: 1, y: 2 }, { to });
    }, foxId);
    await chrome.page.waitForFunction(() => (window as unknown as Inbox).inbox.length >= 2);
    await fox.page.waitForFunction(() => (window as unknown as Inbox).inbox.length >= 2, undefined, { timeout: 10000 });
    const inbox = (page: typeof fox.page) => page.evaluate(() => (window as unknown as Inbox).inbox);
    assert.deepEqual(await inbox(chrome.page), [`${foxId}:chat:{"text":"hello from Firefox"}`, `${foxId}:dm:"just for you"`]);
    assert.deepEqual(await inbox(fox.page), [`${chromeId}:chat:{"text":"hello from Chromium"}`, `${chromeId}:cursor:{"x":1,"y":2}`]);
    assert.deepEqual([...fox.errors, ...chrome.errors], []);
  });

  it('fails against a server on loopback only with IceLoopbackError naming the cause', async () => {
    // A server left at --rtc-ip 127.0.0.1 with no second address, as production defaults are.
    const loopbackOnly = await BrowserHarness.start(['--rtc-lan-ip', 'none']);
    try {
      const { page } = await loopbackOnly.page('firefox');
      const started = Date.now();
      const failure = await page.evaluate(async () => {
        const w = window as unknown as PageWindow;
        const { token } = (await (await fetch('/dev/token?room=loopback&identity=fox')).json()) as { token: string };
        try {
          await w.sdk.connect(location.origin.replace(/^http/, 'ws'), token, { reconnect: { enabled: false } });
          return undefined;
        } catch (error) {
          const e = error as Error & { code?: string; addresses?: string[] };
          return { name: e.name, code: e.code, message: e.message, addresses: e.addresses, isIceLoopback: e instanceof w.sdk.IceLoopbackError };
        }
      });
      assert.ok(failure, 'connect must fail');
      assert.deepEqual(
        { name: failure.name, code: failure.code, addresses: failure.addresses, isIceLoopback: failure.isIceLoopback },
        { name: 'IceLoopbackError', code: 'ICE_LOOPBACK_ONLY', addresses: ['127.0.0.1'], isIceLoopback: true },
      );
      assert.match(failure.message, /only loopback addresses \(127\.0\.0\.1\).*Firefox.*--rtc-lan-ip/);
      assert.ok(Date.now() - started < 60000, `failed within ${Date.now() - started} ms`);
    } finally {
      await loopbackOnly.close();
    }
  });
});
