import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { DemoHarness, slowDataChannels } from './harness.js';

/**
 * `<sb-comment-box>` on the watch page, typed into as a person does: every comment arrives
 * exactly once and no keystroke is lost, also when the server's receipts come back late.
 */
describe('demo app (e2e): typing comments', function () {
  this.timeout(240000);
  const demo = new DemoHarness();

  before(() => demo.start());
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await demo.describe();
  });
  after(() => demo.stop());

  // The comment texts another viewer of `room` receives, in order.
  async function receiver(room: string): Promise<() => Promise<string[]>> {
    const page = await demo.open(`receiver of ${room}`, `watch.html?room=${room}`);
    await page.locator('#heart:enabled').waitFor();
    await page.evaluate(() => {
      const texts: string[] = [];
      (window as unknown as { received: string[] }).received = texts;
      const sbRoom = document.getElementById('room') as HTMLElement & { room: { on(type: string, listener: (m: { data: { text: string } }) => void): void } };
      sbRoom.room.on('message:comment', (message) => texts.push(message.data.text));
    });
    return () => page.evaluate(() => [...(window as unknown as { received: string[] }).received]);
  }

  async function typeTwenty(page: Page): Promise<string[]> {
    const input = page.locator('sb-comment-box input');
    const typed = Array.from({ length: 20 }, (_, i) => `quick comment ${i + 1}`);
    for (const text of typed) {
      // As fast as a quick person types (25 ms a key), then Enter at once.
      await input.pressSequentially(text, { delay: 25 });
      await input.press('Enter');
    }
    await input.pressSequentially('and still typing', { delay: 25 });
    return typed;
  }

  for (const slow of [false, true]) {
    it(`delivers 20 comments typed quickly each exactly once and keeps every keystroke${slow ? ', with receipts 400 ms late' : ''}`, async function () {
      const room = `typing-${slow ? 'slow' : 'fast'}`;
      const received = await receiver(room);
      const page = await demo.open(`typist (${room})`, `watch.html?room=${room}`, slow ? { beforeLoad: slowDataChannels } : {});
      await page.locator('sb-comment-box input:enabled').waitFor();
      const typed = await typeTwenty(page);
      const deadline = Date.now() + 10000;
      while ((await received()).length < typed.length && Date.now() < deadline) await page.waitForTimeout(100);
      // Late receipts have all come back by now: none may touch the field.
      await page.waitForTimeout(slow ? 1000 : 300);
      expect(await received()).to.deep.equal(typed);
      expect(await page.locator('sb-comment-box input').inputValue()).to.equal('and still typing');
      // Nothing was refused, and the typist saw each of its comments once (the local echo).
      expect(await page.locator('sb-comment-box').evaluate((box: HTMLElement & { refused: unknown[] }) => box.refused.length)).to.equal(0);
      const echoed = await page.locator('#danmaku').evaluate((danmaku) => danmaku.shadowRoot!.querySelector('[part="log"]')!.textContent ?? '');
      expect(echoed).to.contain(typed.at(-1));
    });
  }

  it('shows a refused comment as not sent, with the reason, and sends it on Retry', async function () {
    const room = 'typing-refused';
    const received = await receiver(room);
    const page = await demo.open('refused typist', `watch.html?room=${room}`);
    await page.locator('sb-comment-box input:enabled').waitFor();
    const peerId = await page.evaluate(() => (document.getElementById('room') as HTMLElement & { room: { peerId: string } }).room.peerId);
    const moderate = (change: object) =>
      fetch(`${demo.url}/api/rooms/${room}/peers/${encodeURIComponent(peerId)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer switchboard-dev-api-secret' },
        body: JSON.stringify(change),
      });
    expect((await moderate({ revoke: ['sendData'] })).status).to.equal(200);
    const input = page.locator('sb-comment-box input');
    await page.waitForTimeout(300);
    await input.pressSequentially('can you hear me', { delay: 30 });
    await input.press('Enter');
    await page.locator('sb-comment-box [part="error"]', { hasText: 'You cannot send comments in this room.' }).waitFor();
    await page.locator('sb-comment-box [part="refused-comment"]', { hasText: 'can you hear me' }).waitFor();
    expect(await input.inputValue()).to.equal('');
    expect((await moderate({ grant: ['sendData'] })).status).to.equal(200);
    await page.waitForTimeout(300);
    await page.locator('sb-comment-box [part="retry"]').click();
    await page.locator('sb-comment-box [part="refused-comment"]').waitFor({ state: 'detached' });
    expect(await page.locator('sb-comment-box [part="error"]').textContent()).to.equal('');
    const deadline = Date.now() + 5000;
    while ((await received()).length < 1 && Date.now() < deadline) await page.waitForTimeout(100);
    expect(await received()).to.deep.equal(['can you hear me']);
  });

  it('logged no console errors', function () {
    expect(demo.errors()).to.deep.equal([]);
  });
});
