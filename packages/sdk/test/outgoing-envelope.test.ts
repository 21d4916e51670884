import assert from 'node:assert/strict';
import { sealEnvelope } from '../src/data-channel/outgoing.js';
import { MessageError } from '../src/errors.js';
import { decodeOutgoing, encode, EnvelopeKind, MAX_TARGETS } from '../src/protocol/index.js';

const limit = (bytes: number) => ({ bytes, name: 'the limit' });

const base = { kind: EnvelopeKind.message, type: 'chat', data: encode({ text: 'hi' }) };

function malformed(error: unknown): boolean {
  return error instanceof MessageError && error.code === 'MALFORMED';
}

describe('sealEnvelope', () => {
  it('encodes an envelope the server decodes back', () => {
    const bytes = sealEnvelope({ ...base, to: 'p1', topic: 't' }, 7, limit(1000));
    assert.deepEqual(decodeOutgoing(bytes), { ...base, seq: 7, to: 'p1', topic: 't' });
  });

  it('carries the receipt flag only when the sender waits on a receipt (three bytes more)', () => {
    const flagged = sealEnvelope({ ...base, receipt: true }, 3, limit(1000));
    const plain = sealEnvelope(base, 3, limit(1000));
    assert.deepEqual(decodeOutgoing(flagged), { ...base, seq: 3, receipt: true });
    assert.deepEqual(decodeOutgoing(plain), { ...base, seq: 3 });
    assert.equal(flagged.byteLength, plain.byteLength + 3);
  });

  it('checks the size of the whole encoded envelope against the limit', () => {
    const size = sealEnvelope(base, 1, limit(1000)).byteLength;
    assert.equal(sealEnvelope(base, 1, limit(size)).byteLength, size);
    assert.throws(() => sealEnvelope(base, 1, limit(size - 1)), (error: unknown) => {
      return error instanceof MessageError && error.code === 'MESSAGE_TOO_LARGE' && error.message.includes(`${size} bytes`);
    });
  });

  it(`accepts 1 to ${MAX_TARGETS} targets and refuses more, none, or empty IDs`, () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `peer-${i}`);
    assert.ok(sealEnvelope({ ...base, to: ids(MAX_TARGETS) }, 1, limit(1e6)));
    assert.throws(() => sealEnvelope({ ...base, to: ids(MAX_TARGETS + 1) }, 1, limit(1e6)), malformed);
    assert.throws(() => sealEnvelope({ ...base, to: [] }, 1, limit(1e6)), malformed);
    assert.throws(() => sealEnvelope({ ...base, to: '' }, 1, limit(1e6)), malformed);
    assert.throws(() => sealEnvelope({ ...base, to: ['ok', ''] }, 1, limit(1e6)), malformed);
  });

  it('refuses empty or overlong types and topics', () => {
    assert.throws(() => sealEnvelope({ ...base, type: '' }, 1, limit(1e6)), malformed);
    assert.throws(() => sealEnvelope({ ...base, type: 'x'.repeat(129) }, 1, limit(1e6)), malformed);
    assert.throws(() => sealEnvelope({ ...base, topic: '' }, 1, limit(1e6)), malformed);
    assert.ok(sealEnvelope({ ...base, type: 'x'.repeat(128), topic: 'y'.repeat(128) }, 1, limit(1e6)));
  });
});
