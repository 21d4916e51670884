import assert from 'node:assert/strict';
import { encode, encodeBatch, encodeOutgoing, EnvelopeKind, type OutgoingEnvelope } from '@switchboard/sdk/protocol';
import type { RawPeer } from './support/raw-peer.js';
import { rejections, SETTLE_MS, startRawPeers, type RawPeers } from './support/raw-room.js';
import { sleep, waitFor, type TestServer } from './support/test-server.js';

describe('data plane: inbound batches (protocol version 4)', function () {
  this.timeout(30000);
  let room: RawPeers<'a' | 'b' | 'c'>;
  let t: TestServer;
  let a: RawPeer;
  let b: RawPeer;
  let c: RawPeer;

  before(async () => {
    room = await startRawPeers(['--max-message-size', '1024', '--messages-per-second', '20', '--message-burst', '20'], { a: 'room', b: 'room', c: 'room' });
    ({ t, peers: { a, b, c } } = room);
  });

  after(() => room.close());

  beforeEach(async () => {
    // Each test starts with a full rate-limit bucket (burst 20 at 20/s).
    await sleep(1100);
    room.clearInboxes();
  });

  /** An encoded envelope from `p` on `channel`, numbered next unless `seq` says otherwise. */
  function envelope(p: RawPeer, channel: 'reliable' | 'lossy', fields: Partial<OutgoingEnvelope>): { seq: number; bytes: Uint8Array } {
    const seq = fields.seq ?? p.nextSeq(channel);
    return { seq, bytes: encodeOutgoing({ kind: EnvelopeKind.message, type: 'chat', data: encode(null), ...fields, seq }) };
  }

  function acked(p: RawPeer, seq: number): boolean {
    return p.signaling.notificationsOf('ack').some((n) => (n.data as { seq: number }).seq >= seq);
  }

  it('routes each element as if it came alone: broadcast, targeted, in order, acknowledged', async () => {
    const one = envelope(a, 'reliable', { data: encode('one') });
    const two = envelope(a, 'reliable', { data: encode('two'), to: b.id });
    const three = envelope(a, 'reliable', { data: encode('three') });
    a.sendBytes('reliable', encodeBatch([one.bytes, two.bytes, three.bytes]));
    await waitFor(() => b.payloads().length === 3 && c.payloads().length === 2, 'deliveries');
    await waitFor(() => acked(a, three.seq), 'the ack of the last element');
    await sleep(SETTLE_MS);
    assert.deepEqual(b.payloads(), ['one', 'two', 'three']);
    assert.deepEqual(c.payloads(), ['one', 'three']);
    assert.deepEqual(b.messagesFromOthers().map((m) => m.targeted), [false, true, false]);
    assert.deepEqual(rejections(a), []);
  });

  it('batches lossy messages too', async () => {
    const elements = [1, 2, 3].map((i) => envelope(a, 'lossy', { data: encode(i) }).bytes);
    a.sendBytes('lossy', encodeBatch(elements));
    await waitFor(() => b.payloads().length === 3, 'deliveries');
    assert.deepEqual(b.payloads(), [1, 2, 3]);
  });

  it('refuses a bad element as MALFORMED and still routes the good ones around it', async () => {
    const first = envelope(b, 'reliable', { data: encode('before') });
    // Its number can be read (its empty type cannot): refused under that number.
    const badSeq = b.nextSeq('reliable');
    const last = envelope(b, 'reliable', { data: encode('after') });
    b.sendBytes('reliable', encodeBatch([first.bytes, Uint8Array.of(0xc1, 0xff), encode({ k: 0, s: badSeq, t: '', d: 'x' }), last.bytes]));
    await waitFor(() => a.payloads().length === 2 && rejections(b).length === 2, 'deliveries and refusals');
    await waitFor(() => acked(b, last.seq), 'the ack');
    assert.deepEqual(a.payloads(), ['before', 'after']);
    assert.deepEqual(rejections(b), [
      { seq: 0, code: 'MALFORMED' },
      { seq: badSeq, code: 'MALFORMED' },
    ]);
  });

  it('drops a duplicate number inside a batch, delivering the message once', async () => {
    const before = t.server.metrics.value('switchboard_messages_dropped_total', { reason: 'duplicate' });
    const once = envelope(c, 'reliable', { data: encode('once') });
    const copy = envelope(c, 'reliable', { data: encode('copy'), seq: once.seq });
    const next = envelope(c, 'reliable', { data: encode('next') });
    c.sendBytes('reliable', encodeBatch([once.bytes, copy.bytes, next.bytes]));
    await waitFor(() => a.payloads().length === 2, 'deliveries');
    await waitFor(() => acked(c, next.seq), 'the ack');
    await sleep(SETTLE_MS);
    assert.deepEqual(a.payloads(), ['once', 'next']);
    assert.equal(t.server.metrics.value('switchboard_messages_dropped_total', { reason: 'duplicate' }) - before, 1);
  });

  it('refuses every element of a batch above the size limit under its own number, then takes a batch that fits', async () => {
    const elements = [1, 2, 3].map(() => envelope(a, 'reliable', { data: encode('x'.repeat(400)) }));
    a.sendBytes('reliable', encodeBatch(elements.map((e) => e.bytes)));
    await waitFor(() => rejections(a).length === 3, 'refusals');
    assert.deepEqual(
      rejections(a),
      elements.map(({ seq }) => ({ seq, code: 'MESSAGE_TOO_LARGE' })),
    );
    const fits = [envelope(a, 'reliable', { data: encode('small') }), envelope(a, 'reliable', { data: encode('too') })];
    a.sendBytes('reliable', encodeBatch(fits.map((e) => e.bytes)));
    await waitFor(() => b.payloads().length === 2, 'the batch that fits');
    assert.deepEqual(b.payloads(), ['small', 'too']);
  });

  it('refuses an unreadable batch as MALFORMED and keeps routing', async () => {
    for (const bad of [encode({ b: [] }), encode({ b: 'not a list' }), encode({ b: [1, 2] })]) b.sendBytes('reliable', bad);
    await waitFor(() => rejections(b).length === 3, 'refusals');
    assert.deepEqual(rejections(b).map((r) => r.code), ['MALFORMED', 'MALFORMED', 'MALFORMED']);
    b.send('reliable', { type: 'chat', data: encode('still here') });
    await waitFor(() => a.payloads().length === 1, 'a message after the bad batches');
  });

  it('rate-limits and refuses per element: the excess of a batch and a bad target are refused, the rest delivered', async () => {
    const elements = Array.from({ length: 25 }, (_, i) => envelope(c, 'reliable', i === 3 ? { data: encode(i), to: 'nobody' } : { data: encode(i) }));
    c.sendBytes('reliable', encodeBatch(elements.map((e) => e.bytes)));
    await waitFor(() => rejections(c).length === 6, 'refusals');
    await waitFor(() => a.payloads().length === 19, 'deliveries');
    await sleep(SETTLE_MS);
    assert.deepEqual(rejections(c)[0], { seq: elements[3]!.seq, code: 'UNKNOWN_TARGET' });
    assert.deepEqual(
      rejections(c).slice(1),
      elements.slice(20).map(({ seq }) => ({ seq, code: 'RATE_LIMITED' })),
    );
    assert.deepEqual(a.payloads(), [0, 1, 2, ...Array.from({ length: 16 }, (_, i) => i + 4)]);
  });
});
