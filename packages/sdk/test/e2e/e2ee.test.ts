import assert from 'node:assert/strict';
import { DEV_SECRETS } from '../../../server/src/config.js';
import { E2EEError, ExternalKeyProvider, MessageError, type DecryptionFailedEvent, type DirectChannel, type DirectMessage, type IncomingStream, type Room } from '../../src/index.js';
import { encode, encodeOutgoing, EnvelopeKind } from '../../src/protocol/index.js';
import { syntheticCamera } from './media-sources.js';
import { SdkFixture, sleep, waitFor, type TestPeer } from './sdk-peers.js';

type Messages = { chat: { text: string }; n: { n: number }; blob: Uint8Array; file: null };

const ROOM_KEY = new Uint8Array(32).fill(1);
const NEXT_KEY = new Uint8Array(32).fill(2);
const WRONG_KEY = new Uint8Array(32).fill(3);
const SECRET = 'attack at dawn';
const QUIET_MS = 500;
const DIRECT = { claims: { grants: { publish: true, subscribe: true, sendData: true, receiveData: true, direct: true } } };
const FLAGS = ['--history-limit', '20', '--history-types', 'chat', '--messages-per-second', '10000', '--message-burst', '10000'];

async function keysOf(key: Uint8Array | undefined, keyId = 0): Promise<ExternalKeyProvider> {
  const keys = new ExternalKeyProvider();
  if (key !== undefined) await keys.setKey(key, { keyId });
  return keys;
}

function failures(room: Room<Messages>): DecryptionFailedEvent[] {
  const seen: DecryptionFailedEvent[] = [];
  room.on('decryptionFailed', (event) => seen.push(event));
  return seen;
}

function texts(peer: TestPeer<Messages>): string[] {
  return peer.inbox.filter((m) => m.type === 'chat').map((m) => (m.data as { text: string }).text);
}

// True when `bytes` hold the UTF-8 or MessagePack text `needle` anywhere.
function holds(bytes: Uint8Array, needle: string): boolean {
  return Buffer.from(bytes).includes(Buffer.from(needle));
}

describe('SDK end to end: end-to-end encrypted data between Node peers', function () {
  this.timeout(60000);
  let f: SdkFixture;

  before(async () => (f = await SdkFixture.start(FLAGS)));
  after(() => f.close());

  it('delivers messages, RPC and streams to key holders while the server, its history and a keyless peer see only ciphertext', async () => {
    const alice = await f.join<Messages>('e1', 'alice', { e2ee: { keyProvider: await keysOf(ROOM_KEY) } });
    const bob = await f.join<Messages>('e1', 'bob', { e2ee: { keyProvider: await keysOf(ROOM_KEY) } });
    // Carol joins without encryption: she gets what the server forwards, as it forwards it.
    const carol = await f.join<Messages>('e1', 'carol');
    await waitFor(() => alice.room.peers.size === 2 && bob.room.peers.size === 2, 'everyone to see everyone');
    bob.room.handle('echo', (payload) => ({ echoed: payload }));

    await alice.room.send('chat', { text: SECRET });
    await alice.room.send('chat', { text: 'to bob only' }, { to: bob.room.peerId });
    await alice.room.send('chat', { text: 'lossy' }, { reliable: false });
    assert.deepEqual(await alice.room.rpc(bob.room.peerId, 'echo', { text: SECRET }), { echoed: { text: SECRET } });
    const incoming = new Promise<IncomingStream>((resolve) => bob.room.once('stream', resolve));
    const handle = alice.room.sendStream('file', new TextEncoder().encode(`${SECRET} `.repeat(1000)), { name: 'plans.txt', mime: 'text/plain' });
    const stream = await incoming;
    assert.deepEqual([stream.name, stream.mime, stream.size], ['plans.txt', 'text/plain', (SECRET.length + 1) * 1000]);
    assert.equal(await stream.text(), `${SECRET} `.repeat(1000));
    await handle.done;

    await waitFor(() => texts(bob).length >= 2, 'bob to get his messages');
    await sleep(QUIET_MS);
    assert.deepEqual(texts(bob).filter((t) => t !== 'lossy'), [SECRET, 'to bob only']);

    const atCarol = carol.inbox.filter((m) => m.type === 'chat');
    assert.equal(atCarol.length, 2, 'carol gets the broadcasts (reliable and lossy)');
    for (const message of atCarol) {
      assert.ok(message.data instanceof Uint8Array, 'a peer without encryption sees an opaque binary payload');
      assert.equal(holds(message.data, SECRET) || holds(message.data, 'lossy'), false);
    }

    const response = await fetch(`${f.server.server.url}/api/rooms/e1/history`, { headers: { authorization: `Bearer ${DEV_SECRETS.apiSecret}` } });
    const history = await response.text();
    assert.equal(response.status, 200);
    assert.ok(history.includes('"chat"'), 'the history keeps the messages, by their clear type');
    assert.equal(history.includes(SECRET), false, 'the server stores no plaintext');

    // What a peer without encryption sends does not pass for a message at an encrypting peer.
    const atBob = failures(bob.room);
    await carol.room.send('chat', { text: 'in clear' });
    await waitFor(() => atBob.length === 1, 'bob to drop the clear message');
    assert.deepEqual([atBob[0]!.identity, atBob[0]!.reason], ['carol', 'notEncrypted']);
    assert.equal(texts(bob).includes('in clear'), false);

    // A late joiner with the key reads the history.
    const dave = await f.join<Messages>('e1', 'dave', { e2ee: { keyProvider: await keysOf(ROOM_KEY) } });
    await waitFor(() => texts(dave).length === 1, 'dave to read the history');
    assert.deepEqual(texts(dave), [SECRET]);
    assert.equal(dave.inbox[0]!.history, true);
  });

  it('gives a peer with a wrong key or none a typed decryptionFailed event for every payload, never a message', async () => {
    const alice = await f.join<Messages>('e2', 'alice', { e2ee: { keyProvider: await keysOf(ROOM_KEY, 4) } });
    const eve = await f.join<Messages>('e2', 'eve', { e2ee: { keyProvider: await keysOf(WRONG_KEY, 4) } });
    const mallory = await f.join<Messages>('e2', 'mallory', { e2ee: { keyProvider: await keysOf(undefined) } });
    await waitFor(() => alice.room.peers.size === 2, 'alice to see both');
    const atEve = failures(eve.room);
    const atMallory = failures(mallory.room);
    await alice.room.send('chat', { text: SECRET });
    alice.room.sendStream('file', new Uint8Array(10).fill(5));
    await waitFor(() => atEve.length >= 1 && atMallory.length >= 1, 'the failures');
    await sleep(QUIET_MS);
    assert.equal(eve.inbox.length + mallory.inbox.length, 0);
    const [first] = atEve;
    assert.deepEqual([first!.from, first!.identity, first!.type, first!.source, first!.keyId, first!.reason], [alice.room.peerId, 'alice', 'chat', 'message', 4, 'badCiphertext']);
    assert.ok(first!.error instanceof E2EEError && first!.error.code === 'E2EE_DECRYPTION_FAILED');
    assert.equal(atMallory[0]!.reason, 'noKey');
    assert.ok(atEve.some((event) => event.source === 'stream'));
    // Mallory, without a key, cannot send either: refused at once, typed, nothing sent.
    await assert.rejects(mallory.room.send('chat', { text: 'x' }), (error: unknown) => error instanceof E2EEError && error.code === 'E2EE_NO_KEY');
  });

  it('keeps the order of many reliable messages sent at once, and loses none across a key rotation', async () => {
    const senderKeys = await keysOf(ROOM_KEY, 1);
    const receiverKeys = await keysOf(ROOM_KEY, 1);
    const alice = await f.join<Messages>('e3', 'alice', { e2ee: { keyProvider: senderKeys } });
    const bob = await f.join<Messages>('e3', 'bob', { e2ee: { keyProvider: receiverKeys } });
    await waitFor(() => alice.room.peers.size === 1, 'alice to see bob');
    const count = 300;
    const sends: Promise<void>[] = [];
    for (let n = 0; n < count; n++) {
      if (n === count / 2) {
        // Rotation: the receiver gets the new key, then the sender switches; messages still in
        // flight under key 1 open with the retired key.
        await receiverKeys.setKey(NEXT_KEY, { keyId: 2, activate: false });
        await senderKeys.setKey(NEXT_KEY, { keyId: 2 });
      }
      sends.push(alice.room.send('n', { n }));
    }
    await Promise.all(sends);
    await waitFor(() => bob.inbox.length === count, 'bob to get every message');
    assert.deepEqual(
      bob.inbox.map((m) => (m.data as { n: number }).n),
      Array.from({ length: count }, (_, n) => n),
    );
  });

  it("opens per-sender keys by the sender's identity", async () => {
    const aliceKeys = new ExternalKeyProvider();
    await aliceKeys.setKey(NEXT_KEY, { identity: 'alice', keyId: 7 });
    const bobKeys = new ExternalKeyProvider();
    await bobKeys.setKey(NEXT_KEY, { identity: 'alice', keyId: 7 });
    await bobKeys.setKey(ROOM_KEY, { identity: 'bob', keyId: 7 });
    const alice = await f.join<Messages>('e4', 'alice', { e2ee: { keyProvider: aliceKeys } });
    const bob = await f.join<Messages>('e4', 'bob', { e2ee: { keyProvider: bobKeys } });
    await waitFor(() => alice.room.peers.size === 1, 'alice to see bob');
    const atAlice = failures(alice.room);
    await alice.room.send('chat', { text: 'from alice' });
    await bob.room.send('chat', { text: 'from bob' });
    await waitFor(() => texts(bob).length === 1 && atAlice.length === 1, 'delivery and failure');
    assert.deepEqual(texts(bob), ['from alice']);
    assert.deepEqual([atAlice[0]!.identity, atAlice[0]!.reason], ['bob', 'noKey'], "alice does not hold bob's key");
  });

  it('refuses with MESSAGE_TOO_LARGE a message that fits in clear but not with the encryption overhead', async () => {
    const plain = await f.join<Messages>('e5', 'plain');
    const sealed = await f.join<Messages>('e5', 'sealed', { e2ee: { keyProvider: await keysOf(ROOM_KEY) } });
    const limit = plain.room.limits.maxMessageSize;
    // The largest binary payload whose envelope fits the limit in clear.
    let size = limit - 64;
    while (encodeOutgoing({ kind: EnvelopeKind.message, seq: 1, type: 'blob', data: encode(new Uint8Array(size + 1)) }).byteLength <= limit) size++;
    await plain.room.send('blob', new Uint8Array(size));
    await assert.rejects(sealed.room.send('blob', new Uint8Array(size)), (error: unknown) => error instanceof MessageError && error.code === 'MESSAGE_TOO_LARGE');
    await assert.rejects(sealed.room.send('blob', new Uint8Array(size), { reliable: false }), (error: unknown) => error instanceof MessageError && error.code === 'MESSAGE_TOO_LARGE');
    await sealed.room.send('blob', new Uint8Array(size - 40));
  });

  it('encrypts direct channel payloads on the peer-to-peer path and on the relay, in order', async () => {
    for (const [room, relay] of [
      ['e6', false],
      ['e7', true],
    ] as const) {
      // Without ICE candidates the channel can only use the relay, through the server.
      const path = relay ? { candidateFilter: () => false, fallbackMs: 300 } : {};
      const alice = await f.join<Messages>(room, 'alice', { ...DIRECT, e2ee: { keyProvider: await keysOf(ROOM_KEY) }, direct: { incoming: 'accept', ...path } });
      const bob = await f.join<Messages>(room, 'bob', { ...DIRECT, e2ee: { keyProvider: await keysOf(ROOM_KEY) }, direct: { incoming: 'accept', ...path } });
      const eve = await f.join<Messages>(room, 'eve', { ...DIRECT, e2ee: { keyProvider: await keysOf(WRONG_KEY) }, direct: { incoming: 'accept', ...path } });
      await waitFor(() => alice.room.peers.size === 2, 'alice to see both');
      const atBob: DirectMessage[] = [];
      bob.room.on('directChannel', (channel) => channel.on('message', (message) => atBob.push(message)));
      const atEve = failures(eve.room);
      const toBob = (await alice.room.openDirect(bob.room.peerId, path)) as unknown as DirectChannel<Messages>;
      const toEve = (await alice.room.openDirect(eve.room.peerId, path)) as unknown as DirectChannel<Messages>;
      assert.equal(toBob.path, relay ? 'relay' : 'direct');
      await Promise.all(Array.from({ length: 50 }, (_, n) => toBob.send('n', { n })));
      await toEve.send('chat', { text: SECRET });
      await waitFor(() => atBob.length === 50 && atEve.length === 1, 'the messages and the failure');
      assert.deepEqual(
        atBob.map((m) => (m.data as { n: number }).n),
        Array.from({ length: 50 }, (_, n) => n),
      );
      assert.deepEqual([atEve[0]!.source, atEve[0]!.reason, atEve[0]!.identity], ['direct', 'badCiphertext', 'alice']);
    }
  });

  it('refuses to publish media it cannot encrypt (Node has no encoded streams), sending nothing in clear', async () => {
    const alice = await f.join<Messages>('e8', 'alice', { e2ee: { keyProvider: await keysOf(ROOM_KEY) } });
    const camera = syntheticCamera();
    try {
      const error = await alice.room.publish(camera.track).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof E2EEError, `expected an E2EEError, got ${String(error)}`);
      assert.equal(error.code, 'UNSUPPORTED');
      assert.equal(alice.room.localTracks.size, 0);
    } finally {
      camera.stop();
    }
  });
});
