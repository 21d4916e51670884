import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { SbCommentBox } from '../../../src/elements/index.js';
import type { ReceivedMessage } from '../../../src/index.js';
import { Cleanup, server, until, uniqueRoom, type TestServer } from './helpers.js';

describe('<sb-comment-box>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
  });
  afterEach(() => cleanup.run());

  const parts = (box: SbCommentBox) => ({
    input: box.shadowRoot!.querySelector<HTMLInputElement>('[part="input"]')!,
    button: box.shadowRoot!.querySelector<HTMLButtonElement>('[part="button"]')!,
    error: box.shadowRoot!.querySelector<HTMLElement>('[part="error"]')!,
  });

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

  it('explains a rate limit kindly in an alert', async () => {
    const name = uniqueRoom('rate');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-comment-box></sb-comment-box>');
    const box = element.querySelector('sb-comment-box')!;
    const room = element.room!;
    // Go over the server's burst (limits.messageBurst) at once.
    const burst = room.limits.messageBurst + room.limits.messagesPerSecond + 50;
    // Receipts: the refused ones reject; the box learns of them through the messageRejected event.
    await Promise.allSettled(Array.from({ length: burst }, (_, i) => room.send('comment', { text: `spam ${i}` })));
    await until(() => box.error !== '', 'the rate-limit message');
    await box.updateComplete;
    const { error } = parts(box);
    assert.equal(error.getAttribute('role'), 'alert');
    assert.match(error.textContent!, /faster than the room allows/);
  });
});
