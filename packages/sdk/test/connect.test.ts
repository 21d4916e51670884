import assert from 'node:assert/strict';
import { connect, signalingUrl, type ConnectOptions } from '../src/connect.js';
import type { ConnectionState, DisconnectedEvent } from '../src/connection/connection.js';
import { DisconnectedError, RequestError } from '../src/errors.js';
import { decode, decodeOutgoing, encode, encodeDelivered, EnvelopeKind, isBatch, PROTOCOL_VERSION, unpackBatch } from '../src/protocol/index.js';
import type { Room } from '../src/room.js';
import { FakeSignalingServer } from './support/fake-server.js';
import { peerInfo } from './support/join-result.js';
import { FakeWebRtc } from './support/fake-webrtc.js';

function delivered(seq: number, text: string): Uint8Array {
  return encodeDelivered({ kind: EnvelopeKind.message, seq, from: 'alice', serverTime: 1, type: 'chat', targeted: false, data: encode({ text }) });
}

function hasUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.some(hasUndefined);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) return Object.values(value).some(hasUndefined);
  return false;
}

/** The next `disconnected` event. */
function ended(room: Room): Promise<DisconnectedEvent> {
  return new Promise((resolve) => room.once('disconnected', resolve));
}

/** Resolves when the room's connection reaches `state`. */
function reaches(room: Room, state: ConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const stop = room.on('connectionStateChanged', (change) => {
      if (change.state !== state) return;
      stop();
      resolve();
    });
  });
}

describe('connect() against a fake signaling server and fake WebRTC', function () {
  this.timeout(5000);
  let server: FakeSignalingServer;
  let rtc: FakeWebRtc;
  let rooms: Room[];

  beforeEach(async () => {
    server = await FakeSignalingServer.start();
    rtc = new FakeWebRtc();
    rooms = [];
  });

  afterEach(async () => {
    for (const room of rooms) await room.leave();
    await server.close();
  });

  async function join(options: ConnectOptions = {}): Promise<Room> {
    const room = await connect(server.baseUrl, 'the-token', {
      environment: rtc.environment,
      requestTimeoutMs: 1000,
      reconnect: { timeoutMs: 2000, backoff: { initialDelayMs: 10, maxDelayMs: 50 } },
      ...options,
    });
    rooms.push(room);
    return room;
  }

  it('appends the signaling path to the URL', () => {
    assert.equal(signalingUrl('ws://127.0.0.1:8080'), 'ws://127.0.0.1:8080/rtc');
    assert.equal(signalingUrl('wss://example.com/switchboard/'), 'wss://example.com/switchboard/rtc');
    assert.equal(signalingUrl('ws://127.0.0.1:8080/rtc'), 'ws://127.0.0.1:8080/rtc');
  });

  it('joins, sets up both channels, applies initial topics and sends', async () => {
    const room = await join({ topics: ['news'], room: 'lobby' });
    assert.equal(room.connectionState, 'connected');
    assert.deepEqual(server.joins, [{ protocolVersion: PROTOCOL_VERSION, token: 'the-token', room: 'lobby', topics: ['news'] }]);
    const produced = server.requests('produceData');
    assert.deepEqual(produced.map((p) => [p.channel, p.label, p.transportId]).sort(), [
      ['lossy', 'lossy', rtc.transports[0]!.id],
      ['reliable', 'reliable', rtc.transports[0]!.id],
    ]);
    const lossyStream = produced.find((p) => p.channel === 'lossy')!.sctpStreamParameters as { ordered: boolean; maxRetransmits: number };
    assert.equal(lossyStream.ordered, false);
    assert.equal(lossyStream.maxRetransmits, 0);
    assert.deepEqual(server.requests('connectTransport').map((r) => r.transportId).sort(), rtc.transports.map((t) => t.id).sort());
    assert.deepEqual(server.requests('setTopics'), [], 'the filter travels with the join, not after it');

    await room.send('chat', { text: 'hi' });
    await endOfTask();
    assert.deepEqual(decode(decodeOutgoing(rtc.sent.reliable![0]!).data), { text: 'hi' });
    // msgpackr decodes its `undefined` extension back to undefined; standard MessagePack has none.
    assert.deepEqual(server.ws.frames.filter((frame) => hasUndefined(frame)), []);
  });

  it('delivers what arrives on the receive channels', async () => {
    const room = await join();
    const got = new Promise((resolve) => room.on('message:chat', (message) => resolve(message.data)));
    rtc.receive('reliable', delivered(1, 'over the wire'));
    assert.deepEqual(await got, { text: 'over the wire' });
  });

  it('rejects with the server error when the join fails, leaving nothing open', async () => {
    server.joinError = { code: 'INVALID_TOKEN', message: 'bad signature' };
    await assert.rejects(join(), (error: unknown) => error instanceof RequestError && error.code === 'INVALID_TOKEN');
    assert.equal(rtc.transports.length, 0);
  });

  it('resumes after the socket drops and replays what the server did not accept, in order', async () => {
    const room = await join();
    rtc.receive('reliable', delivered(7, 'seen before the drop'));
    for (const text of ['a', 'b', 'c']) await room.send('chat', { text });
    await endOfTask();
    const states: ConnectionState[] = [];
    room.on('connectionStateChanged', ({ state }) => states.push(state));
    const reconnecting = reaches(room, 'reconnecting');
    server.lastAcceptedSeq = 1;
    server.drop();
    await reconnecting;
    const during = room.send('chat', { text: 'd' });
    await reaches(room, 'connected');
    await during;
    await endOfTask();

    assert.deepEqual(states, ['reconnecting', 'connected']);
    const { rtpCapabilities, ...resumeJoin } = server.joins[1]!;
    assert.deepEqual(resumeJoin, { protocolVersion: PROTOCOL_VERSION, resume: { peerId: 'me', resumeKey: 'resume-secret', lastReceivedSeq: 7, room: 'lobby' } });
    assert.ok(rtpCapabilities?.codecs?.length, 'a resume tells the server what the device can receive');
    const seqs = rtc.sent.reliable!.flatMap((bytes) => (isBatch(bytes) ? unpackBatch(bytes) : [bytes])).map((bytes) => decodeOutgoing(bytes).seq);
    assert.deepEqual(seqs, [1, 2, 3, 2, 3, 4]);
    assert.equal(room.peerId, 'me');
  });

  // A notification the server sent after its join answer reflects news the answer's peer list
  // lacks; read from the same chunk, it must still apply after the answer, never be dropped.
  it('applies notifications that arrive in the same chunk as the join answer, after it', async () => {
    server.afterJoin = [{ method: 'peerJoined', data: { peer: peerInfo('bob') } }];
    const room = await join();
    assert.deepEqual([...room.peers.keys()], ['bob']);
  });

  it('applies notifications that arrive in the same chunk as a resume answer, after it', async () => {
    server.peers = [peerInfo('bob')];
    const room = await join();
    const left: string[] = [];
    room.on('peerLeft', ({ peer }) => left.push(peer.id));
    server.afterJoin = [{ method: 'peerLeft', data: { peerId: 'bob', reason: 'left' } }];
    const reconnected = reaches(room, 'connected');
    server.drop();
    await reconnected;
    assert.deepEqual([...room.peers.keys()], []);
    assert.deepEqual(left, ['bob']);
  });

  it('resumes when a transport fails while the socket stays up', async () => {
    const room = await join();
    const reconnected = reaches(room, 'connected');
    rtc.setConnectionState(rtc.transports[1]!, 'failed');
    await reconnected;
    assert.equal(server.joins.length, 2);
    assert.ok(server.joins[1]!.resume);
    // The old socket, kept open in case the server explained the failure there, is closed now.
    const old = server.ws.sockets[0]!;
    if (old.readyState !== old.CLOSED) await new Promise((resolve) => old.once('close', resolve));
    assert.equal(room.connectionState, 'connected');
  });

  it('does not reconnect when the server closes the session', async () => {
    const room = await join();
    const end = ended(room);
    const pending = room.rpc('alice', 'ping', {});
    server.notify('closed', { reason: 'kicked', message: 'by the admin' });
    assert.deepEqual(await end, { reason: 'kicked', message: 'by the admin' });
    await assert.rejects(pending, (error: unknown) => (error as { code?: string }).code === 'DISCONNECTED');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.joins.length, 1);
    assert.equal(room.connectionState, 'disconnected');
  });

  it('takes the server close reason even when the transports fail before it arrives', async () => {
    const room = await join();
    const end = ended(room);
    server.joinError = { code: 'RESUME_FAILED', message: 'no such session' };
    // The server ends the session: its transports close, and `closed` is on the old socket.
    rtc.setConnectionState(rtc.transports[0]!, 'failed');
    server.notify('closed', { reason: 'duplicateIdentity', message: 'joined elsewhere' });
    assert.deepEqual(await end, { reason: 'duplicateIdentity', message: 'joined elsewhere' });
  });

  it('gives up with resumeFailed when the server refuses the resume, failing queued sends', async () => {
    const room = await join();
    const end = ended(room);
    server.joinError = { code: 'RESUME_FAILED', message: 'too late' };
    server.drop();
    await reaches(room, 'reconnecting');
    const queued = room.send('chat', { text: 'never' });
    const event = await end;
    assert.equal(event.reason, 'resumeFailed');
    assert.equal(event.error?.code, 'RESUME_FAILED');
    await assert.rejects(queued, (error: unknown) => error instanceof DisconnectedError && error.code === 'DISCONNECTED');
    assert.equal(server.joins.length, 2);
  });

  it('keeps retrying a resume answered UNAVAILABLE (a media worker restarting) until it is served', async () => {
    const room = await join();
    server.joinError = { code: 'UNAVAILABLE', message: 'no media worker is available yet' };
    server.drop();
    await reaches(room, 'reconnecting');
    while (server.joins.length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    const reconnected = reaches(room, 'connected');
    server.joinError = undefined;
    await reconnected;
    assert.equal(room.peerId, 'me');
  });

  it('gives up with reconnectTimeout when the server stays unreachable', async () => {
    const room = await join({ reconnect: { timeoutMs: 300, backoff: { initialDelayMs: 20, maxDelayMs: 50 } } });
    const end = ended(room);
    const started = Date.now();
    server.answering = false;
    server.drop();
    const event = await end;
    assert.equal(event.reason, 'reconnectTimeout');
    assert.ok(Date.now() - started < 1500, `gave up after ${Date.now() - started} ms`);
    assert.ok(server.joins.length >= 2);
  });

  it('ends with connectionLost when reconnecting is off', async () => {
    const room = await join({ reconnect: { enabled: false } });
    const end = ended(room);
    server.drop();
    assert.equal((await end).reason, 'connectionLost');
    assert.equal(server.joins.length, 1);
  });

  it('waits through a reconnect to send a request', async () => {
    const room = await join();
    server.drop();
    await reaches(room, 'reconnecting');
    const self = await room.updateSelf({ name: 'Renamed' });
    assert.equal(self.name, 'Renamed');
    assert.equal(room.self.name, 'Renamed');
    assert.equal(server.requests('updateSelf').length, 1);
  });

  it('leaves: tells the server, ends with reason left, closes the transports', async () => {
    const room = await join();
    const end = ended(room);
    await room.leave();
    assert.equal((await end).reason, 'left');
    assert.equal(server.requests('leave').length, 1);
    assert.ok(rtc.transports.every((transport) => transport.closed));
  });
});

/** Lets the sends of the current task leave: the SDK coalesces them until it ends. */
function endOfTask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
