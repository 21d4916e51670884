import assert from 'node:assert/strict';
import { encode, encodeStreamFrame, EnvelopeKind, readStreamFrame, type StreamFrame } from '@switchboard/sdk/protocol';
import { RawPeer } from './support/raw-peer.js';
import { rejections, SETTLE_MS, startRawPeers, type RawPeers } from './support/raw-room.js';
import { sleep, waitFor, type TestServer } from './support/test-server.js';

const MAX_STREAM_BYTES = 4000;

describe('data plane: streams from a raw client', function () {
  this.timeout(30000);
  let room: RawPeers<'a' | 'b' | 'c'>;
  let t: TestServer;
  let a: RawPeer;
  let b: RawPeer;
  let c: RawPeer;

  before(async () => {
    const flags = [
      '--max-open-streams', '2',
      '--max-stream-bytes', String(MAX_STREAM_BYTES),
      '--stream-bytes-per-second', '1024',
      '--stream-burst-bytes', '65536',
      '--reconnect-grace', '1',
    ];
    room = await startRawPeers(flags, { a: 'room', b: 'room', c: 'room' });
    ({ t, peers: { a, b, c } } = room);
  });

  after(() => room.close());

  beforeEach(() => {
    room.clearInboxes();
  });

  /** Sends one stream frame from `p` to b on the reliable channel; returns its sequence number. */
  function send(p: RawPeer, frame: StreamFrame, to: string | string[] = b.id): number {
    return p.send('reliable', { kind: EnvelopeKind.stream, type: 'file', to, data: encodeStreamFrame(frame) });
  }

  const chunk = (id: number, index: number, size = 500): StreamFrame => ({ op: 'chunk', id, index, bytes: new Uint8Array(size).fill(index) });

  /** The stream frames `p` received, in order, with their sender. */
  function framesAt(p: RawPeer): (StreamFrame & { from: string })[] {
    return p.received.filter((m) => m.kind === EnvelopeKind.stream).map((m) => ({ ...readStreamFrame(m.data), from: m.from }));
  }

  /** A compact view of frames: op, stream ID, chunk index or cancel code. */
  const summary = (frames: StreamFrame[]): string[] =>
    frames.map((f) => `${f.op} ${f.id}${f.op === 'chunk' ? ` #${f.index}` : f.op === 'cancel' ? ` ${f.error.code}` : ''}`);

  it('forwards a well-formed stream unchanged, and nothing to the peer it is not for', async () => {
    send(a, { op: 'open', id: 1, size: 1000, name: 'x.bin' });
    send(a, chunk(1, 0));
    send(a, chunk(1, 1));
    send(a, { op: 'end', id: 1, chunks: 2, size: 1000 });
    await waitFor(() => framesAt(b).length === 4, 'the stream at b');
    await sleep(SETTLE_MS);
    assert.deepEqual(summary(framesAt(b)), ['open 1', 'chunk 1 #0', 'chunk 1 #1', 'end 1']);
    assert.deepEqual(framesAt(b)[0], { op: 'open', id: 1, size: 1000, name: 'x.bin', from: a.id });
    assert.deepEqual(rejections(a), []);
    assert.deepEqual(c.received, []);
  });

  it('rejects a missing chunk with MALFORMED and ends the stream for its receivers', async () => {
    send(a, { op: 'open', id: 2 });
    send(a, chunk(2, 0));
    const gap = send(a, chunk(2, 2));
    const after = send(a, chunk(2, 3));
    await waitFor(() => rejections(a).length === 2, 'two rejections');
    assert.deepEqual(rejections(a), [
      { seq: gap, code: 'MALFORMED' },
      { seq: after, code: 'MALFORMED' },
    ]);
    await waitFor(() => framesAt(b).length === 3, 'the cancel at b');
    assert.deepEqual(summary(framesAt(b)), ['open 2', 'chunk 2 #0', 'cancel 2 MALFORMED']);
    assert.equal(framesAt(b)[2]?.from, a.id, 'the cancel comes in the sender’s name');
  });

  it('rejects a duplicated chunk and an out-of-order one', async () => {
    send(a, { op: 'open', id: 3 });
    send(a, chunk(3, 0));
    const repeated = send(a, chunk(3, 0));
    send(a, { op: 'open', id: 4 });
    const early = send(a, chunk(4, 1));
    await waitFor(() => rejections(a).length === 2, 'two rejections');
    assert.deepEqual(rejections(a), [
      { seq: repeated, code: 'MALFORMED' },
      { seq: early, code: 'MALFORMED' },
    ]);
    await waitFor(() => framesAt(b).length === 5, 'both cancels at b');
    assert.deepEqual(summary(framesAt(b)), ['open 3', 'chunk 3 #0', 'cancel 3 MALFORMED', 'open 4', 'cancel 4 MALFORMED']);
  });

  it('rejects frames of streams never opened, a reused ID, a wrong end, a changed target and the lossy channel', async () => {
    const orphan = send(a, chunk(99, 0));
    const reused = send(a, { op: 'open', id: 1 });
    send(a, { op: 'open', id: 5 });
    send(a, chunk(5, 0));
    const wrongEnd = send(a, { op: 'end', id: 5, chunks: 2, size: 1000 });
    send(a, { op: 'open', id: 6 });
    const moved = send(a, chunk(6, 0), c.id);
    const lossySeq = a.send('lossy', { kind: EnvelopeKind.stream, type: 'file', to: b.id, data: encodeStreamFrame({ op: 'open', id: 7 }) });
    const garbage = a.send('reliable', { kind: EnvelopeKind.stream, type: 'file', to: b.id, data: encode({ i: 8, o: 42 }) });
    await waitFor(() => rejections(a).length === 6, 'six rejections');
    assert.deepEqual(
      rejections(a).map((r) => [r.seq, r.code]),
      [orphan, reused, wrongEnd, moved, lossySeq, garbage].map((seq) => [seq, 'MALFORMED']),
    );
    await waitFor(() => framesAt(b).length === 5, 'what b gets');
    await sleep(SETTLE_MS);
    assert.deepEqual(summary(framesAt(b)), ['open 5', 'chunk 5 #0', 'cancel 5 MALFORMED', 'open 6', 'cancel 6 MALFORMED']);
    assert.deepEqual(c.received, [], 'a chunk redirected to another peer goes nowhere');
  });

  it('enforces open streams per peer and bytes per stream with STREAM_LIMIT', async () => {
    send(a, { op: 'open', id: 10 });
    send(a, { op: 'open', id: 11 });
    const third = send(a, { op: 'open', id: 12 });
    const tooBig = send(a, { op: 'open', id: 13, size: MAX_STREAM_BYTES + 1 });
    await waitFor(() => rejections(a).length === 2, 'two refused opens');
    assert.deepEqual(rejections(a), [
      { seq: third, code: 'STREAM_LIMIT' },
      { seq: tooBig, code: 'STREAM_LIMIT' },
    ]);
    // The sender may still cancel a stream the server refused: its receivers learn, if any.
    send(a, { op: 'cancel', id: 12, error: { code: 'STREAM_LIMIT', message: 'refused' } });
    send(a, { op: 'cancel', id: 11, error: { code: 'CANCELLED', message: 'done with it' } });
    // 9 × 500 bytes: the ninth goes past the 4000 a stream may carry.
    for (let index = 0; index < 9; index++) send(a, chunk(10, index));
    await waitFor(() => rejections(a).length === 3, 'the chunk over the byte limit refused');
    assert.equal(rejections(a)[2]?.code, 'STREAM_LIMIT');
    await waitFor(() => framesAt(b).some((f) => f.op === 'cancel' && f.id === 10), 'the cancel of stream 10');
    assert.deepEqual(summary(framesAt(b).filter((f) => f.op !== 'chunk')), ['open 10', 'open 11', 'cancel 12 STREAM_LIMIT', 'cancel 11 CANCELLED', 'cancel 10 STREAM_LIMIT']);
    // Both slots are free again.
    send(a, { op: 'open', id: 14 });
    send(a, { op: 'open', id: 15 });
    send(a, { op: 'end', id: 14, chunks: 0, size: 0 });
    send(a, { op: 'end', id: 15, chunks: 0, size: 0 });
    await sleep(SETTLE_MS);
    assert.equal(rejections(a).length, 3);
  });

  it('limits the chunk byte rate with RATE_LIMITED, and other peers keep sending meanwhile', async () => {
    let id = 20;
    // 20 streams of 3600 bytes: above the 64 KiB burst at 1 KiB/s.
    for (let n = 0; n < 20; n++, id++) {
      send(a, { op: 'open', id });
      for (let index = 0; index < 4; index++) send(a, chunk(id, index, 900));
      send(a, { op: 'end', id, chunks: 4, size: 3600 });
    }
    c.send('reliable', { type: 'chat', to: b.id, data: encode('unaffected') });
    await waitFor(() => rejections(a).some((r) => r.code === 'RATE_LIMITED'), 'a rate refusal');
    await waitFor(() => framesAt(b).some((f) => f.op === 'cancel' && f.error.code === 'RATE_LIMITED'), 'the cancel at b');
    await waitFor(() => b.payloads().includes('unaffected'), 'the other peer’s message');
    assert.deepEqual(rejections(c), []);
  });

  it('ends a leaving sender’s open streams with PEER_LEFT', async () => {
    const leaver = await RawPeer.join(t.wsUrl, await t.token('room', 'leaver'));
    send(leaver, { op: 'open', id: 1 });
    send(leaver, chunk(1, 0));
    await waitFor(() => framesAt(b).length === 2, 'the start of the stream');
    await leaver.signaling.request('leave', {});
    leaver.close();
    await waitFor(() => framesAt(b).length === 3, 'the cancel');
    assert.deepEqual(framesAt(b)[2], { op: 'cancel', id: 1, error: { code: 'PEER_LEFT', message: 'the sender left the room before the stream ended' }, from: leaver.id });
  });

  it('keeps a stream addressed by identity to that identity: a re-addressed chunk is refused, the cancel goes to it only', async () => {
    const byIdentity = (frame: StreamFrame, identity: string) =>
      c.send('reliable', { kind: EnvelopeKind.stream, type: 'file', toIdentities: [identity], data: encodeStreamFrame(frame) });
    byIdentity({ op: 'open', id: 20 }, 'b');
    byIdentity(chunk(20, 0), 'b');
    const moved = byIdentity(chunk(20, 1), 'a');
    await waitFor(() => rejections(c).length === 1, 'the re-addressed chunk refused');
    assert.deepEqual(rejections(c).map((r) => [r.seq, r.code]), [[moved, 'MALFORMED']]);
    await waitFor(() => framesAt(b).length === 3, 'what b gets');
    await sleep(SETTLE_MS);
    assert.deepEqual(summary(framesAt(b)), ['open 20', 'chunk 20 #0', 'cancel 20 MALFORMED']);
    assert.deepEqual(a.received, [], 'a never saw the stream, nor its cancel');
  });
});
