import assert from 'node:assert/strict';
import { ReliableSender } from '../src/data-channel/reliable-sender.js';
import { DataEncryption } from '../src/e2ee/data-encryption.js';
import { E2EEError } from '../src/e2ee/e2ee-error.js';
import { ExternalKeyProvider } from '../src/e2ee/key-provider.js';
import { OpenFailure, SEAL_OVERHEAD } from '../src/e2ee/payload-cipher.js';
import { MessageError } from '../src/errors.js';
import {
  decode,
  decodeDelivered,
  encode,
  encodeDelivered,
  encodeStreamFrame,
  EnvelopeKind,
  readStreamFrame,
  type OutgoingEnvelope,
  type ReceivedEnvelope,
} from '../src/protocol/index.js';
import { FakeChannel } from './support/fake-channel.js';

const KEY_A = new Uint8Array(32).fill(7);
const KEY_B = new Uint8Array(32).fill(9);

async function encryption(key: Uint8Array | undefined, keyId = 0, identity = 'alice'): Promise<DataEncryption> {
  const keys = new ExternalKeyProvider();
  if (key !== undefined) await keys.setKey(key, { keyId });
  const result = new DataEncryption(keys);
  result.identity = identity;
  return result;
}

// What a receiver gets from the server for an envelope the sender sealed.
function delivered(envelope: Omit<OutgoingEnvelope, 'seq'>): ReceivedEnvelope {
  return decodeDelivered(encodeDelivered({ kind: envelope.kind, seq: 1, from: 'p-alice', serverTime: 0, type: envelope.type, targeted: false, data: envelope.data }));
}

async function sealed(sender: DataEncryption, envelope: Omit<OutgoingEnvelope, 'seq'>): Promise<Omit<OutgoingEnvelope, 'seq'>> {
  const sealing = sender.seal(envelope);
  if (sealing === undefined) return envelope;
  const data = await sealing.sealed;
  assert.equal(data.byteLength, sealing.placeholder.byteLength, 'the stand-in has the sealed size');
  return { ...envelope, data };
}

describe('end-to-end encryption of data', () => {
  it('seals a message payload as one binary value holding no plaintext, and opens it', async () => {
    const alice = await encryption(KEY_A);
    const bob = await encryption(KEY_A, 0, 'bob');
    const envelope = { kind: EnvelopeKind.message, type: 'chat', data: encode({ text: 'top secret plans' }) };
    const out = await sealed(alice, envelope);
    const value = decode(out.data);
    assert.ok(value instanceof Uint8Array);
    assert.equal(value.byteLength, envelope.data.byteLength + SEAL_OVERHEAD);
    assert.equal(Buffer.from(out.data).includes('secret'), false);
    const opened = await bob.open(delivered(out), 'alice');
    assert.deepEqual(opened.data, { text: 'top secret plans' });
  });

  it('fails with a typed reason for no key, a wrong key, a swapped type and a clear payload', async () => {
    const alice = await encryption(KEY_A, 3);
    const out = await sealed(alice, { kind: EnvelopeKind.message, type: 'chat', data: encode('hi') });
    const failure = async (receiver: DataEncryption, envelope: ReceivedEnvelope): Promise<OpenFailure> => {
      const error = await receiver.open(envelope, 'alice').then(
        () => assert.fail('opened'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof OpenFailure && error instanceof E2EEError);
      assert.equal(error.code, 'E2EE_DECRYPTION_FAILED');
      return error;
    };
    assert.equal((await failure(await encryption(undefined), delivered(out))).reason, 'noKey');
    const wrong = await failure(await encryption(KEY_B, 3), delivered(out));
    assert.deepEqual([wrong.reason, wrong.keyId], ['badCiphertext', 3]);
    assert.equal((await failure(await encryption(KEY_A, 3), { ...delivered(out), type: 'other' })).reason, 'badCiphertext');
    assert.equal((await failure(await encryption(KEY_A, 3), delivered({ kind: EnvelopeKind.message, type: 'chat', data: encode('clear') }))).reason, 'notEncrypted');
  });

  it('refuses to send without a key, with a typed error', async () => {
    const alice = await encryption(undefined);
    assert.throws(() => alice.seal({ kind: EnvelopeKind.message, type: 'chat', data: encode(1) }), (error: unknown) => error instanceof E2EEError && error.code === 'E2EE_NO_KEY');
  });

  it("seals a stream's chunk bytes and announced metadata, keeping what the server checks in clear", async () => {
    const alice = await encryption(KEY_A);
    const bob = await encryption(KEY_A, 0, 'bob');
    const stream = (frame: Parameters<typeof encodeStreamFrame>[0]) => ({ kind: EnvelopeKind.stream, type: 'file', data: encodeStreamFrame(frame) });
    const open = await sealed(alice, stream({ op: 'open', id: 1, size: 5, name: 'secret.txt', mime: 'text/plain' }));
    const wireOpen = readStreamFrame(decode(open.data));
    assert.deepEqual([wireOpen.op, 'size' in wireOpen, 'name' in wireOpen], ['open', false, false]);
    assert.equal(Buffer.from(open.data).includes('secret'), false);
    const chunk = await sealed(alice, stream({ op: 'chunk', id: 1, index: 0, bytes: new TextEncoder().encode('hello') }));
    const wireChunk = readStreamFrame(decode(chunk.data));
    assert.ok(wireChunk.op === 'chunk' && wireChunk.index === 0 && wireChunk.bytes.byteLength === 5 + SEAL_OVERHEAD);
    const end = await sealed(alice, stream({ op: 'end', id: 1, chunks: 1, size: 5 }));
    assert.deepEqual(readStreamFrame(decode(end.data)), { op: 'end', id: 1, chunks: 1, size: 5 + SEAL_OVERHEAD });

    assert.deepEqual(readStreamFrame((await bob.open(delivered(open), 'alice')).data), { op: 'open', id: 1, size: 5, name: 'secret.txt', mime: 'text/plain' });
    const openedChunk = readStreamFrame((await bob.open(delivered(chunk), 'alice')).data);
    assert.ok(openedChunk.op === 'chunk');
    assert.equal(new TextDecoder().decode(openedChunk.bytes), 'hello');
    assert.deepEqual(readStreamFrame((await bob.open(delivered(end), 'alice')).data), { op: 'end', id: 1, chunks: 1, size: 5 });
    // A chunk moved to another index does not open.
    const moved = { ...chunk, data: encodeStreamFrame({ ...(wireChunk as { op: 'chunk'; id: number; index: number; bytes: Uint8Array }), index: 1 }) };
    await assert.rejects(bob.open(delivered(moved), 'alice'), OpenFailure);
  });
});

describe('ExternalKeyProvider', () => {
  it("prefers a sender's own key, falls back to the shared one, and keeps a retired key for the grace window", async () => {
    let now = 0;
    const keys = new ExternalKeyProvider({ graceMs: 1000, now: () => now });
    await keys.setKey(KEY_A, { keyId: 1 });
    await keys.setKey(KEY_B, { keyId: 5, identity: 'bob' });
    assert.equal(keys.encryptionKey('alice')?.keyId, 1);
    assert.equal(keys.encryptionKey('bob')?.keyId, 5);
    assert.ok(keys.decryptionKey('bob', 1), 'the shared key opens a payload of any sender');
    await keys.setKey(KEY_B, { keyId: 2 });
    assert.equal(keys.encryptionKey('alice')?.keyId, 2);
    now = 1000;
    assert.ok(keys.decryptionKey('alice', 1), 'the retired key still opens within the grace window');
    now = 1001;
    assert.equal(keys.decryptionKey('alice', 1), undefined);
    await keys.setKey(KEY_A, { keyId: 3, activate: false });
    assert.equal(keys.encryptionKey('alice')?.keyId, 2, 'a key set inactive waits');
    keys.activateKey(3);
    assert.equal(keys.encryptionKey('alice')?.keyId, 3);
    assert.throws(() => keys.activateKey(9), E2EEError);
    await assert.rejects(keys.setKey(new Uint8Array(5)), E2EEError);
    await assert.rejects(keys.setKey(KEY_A, { keyId: 256 }), E2EEError);
  });
});

describe('ReliableSender with encryption', () => {
  it('numbers at once, refuses what the overhead makes too large, and sends in order whatever order encryption ends in', async () => {
    const finish: (() => void)[] = [];
    const reliable = new ReliableSender({
      watermarks: { high: 1 << 20, low: 0 },
      limit: () => ({ bytes: 100, name: 'the test limit' }),
      // Encryption that ends when the test says, last message first.
      seal: (envelope) => ({
        placeholder: encode(new Uint8Array((envelope.data as Uint8Array).byteLength + SEAL_OVERHEAD)),
        sealed: new Promise((resolve) => finish.push(() => resolve(encode(new Uint8Array((envelope.data as Uint8Array).byteLength + SEAL_OVERHEAD).fill(1))))),
      }),
    });
    const channel = new FakeChannel();
    reliable.attach(channel);
    const sends = ['a', 'b', 'c'].map((text) => reliable.send({ kind: EnvelopeKind.message, type: 't', data: encode(text) }));
    assert.deepEqual(
      sends.map((send) => send.seq),
      [1, 2, 3],
    );
    assert.throws(() => reliable.send({ kind: EnvelopeKind.message, type: 't', data: encode('x'.repeat(60)) }), MessageError);
    finish[2]!();
    finish[1]!();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(channel.seqs(), [], 'nothing leaves before the first message is encrypted');
    finish[0]!();
    await Promise.all(sends.map((send) => send.sent));
    assert.deepEqual(channel.seqs(), [1, 2, 3]);
  });
});
