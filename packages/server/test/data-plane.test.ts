import assert from 'node:assert/strict';
import { encode } from '@switchboard/sdk/protocol';
import { RawPeer } from './support/raw-peer.js';
import { rejections, SETTLE_MS, startRawPeers, type RawPeers } from './support/raw-room.js';
import { sleep, waitFor, type TestServer } from './support/test-server.js';

describe('data plane: routing and bad input', function () {
  this.timeout(30000);
  let room: RawPeers<'a' | 'b' | 'c' | 'other'>;
  let t: TestServer;
  let a: RawPeer;
  let b: RawPeer;
  let c: RawPeer;
  let other: RawPeer;

  before(async () => {
    const flags = ['--max-message-size', '1024', '--messages-per-second', '20', '--message-burst', '20', '--reconnect-grace', '1'];
    room = await startRawPeers(flags, { a: 'room', b: 'room', c: 'room', other: 'elsewhere' });
    ({ t, peers: { a, b, c, other } } = room);
  });

  after(() => room.close());

  it('delivers a broadcast to everyone else in the room, stamped with the real sender', async () => {
    room.clearInboxes();
    a.send('reliable', { type: 'chat', data: encode({ text: 'hi' }) });
    await waitFor(() => b.payloads().length === 1 && c.payloads().length === 1, 'b and c to receive');
    await sleep(SETTLE_MS);
    for (const p of [b, c]) {
      assert.deepEqual(p.payloads(), [{ text: 'hi' }]);
      assert.equal(p.messagesFromOthers()[0]?.from, a.id);
      assert.equal(p.messagesFromOthers()[0]?.targeted, false);
    }
    assert.deepEqual(other.received, [], 'nothing crosses rooms');
  });

  it('delivers a targeted message only to its targets', async () => {
    room.clearInboxes();
    a.send('reliable', { type: 'dm', data: encode('to b'), to: b.id });
    a.send('reliable', { type: 'dm', data: encode('to b and c'), to: [b.id, c.id] });
    await waitFor(() => b.payloads().length === 2 && c.payloads().length === 1, 'deliveries');
    await sleep(SETTLE_MS);
    assert.deepEqual(b.payloads(), ['to b', 'to b and c']);
    assert.deepEqual(c.payloads(), ['to b and c']);
    assert.equal(b.messagesFromOthers()[0]?.targeted, true);
    assert.deepEqual(a.received, [], 'the sender gets no copy of a targeted message');
    assert.deepEqual(other.received, []);
  });

  it('cannot be spoofed: a sender-chosen "f" field is replaced by the real sender', async () => {
    room.clearInboxes();
    a.sendBytes('reliable', encode({ k: 0, s: a.nextSeq('reliable'), t: 'chat', f: c.id, ts: 0, d: encode('spoof') }));
    await waitFor(() => b.payloads().length === 1, 'delivery');
    assert.equal(b.messagesFromOthers()[0]?.from, a.id);
  });

  it('drops a reliable message whose sequence number it already processed, and acks it', async () => {
    room.clearInboxes();
    const seq = a.send('reliable', { type: 'chat', data: encode('once') });
    a.send('reliable', { type: 'chat', data: encode('replayed copy'), seq });
    await waitFor(() => b.payloads().length === 1, 'the first copy');
    await waitFor(() => a.signaling.notificationsOf('ack').some((n) => (n.data as { seq: number }).seq === seq), 'the ack');
    await sleep(SETTLE_MS);
    assert.deepEqual(b.payloads(), ['once']);
    assert.ok(t.server.metrics.value('switchboard_messages_dropped_total', { reason: 'duplicate' }) >= 1);
  });

  it('rejects a target in another room with UNKNOWN_TARGET and delivers nothing anywhere', async () => {
    room.clearInboxes();
    const seq = a.send('reliable', { type: 'dm', data: encode('leak?'), to: [b.id, other.id] });
    await waitFor(() => rejections(a).length === 1, 'rejection');
    assert.deepEqual(rejections(a), [{ seq, code: 'UNKNOWN_TARGET' }]);
    await sleep(SETTLE_MS);
    assert.deepEqual([b.received, c.received, other.received], [[], [], []]);
  });

  it('rejects malformed MessagePack and malformed envelopes under their numbers, and keeps routing', async () => {
    room.clearInboxes();
    const s = [b.nextSeq('lossy'), ...Array.from({ length: 5 }, () => b.nextSeq('reliable'))];
    b.sendBytes('reliable', new Uint8Array([0xc1, 0xff, 0x00]));
    b.sendBytes('lossy', encode({ k: 7, s: s[0], t: 'x', d: encode(1) }));
    b.sendBytes('reliable', encode({ k: 0, s: s[1], t: '', d: 'not binary' }));
    // Payloads are spliced into deliveries unread: one that is not exactly one MessagePack value
    // (here one trying to append a forged sender) is refused, as is an empty one.
    b.sendBytes('reliable', encode({ k: 0, s: s[2], t: 'x', d: Uint8Array.of(0x01, 0xa1, 0x66, 0xa1, 0x62) }));
    b.sendBytes('reliable', encode({ k: 0, s: s[3], t: 'x', d: new Uint8Array(0) }));
    // Empty address lists too, so by the receipt rule the sender counts them refused, not accepted.
    b.sendBytes('reliable', encode({ k: 0, s: s[4], t: 'x', d: encode(1), to: [] }));
    b.sendBytes('reliable', encode({ k: 0, s: s[5], t: 'x', d: encode(1), ti: [''] }));
    await waitFor(() => rejections(b).length === 7, 'seven rejections');
    assert.deepEqual(rejections(b).map((r) => r.code), Array(7).fill('MALFORMED'));
    // Each refusal names the sender's number whenever it could be read.
    assert.deepEqual(rejections(b).map((r) => r.seq), [0, ...s]);
    b.send('reliable', { type: 'chat', data: encode('still here') });
    await waitFor(() => a.payloads().length === 1, 'a valid message after the bad ones');
    assert.deepEqual(a.payloads(), ['still here']);
  });

  it('rejects a message above the size limit with MESSAGE_TOO_LARGE', async () => {
    room.clearInboxes();
    const seq = c.send('reliable', { type: 'big', data: encode('x'.repeat(2000)) });
    await waitFor(() => rejections(c).length === 1, 'rejection');
    assert.deepEqual(rejections(c), [{ seq, code: 'MESSAGE_TOO_LARGE' }]);
    await sleep(SETTLE_MS);
    assert.deepEqual([a.received, b.received], [[], []]);
  });

  it('rate-limits a flood: the excess is rejected and counted, the rest delivered once', async () => {
    room.clearInboxes();
    const before = t.server.metrics.value('switchboard_messages_dropped_total', { reason: 'rate_limited' });
    for (let i = 0; i < 60; i++) a.send('reliable', { type: 'flood', data: encode(i) });
    await waitFor(() => b.payloads().length + rejections(a).length >= 60, 'every flood message accounted for');
    await sleep(SETTLE_MS);
    const delivered = b.payloads() as number[];
    const rejected = rejections(a);
    assert.ok(rejected.length >= 10, `expected much of the flood rejected, got ${rejected.length}`);
    assert.ok(rejected.every((r) => r.code === 'RATE_LIMITED'));
    assert.equal(delivered.length + rejected.length, 60);
    assert.deepEqual(delivered, [...delivered].sort((x, y) => x - y), 'delivered in order');
    assert.equal(t.server.metrics.value('switchboard_messages_dropped_total', { reason: 'rate_limited' }) - before, rejected.length);
    await sleep(1100);
  });

  it('refuses to send without the sendData grant and to target a peer without receiveData', async () => {
    // A publisher without sendData has a send transport (a peer granted neither gets none), so it
    // can open DataChannels: what it sends on them must still be refused.
    const mute = await RawPeer.join(t.wsUrl, await t.token('room', 'mute', { grants: { receiveData: true, publish: true } }));
    const deaf = await RawPeer.join(t.wsUrl, await t.token('room', 'deaf', { grants: { sendData: true } }));
    try {
      room.clearInboxes();
      const seq = mute.send('reliable', { type: 'chat', data: encode('x') });
      const seq2 = a.send('reliable', { type: 'dm', data: encode('y'), to: deaf.id });
      await waitFor(() => rejections(mute).length === 1 && rejections(a).length === 1, 'rejections');
      assert.deepEqual(rejections(mute), [{ seq, code: 'PERMISSION_DENIED' }]);
      assert.deepEqual(rejections(a), [{ seq: seq2, code: 'PERMISSION_DENIED' }]);
      assert.equal(deaf.session.dataConsumers, undefined, 'no receive channels without receiveData');
    } finally {
      mute.close();
      deaf.close();
    }
  });

  it('keeps serving the others when a peer vanishes mid-send, and drops it after the grace period', async () => {
    const ghost = await RawPeer.join(t.wsUrl, await t.token('room', 'ghost'));
    room.clearInboxes();
    for (let i = 0; i < 10; i++) ghost.send('lossy', { type: 'burst', data: encode(i) });
    ghost.close();
    await waitFor(() => t.server.rooms.get('room')?.peers().find((p) => p.id === ghost.id)?.connected === false, 'ghost to be seen as disconnected');
    b.send('reliable', { type: 'chat', data: encode('after the ghost') });
    await waitFor(() => c.payloads().includes('after the ghost'), 'c to keep receiving');
    const ghostLeft = () => a.signaling.notificationsOf('peerLeft').find((n) => (n.data as { peerId: string }).peerId === ghost.id);
    await waitFor(() => ghostLeft() !== undefined, 'ghost to time out', 5000);
    assert.deepEqual(ghostLeft()?.data, { peerId: ghost.id, reason: 'timeout' });
    const health = (await (await fetch(`${t.server.url}/healthz`)).json()) as { status: string };
    assert.equal(health.status, 'ok');
  });

  it('counts messages in, deliveries out and drops by reason in /metrics', async () => {
    const text = await (await fetch(`${t.server.url}/metrics`)).text();
    for (const line of [
      /^switchboard_messages_in_total\{channel="reliable"\} [1-9]\d*$/m,
      /^switchboard_messages_out_total\{channel="reliable"\} [1-9]\d*$/m,
      /^switchboard_messages_dropped_total\{reason="unknown_target"\} [1-9]\d*$/m,
      /^switchboard_messages_dropped_total\{reason="malformed"\} 7$/m,
      /^switchboard_peers 4$/m,
      /^switchboard_rooms 2$/m,
      /^switchboard_worker_cpu_seconds\{worker="0"\} [\d.]+$/m,
      /^switchboard_worker_udp_receive_drops\{worker="0"\} \d+$/m,
      // The connected peers' transports (two each) at least.
      /^switchboard_worker_load\{worker="0"\} [1-9]\d*$/m,
    ]) {
      assert.match(text, line);
    }
  });
});
