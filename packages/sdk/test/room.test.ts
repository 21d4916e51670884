import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF } from '../src/connection/backoff.js';
import { connect } from '../src/connect.js';
import { Connection } from '../src/connection/connection.js';
import { ServerList } from '../src/connection/server-list.js';
import { DataPlane } from '../src/data-channel/data-plane.js';
import { DisconnectedError, MessageError, RpcError, type MessageRejectedError } from '../src/errors.js';
import { defineMessages, type AnyMessages, type ReceivedMessage } from '../src/messages/message-types.js';
import { decode, encode, encodeDelivered, EnvelopeKind, type DeliveredEnvelope } from '../src/protocol/index.js';
import type { PeerLeftEvent } from '../src/room-events.js';
import { Room } from '../src/room.js';
import { NoMedia } from '../src/track/no-media.js';
import type { TransportSession } from '../src/transport/session.js';
import { FakeChannel } from './support/fake-channel.js';
import { joinResult, peerInfo } from './support/join-result.js';
import { wsEnvironment } from './support/ws-server.js';

interface AppMessages {
  chat: { text: string };
  control: { action: 'play' | 'pause'; at?: number };
}
const messages = defineMessages<AppMessages>();

/**
 * A Room over a Connection that never opens: the test plays the connection's part by emitting
 * its events, and watches what the room hands to fake channels.
 */
function harness<M extends object = AnyMessages>(join = joinResult()) {
  const data = new DataPlane({ high: 1024 * 1024, low: 256 * 1024 }, false);
  const connection = new Connection({
    servers: new ServerList(['ws://127.0.0.1:9/rtc']),
    token: 'unused',
    room: undefined,
    topics: null,
    environment: wsEnvironment(),
    requestTimeoutMs: 1000,
    reconnect: { enabled: true, timeoutMs: 1000, backoff: DEFAULT_BACKOFF },
    disconnectedGraceMs: 2000,
    lastReceivedSeq: () => data.receiver.lastSeq,
    createSession: () => {
      throw new Error('this connection never opens');
    },
  });
  const room = new Room<M>(connection, data, 1000, () => new NoMedia());
  const events = connection.events;
  const attach = (): { reliable: FakeChannel; lossy: FakeChannel } => {
    const channels = { reliable: new FakeChannel(), lossy: new FakeChannel() };
    events.emit('ready', { channels } as unknown as TransportSession);
    return channels;
  };
  events.emit('joined', join);
  const channels = attach();
  let roomSeq = 0;
  const deliver = (envelope: Omit<Partial<DeliveredEnvelope>, 'data'> & { data: unknown }): void => {
    const full: DeliveredEnvelope = {
      kind: EnvelopeKind.message,
      seq: ++roomSeq,
      from: 'alice',
      serverTime: 1234,
      type: 'chat',
      targeted: false,
      ...envelope,
      data: encode(envelope.data),
    };
    events.emit('data', new Uint8Array(encodeDelivered(full)).buffer);
  };
  return { room, events, data, channels, attach, deliver };
}

describe('Room', () => {
  it('exposes the join result', () => {
    const { room } = harness(joinResult({ peers: [peerInfo('alice')] }));
    assert.equal(room.peerId, 'me');
    assert.equal(room.roomName, 'lobby');
    assert.equal(room.grants.sendData, true);
    assert.equal(room.limits.maxMessageSize, 16 * 1024);
    assert.deepEqual([...room.peers.keys()], ['alice']);
    assert.equal(room.connectionState, 'connecting');
  });

  it('emits received messages as `message` and `message:<type>`', () => {
    const { room, deliver } = harness<AppMessages>();
    const all: ReceivedMessage[] = [];
    const chats: Array<{ text: string }> = [];
    let controls = 0;
    room.on('message', (message) => all.push(message));
    room.on('message:chat', (message) => chats.push(message.data));
    room.on('message:control', () => controls++);
    deliver({ type: 'chat', topic: 'news', targeted: true, data: { text: 'hi' } });
    assert.deepEqual(chats, [{ text: 'hi' }]);
    assert.equal(controls, 0);
    assert.deepEqual(all, [{ type: 'chat', data: { text: 'hi' }, from: 'alice', topic: 'news', serverTime: 1234, targeted: true, history: false }]);
    assert.equal(room.stats.received, 1);
  });

  it('emits `message:<type>` alone or with `message`, to the listeners there when each message comes', () => {
    const { room, deliver } = harness<AppMessages>();
    const got: string[] = [];
    room.on('message:chat', (message) => got.push(`chat ${message.data.text}`));
    deliver({ type: 'chat', data: { text: 'a' } });
    deliver({ type: 'control', data: { action: 'play' } });
    assert.deepEqual(got, ['chat a']);
    // A `message:<type>` listener added by a `message` listener gets that same message, as before.
    room.once('message', (message) => {
      got.push(`any ${message.type}`);
      room.on('message:control', (control) => got.push(`control ${control.data.action}`));
    });
    deliver({ type: 'control', data: { action: 'pause' } });
    deliver({ type: 'chat', data: { text: 'b' } });
    assert.deepEqual(got, ['chat a', 'any control', 'control pause', 'chat b']);
    assert.equal(room.stats.received, 4);
  });

  it('ignores its own broadcasts, which the server hands back', () => {
    const { room, deliver } = harness();
    let received = 0;
    room.on('message', () => received++);
    deliver({ from: 'me', data: { text: 'mine' } });
    deliver({ from: 'alice', data: { text: 'theirs' } });
    assert.equal(received, 1);
  });

  it('sends reliable and lossy messages with targets and topic', async () => {
    const { room, channels } = harness<AppMessages>();
    await room.send('chat', { text: 'hello' }, { to: ['alice', 'bob'], topic: 'news' });
    await room.send('control', { action: 'play' }, { to: 'alice', reliable: false });
    await room.send('chat', { text: 'by name' }, { to: { identities: ['carol'], peers: ['alice'] } });
    const [chat, byName] = channels.reliable.envelopes();
    assert.deepEqual({ ...chat, data: decode(chat!.data) }, {
      kind: EnvelopeKind.message,
      seq: 1,
      type: 'chat',
      to: ['alice', 'bob'],
      topic: 'news',
      data: { text: 'hello' },
    });
    assert.deepEqual(byName!.to, ['alice']);
    assert.deepEqual(byName!.toIdentities, ['carol']);
    const [control] = channels.lossy.envelopes();
    assert.equal(control!.to, 'alice');
    assert.deepEqual(decode(control!.data), { action: 'play' });
    assert.equal(room.stats.sent, 3);
  });

  it('refuses a message larger than the joined limit, sending nothing', async () => {
    const { room, channels } = harness(joinResult({ limits: { maxMessageSize: 64, messagesPerSecond: 1, messageBurst: 1 } }));
    await assert.rejects(room.send('chat', { text: 'x'.repeat(100) }), (error: unknown) => {
      return error instanceof MessageError && error.code === 'MESSAGE_TOO_LARGE';
    });
    await assert.rejects(room.send('chat', {}, { to: [] }), (error: unknown) => error instanceof MessageError && error.code === 'MALFORMED');
    await assert.rejects(room.send('chat', {}, { to: { identities: [] } }), (error: unknown) => error instanceof MessageError && error.code === 'MALFORMED');
    await assert.rejects(room.send('chat', {}, { to: { identities: [''] } }), (error: unknown) => error instanceof MessageError && error.code === 'MALFORMED');
    assert.equal(channels.reliable.sent.length, 0);
  });

  it('refuses to send without the sendData grant', async () => {
    const { room } = harness(joinResult({ grants: { sendData: false } }));
    await assert.rejects(room.send('chat', {}), (error: unknown) => error instanceof MessageError && error.code === 'PERMISSION_DENIED');
  });

  it('keeps the peer list from notifications and emits peer events', () => {
    const { room, events } = harness(joinResult({ peers: [peerInfo('alice')] }));
    const seen: string[] = [];
    room.on('peerJoined', ({ peer }) => seen.push(`+${peer.id}`));
    room.on('peerUpdated', ({ peer, previous }) => seen.push(`~${previous.name}>${peer.name}`));
    room.on('peerLeft', ({ peer, reason }) => seen.push(`-${peer.id}:${reason}`));
    events.emit('notification', { type: 'notification', method: 'peerJoined', data: { peer: peerInfo('bob') } });
    events.emit('notification', { type: 'notification', method: 'peerUpdated', data: { peer: peerInfo('bob', 'Bob') } });
    events.emit('notification', { type: 'notification', method: 'peerLeft', data: { peerId: 'alice', reason: 'kicked' } });
    assert.deepEqual(seen, ['+bob', '~bob>Bob', '-alice:kicked']);
    assert.deepEqual([...room.peers.keys()], ['bob']);
  });

  it('trims acknowledged messages and reports rejections, failing the RPC they carried', async () => {
    const { room, events } = harness();
    await room.send('chat', { text: 'a' });
    await room.send('chat', { text: 'b' });
    assert.equal(room.stats.unacked, 2);
    events.emit('notification', { type: 'notification', method: 'ack', data: { seq: 1 } });
    assert.equal(room.stats.unacked, 1);

    const call = room.rpc('ghost', 'ping', {});
    const rejections: MessageRejectedError[] = [];
    room.on('messageRejected', (error) => rejections.push(error));
    const error = { code: 'UNKNOWN_TARGET' as const, message: 'no peer ghost' };
    events.emit('notification', { type: 'notification', method: 'messageRejected', data: { channel: 'reliable', seq: 3, error } });
    await assert.rejects(call, (thrown: unknown) => thrown instanceof RpcError && thrown.code === 'UNKNOWN_TARGET');
    assert.equal(rejections.length, 1);
    assert.equal(rejections[0]!.seq, 3);
    assert.equal(rejections[0]!.channel, 'reliable');
  });

  it('resolves a send at default options on hand-off, before any ack, and counts a later refusal', async () => {
    const { room, events } = harness();
    await room.send('chat', { text: 'a' });
    assert.equal(room.stats.unacked, 1, 'resolved with no ack yet');
    const rejections: MessageRejectedError[] = [];
    room.on('messageRejected', (error) => rejections.push(error));
    events.emit('notification', { type: 'notification', method: 'messageRejected', data: { channel: 'reliable', seq: 1, error: { code: 'RATE_LIMITED', message: 'slow down' } } });
    assert.deepEqual(rejections.map((error) => [error.code, error.seq]), [['RATE_LIMITED', 1]]);
    assert.equal(room.stats.rejected, 1);
  });

  it('with receipt: true, settles each receipt once: accepted by the ack that covers it, refused by its messageRejected', async () => {
    const { room, events } = harness();
    const outcomes: string[] = [];
    const track = (name: string, sending: Promise<void>): Promise<void> =>
      sending.then(
        () => void outcomes.push(`${name}:ok`),
        (error: MessageRejectedError) => void outcomes.push(`${name}:${error.code}:${error.seq}`),
      );
    const receipt = { receipt: true };
    const settled = Promise.all(['a', 'b', 'c'].map((text) => track(text, room.send('chat', { text }, receipt))));
    const error = { code: 'RATE_LIMITED' as const, message: 'slow down' };
    events.emit('notification', { type: 'notification', method: 'messageRejected', data: { channel: 'reliable', seq: 2, error } });
    events.emit('notification', { type: 'notification', method: 'ack', data: { seq: 2 } });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(outcomes.sort(), ['a:ok', 'b:RATE_LIMITED:2']);
    // A repeated refusal or ack settles nothing twice.
    events.emit('notification', { type: 'notification', method: 'messageRejected', data: { channel: 'reliable', seq: 2, error } });
    events.emit('notification', { type: 'notification', method: 'ack', data: { seq: 3 } });
    await settled;
    assert.deepEqual(outcomes.sort(), ['a:ok', 'b:RATE_LIMITED:2', 'c:ok']);
  });

  it('with receipt: true, settles receipts across a resume from the join result: refusals it repeats, then its ack', async () => {
    const { room, events, attach } = harness();
    const [first, second, third] = ['a', 'b', 'c'].map((text) => room.send('chat', { text }, { receipt: true })) as [Promise<void>, Promise<void>, Promise<void>];
    const rejected: number[] = [];
    room.on('messageRejected', (error) => rejected.push(error.seq));
    events.emit('lost', new DisconnectedError('drop'));
    const error = { code: 'UNKNOWN_TARGET' as const, message: 'gone' };
    events.emit('joined', joinResult({ resumed: true, lastAcceptedSeq: 2, rejected: [{ seq: 1, error }] }));
    attach();
    await assert.rejects(first, (thrown: unknown) => (thrown as MessageRejectedError).code === 'UNKNOWN_TARGET');
    await second;
    assert.deepEqual(rejected, [1]);
    events.emit('closed', { reason: 'left', message: 'bye' });
    await assert.rejects(third, (thrown: unknown) => thrown instanceof DisconnectedError);
  });

  it('follows grant changes: its own (grantsChanged, also learnt on a resume) and other peers\'', () => {
    const { room, events } = harness(joinResult({ peers: [peerInfo('alice')] }));
    const seen: string[] = [];
    room.on('grantsChanged', ({ grants, previous }) => seen.push(`self:${String(previous.sendData)}>${String(grants.sendData)}`));
    room.on('peerGrantsChanged', ({ peerId, grants }) => seen.push(`${peerId}:${String(grants.publish)}`));
    const grants = { ...room.grants, sendData: false };
    events.emit('notification', { type: 'notification', method: 'grantsChanged', data: { grants, previous: room.grants } });
    assert.equal(room.grants.sendData, false);
    events.emit('notification', { type: 'notification', method: 'peerGrantsChanged', data: { peerId: 'alice', grants: { ...grants, publish: false } } });
    events.emit('notification', { type: 'notification', method: 'peerGrantsChanged', data: { peerId: 'stranger', grants } });
    events.emit('lost', new DisconnectedError('drop'));
    events.emit('joined', joinResult({ resumed: true, peers: [peerInfo('alice')] }));
    assert.equal(room.grants.sendData, true);
    assert.deepEqual(seen, ['self:true>false', 'alice:false', 'self:false>true']);
  });

  it('answers RPC requests on the reliable channel and fails calls to a peer that leaves', async () => {
    const { room, events, channels, deliver } = harness(joinResult({ peers: [peerInfo('alice')] }));
    room.handle('double', (payload) => (payload as number) * 2);
    deliver({ kind: EnvelopeKind.rpcRequest, type: 'double', callId: 5, targeted: true, data: 21 });
    await new Promise((resolve) => setImmediate(resolve));
    const [response] = channels.reliable.envelopes();
    assert.equal(response!.kind, EnvelopeKind.rpcResponse);
    assert.equal(response!.to, 'alice');
    assert.equal(response!.callId, 5);
    assert.deepEqual(decode(response!.data), { ok: true, result: 42 });

    const call = room.rpc('alice', 'slow', {});
    events.emit('notification', { type: 'notification', method: 'peerLeft', data: { peerId: 'alice', reason: 'left' } });
    await assert.rejects(call, (thrown: unknown) => thrown instanceof RpcError && thrown.code === 'PEER_LEFT');
  });

  it('queues reliable sends while reconnecting and replays unacknowledged ones after the resume', async () => {
    const { room, events, channels, attach, deliver } = harness(joinResult({ peers: [peerInfo('alice'), peerInfo('bob')] }));
    for (const text of ['a', 'b', 'c']) await room.send('chat', { text });
    deliver({ data: { text: 'from alice' } });
    events.emit('lost', new DisconnectedError('drop'));
    const during = room.send('chat', { text: 'd' });
    await room.send('chat', { text: 'lossy' }, { reliable: false });
    assert.equal(room.stats.lossyDropped, 1);
    assert.equal(room.stats.queued, 4);

    const peerEvents: string[] = [];
    room.on('peerJoined', ({ peer }) => peerEvents.push(`+${peer.id}`));
    room.on('peerLeft', ({ peer, reason }: PeerLeftEvent) => peerEvents.push(`-${peer.id}:${String(reason)}`));
    events.emit('joined', joinResult({ resumed: true, lastAcceptedSeq: 1, peers: [peerInfo('alice'), peerInfo('carol')] }));
    const after = attach();
    await during;
    assert.deepEqual(channels.reliable.seqs(), [1, 2, 3]);
    assert.deepEqual(after.reliable.seqs(), [2, 3, 4]);
    assert.deepEqual(peerEvents, ['-bob:undefined', '+carol']);
  });

  it('ends with `disconnected`, failing queued sends, pending calls and later sends', async () => {
    const { room, events } = harness();
    events.emit('lost', new DisconnectedError('drop'));
    const queued = room.send('chat', { text: 'queued' });
    const call = room.rpc('alice', 'ping', {});
    const ended = new Promise((resolve) => room.on('disconnected', resolve));
    events.emit('closed', { reason: 'kicked', message: 'bye' });
    assert.deepEqual(await ended, { reason: 'kicked', message: 'bye' });
    await assert.rejects(queued, (error: unknown) => error instanceof DisconnectedError && error.code === 'DISCONNECTED');
    await assert.rejects(call, (error: unknown) => error instanceof RpcError && error.code === 'DISCONNECTED');
    await assert.rejects(room.send('chat', {}), (error: unknown) => error instanceof DisconnectedError);
    await assert.rejects(room.send('chat', {}, { reliable: false }), (error: unknown) => error instanceof DisconnectedError);
  });
});

// Compile-time checks of the typed message map, never called: `npx tsc -p tsconfig.json` fails if
// a line marked as an expected error compiles, or if an unmarked line does not.
export function typedMessageChecks(room: Room<AppMessages>, untyped: Room): void {
  void room.send('chat', { text: 'hi' });
  void room.send('control', { action: 'pause', at: 3 }, { to: ['a', 'b'], reliable: false, topic: 't' });
  // @ts-expect-error an unknown message type
  void room.send('chta', { text: 'hi' });
  // @ts-expect-error a payload of the wrong shape
  void room.send('chat', { text: 1 });
  // @ts-expect-error a value outside the union
  void room.send('control', { action: 'stop' });
  room.on('message:control', (message) => {
    const action: 'play' | 'pause' = message.data.action;
    // @ts-expect-error control messages have no text
    void message.data.text;
    void action;
  });
  // @ts-expect-error no such message type to listen to
  room.on('message:nope', () => undefined);
  room.on('message', (message) => {
    if (message.type === 'chat') {
      const text: string = message.data.text;
      void text;
    }
  });
  // Without a map, any type and payload goes.
  void connect('ws://127.0.0.1:1', 'token').then((room) => void room.send('anything', [1, 2]));
  void untyped.send('anything', { at: 1 });
  untyped.on('message:anything', (message) => void message.data);
}

// `connect` takes the map from its `messages` option.
export async function connectInfersTheMap(): Promise<void> {
  const room = await connect('ws://127.0.0.1:1', 'token', { messages });
  await room.send('chat', { text: 'typed' });
  // @ts-expect-error not in the map given to connect
  await room.send('nope', {});
}
