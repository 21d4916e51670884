import assert from 'node:assert/strict';
import { CoalescingChannel } from '../src/data-channel/coalescing-channel.js';
import { DataPlane } from '../src/data-channel/data-plane.js';
import { decodeOutgoing, encode, encodeOutgoing, EnvelopeKind, isBatch, LOSSY_BATCH_MAX_BYTES, unpackBatch } from '../src/protocol/index.js';
import { FakeChannel } from './support/fake-channel.js';

const WATERMARKS = { high: 1024 * 1024, low: 256 * 1024 };

function envelope(seq: number, size = 10): Uint8Array {
  return encodeOutgoing({ kind: EnvelopeKind.message, seq, type: 'chat', data: encode('x'.repeat(size)) });
}

/** The sequence numbers of each DataChannel message the fake channel got: one list per message. */
function messages(channel: FakeChannel): number[][] {
  return channel.sent.map((bytes) => (isBatch(bytes) ? unpackBatch(bytes) : [bytes]).map((element) => decodeOutgoing(element).seq));
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingChannel', () => {
  it('sends a message alone as it is, at the end of the tick', async () => {
    const inner = new FakeChannel();
    const channel = new CoalescingChannel(inner, () => 1024);
    const bytes = envelope(1);
    channel.send(bytes);
    assert.equal(inner.sent.length, 0);
    await tick();
    assert.deepEqual(inner.sent, [bytes]);
    assert.equal(isBatch(inner.sent[0]!), false);
  });

  it('sends the messages of one tick as one batch, in order, and those of the next tick apart', async () => {
    const inner = new FakeChannel();
    const channel = new CoalescingChannel(inner, () => 1024);
    for (let seq = 1; seq <= 5; seq++) channel.send(envelope(seq));
    await tick();
    channel.send(envelope(6));
    channel.send(envelope(7));
    await tick();
    assert.deepEqual(messages(inner), [[1, 2, 3, 4, 5], [6, 7]]);
  });

  it('cuts batches at maxMessageSize, and sends a message that fills one alone', async () => {
    const inner = new FakeChannel();
    const channel = new CoalescingChannel(inner, () => 300);
    for (let seq = 1; seq <= 9; seq++) channel.send(envelope(seq, 60));
    channel.send(envelope(10, 270));
    channel.send(envelope(11, 10));
    await tick();
    assert.deepEqual(messages(inner).flat(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.ok(messages(inner).length >= 4, `${messages(inner).length} messages`);
    assert.ok(messages(inner).some((seqs) => seqs.length === 1 && seqs[0] === 10), 'the large message goes alone');
    for (const bytes of inner.sent) assert.ok(bytes.byteLength <= 300, `${bytes.byteLength} bytes`);
  });

  it('counts what waits in bufferedAmount', async () => {
    const inner = new FakeChannel();
    inner.buffers = true;
    const channel = new CoalescingChannel(inner, () => 1024);
    const bytes = envelope(1);
    channel.send(bytes);
    assert.equal(channel.bufferedAmount, bytes.byteLength);
    await tick();
    assert.ok(channel.bufferedAmount >= bytes.byteLength);
  });

  it('reports itself closed, and throws on the next send, once the inner channel threw', async () => {
    const inner = new FakeChannel();
    const channel = new CoalescingChannel(inner, () => 1024);
    inner.failSends = true;
    channel.send(envelope(1));
    await tick();
    assert.equal(channel.readyState, 'closed');
    assert.throws(() => channel.send(envelope(2)));
  });

  it('sends nothing of what waits once discarded', async () => {
    const inner = new FakeChannel();
    const channel = new CoalescingChannel(inner, () => 1024);
    channel.send(envelope(1));
    channel.discard();
    await tick();
    assert.deepEqual(inner.sent, []);
    assert.throws(() => channel.send(envelope(2)));
  });
});

/** A coalescing data plane attached to fake channels, with a 1 kB message limit. */
function coalescingPlane(): { data: DataPlane; channels: { reliable: FakeChannel; lossy: FakeChannel } } {
  const data = new DataPlane(WATERMARKS, true);
  data.maxMessageSize = 1024;
  const channels = { reliable: new FakeChannel(), lossy: new FakeChannel() };
  data.attach(channels);
  return { data, channels };
}

describe('DataPlane with coalescing', () => {
  const message = (text: string) => ({ kind: EnvelopeKind.message, type: 'chat', data: encode(text) });

  it('batches both channels per tick, each message with its own number', async () => {
    const { data, channels } = coalescingPlane();
    const sends = ['a', 'b', 'c'].map((text) => data.reliable.send(message(text)));
    for (const text of ['x', 'y']) assert.equal(data.lossy.send(message(text)), undefined);
    await Promise.all(sends.map((send) => send.sent));
    await tick();
    assert.deepEqual(messages(channels.reliable), [[1, 2, 3]]);
    assert.deepEqual(messages(channels.lossy), [[1, 2]]);
    assert.equal(data.stats.unacked, 3);
  });

  it('batches a loop that awaits each send', async () => {
    const { data, channels } = coalescingPlane();
    for (const text of ['a', 'b', 'c', 'd']) await data.reliable.send(message(text)).sent;
    await tick();
    assert.deepEqual(messages(channels.reliable), [[1, 2, 3, 4]]);
  });

  it('replays on the next channels, in order, what the detached ones never sent', async () => {
    const data = new DataPlane(WATERMARKS, true);
    data.maxMessageSize = 1024;
    const first = { reliable: new FakeChannel(), lossy: new FakeChannel() };
    data.attach(first);
    for (const text of ['a', 'b']) data.reliable.send(message(text));
    data.detach();
    data.reliable.send(message('c'));
    const next = { reliable: new FakeChannel(), lossy: new FakeChannel() };
    data.attach(next);
    await tick();
    assert.deepEqual(first.reliable.sent, []);
    assert.deepEqual(messages(next.reliable), [[1, 2, 3]]);
  });

  it('stops sending on leaving: hands on what the tick gathered at once, then nothing, later messages included', async () => {
    const { data, channels } = coalescingPlane();
    for (const text of ['a', 'b']) data.reliable.send(message(text));
    data.lossy.send(message('x'));
    data.stopSending();
    assert.deepEqual([messages(channels.reliable), messages(channels.lossy)], [[[1, 2]], [[1]]]);
    data.reliable.send(message('c'));
    data.lossy.send(message('y'));
    await tick();
    assert.deepEqual([messages(channels.reliable), messages(channels.lossy)], [[[1, 2]], [[1]]]);
    assert.equal(data.stats.queued, 3, 'a and b (not acknowledged) and c wait in the sender');
  });

  it('keeps a lossy batch within one packet, while reliable batches fill the message limit', async () => {
    const data = new DataPlane(WATERMARKS, true);
    data.maxMessageSize = 64 * 1024;
    data.maxLossyMessageSize = 64 * 1024;
    const channels = { reliable: new FakeChannel(), lossy: new FakeChannel() };
    data.attach(channels);
    const text = 'x'.repeat(180);
    for (let i = 0; i < 40; i++) {
      data.reliable.send(message(text));
      data.lossy.send(message(text));
    }
    data.lossy.send(message('y'.repeat(3000)));
    await tick();
    assert.equal(channels.reliable.sent.length, 1, 'forty reliable messages in one batch');
    const lossySizes = channels.lossy.sent.map((bytes) => bytes.byteLength);
    assert.ok(lossySizes.slice(0, -1).every((size) => size <= LOSSY_BATCH_MAX_BYTES), `lossy batches of ${lossySizes.join(', ')} bytes`);
    assert.ok(lossySizes.at(-1)! > 3000, 'a lossy message larger than a packet goes alone');
    assert.deepEqual(messages(channels.lossy).flat(), Array.from({ length: 41 }, (_, i) => i + 1));
  });

  it('sends each message at once without coalescing', () => {
    const data = new DataPlane(WATERMARKS, false);
    const channels = { reliable: new FakeChannel(), lossy: new FakeChannel() };
    data.attach(channels);
    for (const text of ['a', 'b']) data.reliable.send(message(text));
    assert.deepEqual(messages(channels.reliable), [[1], [2]]);
  });
});
