import assert from 'node:assert/strict';
import { receivedMessage } from '../src/data-channel/received-message.js';
import { decode, decodeDelivered, encode, encodeDelivered, EnvelopeKind, type DeliveredEnvelope } from '../src/protocol/index.js';

const base: DeliveredEnvelope = { kind: EnvelopeKind.message, seq: 7, from: 'alice', serverTime: 1, type: 'comment', targeted: false, data: encode({ text: 'hi' }) };

describe('history flag of delivered envelopes', () => {
  it('travels as h: true only on history deliveries', () => {
    const wire = decode(encodeDelivered({ ...base, history: true })) as Record<string, unknown>;
    assert.equal(wire.h, true);
    assert.equal('h' in (decode(encodeDelivered(base)) as Record<string, unknown>), false);
    assert.equal(decodeDelivered(encodeDelivered({ ...base, history: true })).history, true);
    assert.equal(decodeDelivered(encodeDelivered(base)).history, undefined);
  });

  it('becomes msg.history, true or false', () => {
    const message = receivedMessage(decodeDelivered(encodeDelivered({ ...base, history: true })));
    assert.equal(message.history, true);
    assert.deepEqual(message.data, { text: 'hi' });
    assert.equal(receivedMessage(decodeDelivered(encodeDelivered(base))).history, false);
  });
});
