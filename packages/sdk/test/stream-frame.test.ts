import assert from 'node:assert/strict';
import {
  decodeDelivered,
  decodeOutgoing,
  decodeStreamFrame,
  readStreamFrame,
  encode,
  encodeDelivered,
  encodeOutgoing,
  encodeStreamFrame,
  EnvelopeKind,
  MAX_STREAM_MIME_LENGTH,
  MAX_STREAM_NAME_LENGTH,
  ProtocolError,
  STREAM_CHUNK_OVERHEAD,
  type StreamFrame,
} from '../src/protocol/index.js';

// Decoders may hand back a Buffer (Node's Uint8Array subclass); compare plain bytes.
function plain(frame: StreamFrame): StreamFrame {
  return frame.op === 'chunk' ? { ...frame, bytes: new Uint8Array(frame.bytes) } : frame;
}

function malformed(pattern: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof ProtocolError && error.code === 'MALFORMED' && pattern.test(error.message);
}

describe('stream frames', () => {
  const frames: StreamFrame[] = [
    { op: 'open', id: 1 },
    { op: 'open', id: 2, size: 20_000_000, name: 'clip.mp4', mime: 'video/mp4' },
    { op: 'chunk', id: 2, index: 0, bytes: new Uint8Array([1, 2, 3]) },
    { op: 'end', id: 2, chunks: 306, size: 20_000_000 },
    { op: 'end', id: 3, chunks: 0, size: 0 },
    { op: 'cancel', id: 2, error: { code: 'CANCELLED', message: 'no longer needed' } },
    { op: 'stop', id: 2 },
  ];

  for (const frame of frames) {
    it(`round-trips ${JSON.stringify({ ...frame, ...(frame.op === 'chunk' ? { bytes: '…' } : {}) })}`, () => {
      assert.deepEqual(plain(decodeStreamFrame(encodeStreamFrame(frame))), frame);
    });
  }

  it('travels in an envelope of kind stream, outgoing and delivered, unchanged', () => {
    const data = encodeStreamFrame({ op: 'chunk', id: 9, index: 4, bytes: new Uint8Array(100).fill(7) });
    const outgoing = decodeOutgoing(encodeOutgoing({ kind: EnvelopeKind.stream, seq: 5, type: 'file', to: 'p1', data }));
    assert.equal(outgoing.kind, EnvelopeKind.stream);
    assert.deepEqual(new Uint8Array(outgoing.data), new Uint8Array(data));
    const delivered = decodeDelivered(encodeDelivered({ ...outgoing, from: 'p0', serverTime: 1, targeted: true }));
    assert.deepEqual(plain(readStreamFrame(delivered.data)), { op: 'chunk', id: 9, index: 4, bytes: new Uint8Array(100).fill(7) });
  });

  it('keeps a full chunk within its announced overhead', () => {
    const bytes = new Uint8Array(65536);
    const frame = encodeStreamFrame({ op: 'chunk', id: Number.MAX_SAFE_INTEGER, index: Number.MAX_SAFE_INTEGER, bytes });
    assert.ok(frame.byteLength - bytes.byteLength <= STREAM_CHUNK_OVERHEAD, `overhead ${frame.byteLength - bytes.byteLength}`);
  });

  it('refuses frames of the wrong shape with MALFORMED', () => {
    const cases: [unknown, RegExp][] = [
      [[1, 2], /stream id/],
      ['text', /not a map/],
      [{ i: 0, o: 0 }, /positive/],
      [{ i: -1, o: 0 }, /stream id/],
      [{ i: 1.5, o: 0 }, /stream id/],
      [{ i: 1, o: 9 }, /unknown stream operation/],
      [{ i: 1, o: '0' }, /unknown stream operation/],
      [{ i: 1, o: 0, z: -5 }, /size/],
      [{ i: 1, o: 0, nm: 'x'.repeat(MAX_STREAM_NAME_LENGTH + 1) }, /name/],
      [{ i: 1, o: 0, mt: 7 }, /mime/],
      [{ i: 1, o: 0, mt: 'm'.repeat(MAX_STREAM_MIME_LENGTH + 1) }, /mime/],
      [{ i: 1, o: 1, n: 0 }, /non-empty binary/],
      [{ i: 1, o: 1, n: 0, b: new Uint8Array(0) }, /non-empty binary/],
      [{ i: 1, o: 1, b: new Uint8Array(1) }, /chunk index/],
      [{ i: 1, o: 2, n: 1 }, /size/],
      [{ i: 1, o: 3 }, /error with a code/],
      [{ i: 1, o: 3, e: { code: 'CANCELLED' } }, /error with a code/],
    ];
    for (const [wire, pattern] of cases) {
      assert.throws(() => decodeStreamFrame(encode(wire)), malformed(pattern), JSON.stringify(wire));
    }
    assert.throws(() => decodeStreamFrame(new Uint8Array([0xc1])), (error: unknown) => error instanceof ProtocolError);
  });
});
