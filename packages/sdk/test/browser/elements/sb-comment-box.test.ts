import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { SbCommentBox } from '../../../src/elements/index.js';
import type { ReceivedMessage } from '../../../src/index.js';
import { Cleanup, server, sleep, slowDataChannels, until, uniqueRoom, type TestServer } from './helpers.js';

describe('<sb-comment-box>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
  });
  let restore: (() => void) | undefined;
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await cleanup.run();
  });

  const parts = (box: SbCommentBox) => ({
    input: box.shadowRoot!.querySelector<HTMLInputElement>('[part="input"]')!,
    button: box.shadowRoot!.querySelector<HTMLButtonElement>('[part="button"]')!,
    error: box.shadowRoot!.querySelector<HTMLElement>('[part="error"]')!,
    refused: [...box.shadowRoot!.querySelectorAll<HTMLElement>('[part="refused-comment"]')],
  });

  // Types `text` into the field and presses Enter, as a person would (the form submits).
  const typeAndSend = (input: HTMLInputElement, text: string): void => {
    input.value += text;
    input.form!.requestSubmit();
  };

  async function commentRoom(label: string): Promise<{ box: SbCommentBox; texts: string[]; element: Awaited<ReturnType<Cleanup['mountRoom']>> }> {
    const name = uniqueRoom(label);
    const bob = await cleanup.join(testServer.wsUrl, name, 'bob');
    const texts: string[] = [];
    bob.on('message:comment', (message) => texts.push((message.data as { text: string }).text));
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-comment-box></sb-comment-box>');
    const box = element.querySelector('sb-comment-box')!;
    await box.updateComplete;
    return { box, texts, element };
  }

  it('is disabled outside a connected room', async () => {
    const box = cleanup.track(document.createElement('sb-comment-box'));
    document.body.append(box);
    await box.updateComplete;
    assert.isTrue(parts(box).input.disabled);
    assert.isTrue(parts(box).button.disabled);
    assert.isFalse(await box.send('hello'));
  });

  it('sends a typed comment on Enter that another client receives', async () => {
    const name = uniqueRoom('comment');
    const bob = await cleanup.join(testServer.wsUrl, name, 'bob');
    const received: ReceivedMessage[] = [];
    bob.on('message', (message) => received.push(message));
    const element = await cleanup.mountRoom(
      testServer.wsUrl,
      name,
      'alice',
      '<sb-comment-box type="chat-comment" color="#ff0000" position="top"></sb-comment-box>',
    );
    const box = element.querySelector('sb-comment-box')!;
    await box.updateComplete;
    const { input, button } = parts(box);
    assert.isFalse(input.disabled);
    assert.isFalse(button.disabled);
    assert.equal(input.getAttribute('aria-label'), 'Comment');
    const sent = new Promise<unknown>((resolve) => box.addEventListener('sb-comment-sent', (e) => resolve(e.detail)));
    input.value = '  hello there ';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    // Enter in a single-field form submits it; synthetic key events do not, so submit like the browser would.
    input.form!.requestSubmit();
    assert.deepEqual(await sent, { text: 'hello there', color: '#ff0000', position: 'top' });
    await until(() => received.length > 0, 'bob to receive the comment');
    assert.equal(received[0]!.type, 'chat-comment');
    assert.deepEqual(received[0]!.data, { text: 'hello there', color: '#ff0000', position: 'top' });
    assert.equal(received[0]!.from, element.room!.peerId);
    assert.equal(input.value, '');
  });

  it('does not send an empty comment', async () => {
    const name = uniqueRoom('empty');
    const bob = await cleanup.join(testServer.wsUrl, name, 'bob');
    let got = 0;
    bob.on('message', () => got++);
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-comment-box></sb-comment-box>');
    const box = element.querySelector('sb-comment-box')!;
    assert.isFalse(await box.send('   '));
    assert.isTrue(await box.send('x'));
    await until(() => got === 1, 'the one comment');
  });

  it('empties the field when it sends, and keeps what is typed while the receipt is on its way', async () => {
    const { box, texts } = await commentRoom('keystrokes');
    restore = slowDataChannels(400);
    const { input } = parts(box);
    const sent: string[] = [];
    box.addEventListener('sb-comment-sent', (event) => sent.push(event.detail.text));
    typeAndSend(input, 'first');
    assert.equal(input.value, '', 'emptied at the moment of sending');
    input.value = 'sec';
    await until(() => sent.length === 1, 'the receipt of the first comment');
    input.value += 'ond';
    assert.equal(input.value, 'second', 'the receipt leaves what was typed since alone');
    await until(() => texts.length === 1, 'bob to receive the first comment');
    assert.deepEqual(texts, ['first']);
  });

  for (const slow of [0, 300]) {
    it(`sends 20 quick comments each exactly once, in order${slow ? `, with receipts ${slow} ms late` : ''}`, async () => {
      const { box, texts } = await commentRoom(`burst-${slow}`);
      if (slow) restore = slowDataChannels(slow);
      const { input } = parts(box);
      const expected = Array.from({ length: 20 }, (_, i) => `comment number ${i + 1}`);
      for (const text of expected) {
        typeAndSend(input, text);
        await sleep(15);
      }
      input.value = 'still typing';
      await until(() => texts.length >= 20, 'bob to receive 20 comments');
      await sleep(slow + 200);
      assert.deepEqual(texts, expected);
      assert.equal(input.value, 'still typing');
      assert.deepEqual(box.refused, []);
    });
  }

  it('lists a refused comment with its reason, and sends it on Retry once allowed', async () => {
    const { box, texts, element } = await commentRoom('refused');
    const mod = await cleanup.join(testServer.wsUrl, element.room!.roomName, 'mod', 'subscribe,receiveData,admin');
    const alice = element.room!;
    await mod.setGrants(alice.peerId, { revoke: ['sendData'] });
    await until(() => !alice.grants.sendData, 'alice to lose sendData');
    const { input } = parts(box);
    typeAndSend(input, 'not now');
    assert.equal(input.value, '');
    await until(() => box.refused.length === 1, 'the comment to be refused');
    await box.updateComplete;
    const { error, refused } = parts(box);
    assert.equal(error.getAttribute('role'), 'alert');
    assert.equal(error.textContent, 'You cannot send comments in this room.');
    assert.equal(refused.length, 1);
    assert.include(refused[0]!.textContent!, 'not now');
    await mod.setGrants(alice.peerId, { grant: ['sendData'] });
    await until(() => alice.grants.sendData, 'alice to get sendData back');
    refused[0]!.querySelector<HTMLButtonElement>('[part="retry"]')!.click();
    await until(() => texts.length === 1, 'bob to receive the retried comment');
    assert.deepEqual(texts, ['not now']);
    await until(() => box.refused.length === 0 && box.error === '', 'the list and the alert to clear');
  });

  it('explains a rate limit kindly in an alert, and accounts for every comment', async () => {
    const { box, element } = await commentRoom('rate');
    const room = element.room!;
    // Go over the server's burst (limits.messageBurst) at once.
    const burst = room.limits.messageBurst + room.limits.messagesPerSecond + 50;
    const results = await Promise.all(Array.from({ length: burst }, (_, i) => box.send(`spam ${i}`)));
    const accepted = results.filter(Boolean).length;
    assert.isAbove(box.refused.length, 0);
    assert.equal(accepted + box.refused.length, burst, 'every comment is either accepted or listed as refused');
    await box.updateComplete;
    const { error } = parts(box);
    assert.equal(error.getAttribute('role'), 'alert');
    assert.match(error.textContent!, /faster than the room allows/);
    const refused = box.refused.length;
    const dropped = box.refused[0];
    box.discard(0);
    assert.equal(box.refused.length, refused - 1);
    assert.notInclude(box.refused, dropped);
  });
});
