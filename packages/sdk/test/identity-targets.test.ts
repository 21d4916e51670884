import assert from 'node:assert/strict';
import { sealEnvelope, type UnsequencedEnvelope } from '../src/data-channel/outgoing.js';
import { MessageError } from '../src/errors.js';
import type { Recipients } from '../src/messages/message-types.js';
import { address } from '../src/messages/recipients.js';
import { decodeOutgoing, encode, EnvelopeKind, MAX_TARGETS, ProtocolError } from '../src/protocol/index.js';

const limit = (bytes: number) => ({ bytes, name: 'the limit' });

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

// What an application may pass as `to` from plain JavaScript: the SDK refuses each before
// anything is numbered or sent.
const BAD_RECIPIENTS: { what: string; to: unknown }[] = [
  { what: 'null', to: null },
  { what: 'a number', to: 7 },
  { what: 'identities as a string', to: { identities: 'bob' } },
  { what: 'peers as a string', to: { peers: 'p1' } },
  { what: 'identities as an object', to: { identities: { bob: true } } },
  { what: 'no peer and no identity', to: { identities: [], peers: [] } },
  { what: 'an empty identity', to: { identities: ['bob', ''] } },
  { what: 'a number among the identities', to: { identities: ['bob', 3] } },
  { what: 'too many peers and identities together', to: { identities: ids(MAX_TARGETS, 'user-'), peers: ['p1'] } },
];

// What a raw client may put in an envelope's identity targets (`ti`): the server's decoder
// refuses each as MALFORMED.
const BAD_WIRE_IDENTITIES: { what: string; fields: Record<string, unknown> }[] = [
  { what: 'a string', fields: { ti: 'bob' } },
  { what: 'a number', fields: { ti: 5 } },
  { what: 'an empty list', fields: { ti: [] } },
  { what: 'an empty identity', fields: { ti: ['bob', ''] } },
  { what: 'a number in the list', fields: { ti: ['bob', 1] } },
  { what: 'too many identities', fields: { ti: ids(MAX_TARGETS + 1, 'user-') } },
  { what: 'too many peers and identities together', fields: { to: ['p1'], ti: ids(MAX_TARGETS, 'user-') } },
];

describe('identity targets: bad input', () => {
  for (const c of BAD_RECIPIENTS) {
    it(`the SDK refuses to send to ${c.what} with MALFORMED`, () => {
      assert.throws(
        () => {
          const envelope: UnsequencedEnvelope = { kind: EnvelopeKind.message, type: 'dm', data: encode(null) };
          address(envelope, c.to as Recipients);
          sealEnvelope(envelope, 1, limit(1e6));
        },
        (error: unknown) => error instanceof MessageError && error.code === 'MALFORMED',
      );
    });
  }

  for (const c of BAD_WIRE_IDENTITIES) {
    it(`the server's decoder refuses ${c.what} as identity targets with MALFORMED`, () => {
      const bytes = encode({ k: EnvelopeKind.message, s: 1, t: 'dm', d: encode(null), ...c.fields });
      assert.throws(() => decodeOutgoing(bytes), (error: unknown) => error instanceof ProtocolError && error.code === 'MALFORMED');
    });
  }

  it('takes identities and peers together up to the limit', () => {
    const envelope: UnsequencedEnvelope = { kind: EnvelopeKind.message, type: 'dm', data: encode(null) };
    address(envelope, { identities: ids(MAX_TARGETS - 1, 'user-'), peers: ['p1'] });
    const decoded = decodeOutgoing(sealEnvelope(envelope, 1, limit(1e6)));
    assert.deepEqual([decoded.to, decoded.toIdentities?.length], [['p1'], MAX_TARGETS - 1]);
  });
});
