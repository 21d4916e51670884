import assert from 'node:assert/strict';
import { ReliableSender } from '../src/data-channel/reliable-sender.js';
import { DisconnectedError, MessageError } from '../src/errors.js';
import { decode, encode, EnvelopeKind } from '../src/protocol/index.js';
import { FakeChannel } from './support/fake-channel.js';

const WATERMARKS = { high: 1000, low: 200 };

function sender(maxMessageSize = 64 * 1024, drainPollMs?: number): ReliableSender {
  return new ReliableSender({ watermarks: WATERMARKS, limit: () => ({ bytes: maxMessageSize, name: 'the limit' }), drainPollMs });
}

function message(text: string) {
  return { kind: EnvelopeKind.message, type: 'chat', data: encode({ text }) };
}

/** Whether `promise` has settled after pending callbacks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('ReliableSender', () => {
  it('numbers messages from 1 and hands them to an open channel at once', async () => {
    const reliable = sender();
    const channel = new FakeChannel();
    reliable.attach(channel);
    const first = reliable.send({ ...message('a'), to: ['p1', 'p2'], topic: 'news' });
    const second = reliable.send(message('b'));
    await Promise.all([first.sent, second.sent]);
    assert.deepEqual([first.seq, second.seq], [1, 2]);
    const [envelope] = channel.envelopes();
    assert.equal(envelope!.seq, 1);
    assert.equal(envelope!.type, 'chat');
    assert.deepEqual(envelope!.to, ['p1', 'p2']);
    assert.equal(envelope!.topic, 'news');
    assert.deepEqual(decode(envelope!.data), { text: 'a' });
    assert.deepEqual(channel.seqs(), [1, 2]);
    assert.equal(reliable.sent, 2);
  });

  it('keeps messages until acknowledged', () => {
    const reliable = sender();
    reliable.attach(new FakeChannel());
    for (const text of ['a', 'b', 'c', 'd']) reliable.send(message(text));
    assert.equal(reliable.unacked, 4);
    reliable.ack(2);
    assert.equal(reliable.unacked, 2);
    reliable.ack(1);
    assert.equal(reliable.unacked, 2);
    reliable.ack(10);
    assert.equal(reliable.unacked, 0);
  });

  it('queues above the high watermark and resumes on bufferedamountlow', async () => {
    const reliable = sender();
    const channel = new FakeChannel();
    channel.buffers = true;
    reliable.attach(channel);
    assert.equal(channel.bufferedAmountLowThreshold, WATERMARKS.low);
    const sends = ['a', 'b', 'c', 'd', 'e'].map((text) => reliable.send(message(text.repeat(370))));
    // 0 and about 400 and 800 are at or below 1000: three go out, then the buffer holds about 1200.
    assert.deepEqual(channel.seqs(), [1, 2, 3]);
    assert.equal(reliable.queued, 2);
    assert.equal(await settled(sends[2]!.sent), true);
    assert.equal(await settled(sends[3]!.sent), false);

    channel.drainTo(100);
    assert.deepEqual(channel.seqs(), [1, 2, 3, 4, 5]);
    assert.equal(reliable.queued, 0);
    assert.equal(await settled(sends[4]!.sent), true);
    assert.equal(channel.listenerCount('bufferedamountlow'), 0);
  });

  it('polls bufferedAmount where the channel never fires bufferedamountlow (wrtc)', async () => {
    const reliable = sender(64 * 1024, 5);
    const channel = new FakeChannel();
    channel.bufferedAmount = 5000;
    reliable.attach(channel);
    const { sent } = reliable.send(message('a'));
    assert.deepEqual(channel.seqs(), []);
    channel.bufferedAmount = 150;
    await sent;
    assert.deepEqual(channel.seqs(), [1]);
  });

  it('queues while there is no channel or it is still connecting', async () => {
    const reliable = sender();
    const early = reliable.send(message('a'));
    assert.equal(reliable.queued, 1);
    const channel = new FakeChannel();
    channel.readyState = 'connecting';
    reliable.attach(channel);
    assert.equal(await settled(early.sent), false);
    channel.open();
    await early.sent;
    assert.deepEqual(channel.seqs(), [1]);
  });

  it('replays unacknowledged messages with their numbers, before new ones, after a resume', async () => {
    const reliable = sender();
    const before = new FakeChannel();
    reliable.attach(before);
    for (const text of ['a', 'b', 'c', 'd', 'e']) reliable.send(message(text));
    reliable.ack(2);
    reliable.detach();

    const during = reliable.send(message('f'));
    assert.equal(reliable.queued, 4);
    assert.equal(await settled(during.sent), false);
    // The resumed join reports lastAcceptedSeq 3: the server got 'c' before the drop.
    reliable.ack(3);
    const after = new FakeChannel();
    reliable.attach(after);
    await during.sent;
    assert.deepEqual(after.seqs(), [4, 5, 6]);
    assert.deepEqual(
      after.envelopes().map((envelope) => decode(envelope.data)),
      [{ text: 'd' }, { text: 'e' }, { text: 'f' }],
    );
    assert.equal(reliable.sent, 6);
  });

  it('rejects a message above the size limit without sending it or using its number', async () => {
    const reliable = sender(100);
    const channel = new FakeChannel();
    reliable.attach(channel);
    assert.throws(
      () => reliable.send(message('x'.repeat(200))),
      (error: unknown) => error instanceof MessageError && error.code === 'MESSAGE_TOO_LARGE',
    );
    assert.equal(reliable.send(message('small')).seq, 1);
    assert.deepEqual(channel.seqs(), [1]);
  });

  it('keeps a message queued when the channel throws on send', async () => {
    const reliable = sender();
    const channel = new FakeChannel();
    reliable.attach(channel);
    channel.failSends = true;
    const { sent } = reliable.send(message('a'));
    assert.equal(reliable.queued, 1);
    assert.equal(reliable.unacked, 0);
    assert.equal(await settled(sent), false);
    const next = new FakeChannel();
    reliable.attach(next);
    await sent;
    assert.deepEqual(next.seqs(), [1]);
  });

  it('fails queued and later sends once the session is over', async () => {
    const reliable = sender();
    const { sent } = reliable.send(message('a'));
    const error = new DisconnectedError('gone');
    reliable.fail(error);
    await assert.rejects(sent, (thrown: unknown) => thrown === error);
    assert.throws(() => reliable.send(message('b')), (thrown: unknown) => thrown === error);
    assert.equal(reliable.queued, 0);
  });
});
