import { assert } from 'chai';
import {
  browserEnvironment,
  connect,
  defineMessages,
  DisconnectedError,
  MessageError,
  MessageRejectedError,
  RequestError,
  RpcError,
  type AnyMessages,
  type ConnectOptions,
  type ConnectionState,
  type Environment,
  type MessageMap,
  type ReceivedMessage,
  type Room,
  type RoomEvents,
} from '../../src/index.js';

// Three SDK clients in one page, each with its own signaling socket and WebRTC transports,
// exchanging messages through a real Switchboard server (started by karma, see
// scripts/karma-switchboard-server.cjs).

interface TestServer {
  wsUrl: string;
  httpUrl: string;
}

// How long to wait for something that should happen; how long to watch for something that
// should not. Both bounded, so a broken build fails instead of hanging.
const EVENT_TIMEOUT_MS = 5000;
const SILENCE_MS = 500;

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function uniqueRoom(label: string): string {
  return `browser-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Resolves with the next `event` of `room` that `accept`s, or rejects after `timeoutMs`. */
function nextEvent<M extends MessageMap, K extends keyof RoomEvents<M>>(
  room: Room<M>,
  event: K,
  accept: (payload: RoomEvents<M>[K]) => boolean = () => true,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<RoomEvents<M>[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${String(event)} event on ${room.self.identity} within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = room.on(event, (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      stop();
      resolve(payload);
    });
  });
}

/** Every `message` event of `room` from now on, in arrival order. */
function record<M extends MessageMap>(room: Room<M>): ReceivedMessage[] {
  const received: ReceivedMessage[] = [];
  room.on('message', (message) => received.push(message as ReceivedMessage));
  return received;
}

/** Resolves once `check()` holds, polling; rejects after `timeoutMs` with `what`. */
async function until(check: () => boolean, what: string, timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Room through a real Switchboard server', function () {
  this.timeout(30_000);

  let server: TestServer;
  let rooms: Room<MessageMap>[] = [];

  before(async () => {
    server = await getJson<TestServer>('/switchboard-test-server');
  });

  afterEach(async () => {
    const open = rooms;
    rooms = [];
    await Promise.all(open.map((room) => room.leave().catch(() => undefined)));
  });

  async function tokenFor(roomName: string, identity: string, grants?: string[]): Promise<string> {
    const query = new URLSearchParams({ room: roomName, identity });
    if (grants !== undefined) query.set('grants', grants.join(','));
    return (await getJson<{ token: string }>(`/switchboard-test-server/token?${query}`)).token;
  }

  /** Joins `roomName` as `identity` with a token from the test server; left after each test. */
  async function join<M extends MessageMap = AnyMessages>(
    roomName: string,
    identity: string,
    options: ConnectOptions<M> & { grants?: string[] } = {},
  ): Promise<Room<M>> {
    const { grants, ...connectOptions } = options;
    const token = await tokenFor(roomName, identity, grants);
    const room = await connect<M>(server.wsUrl, token, { room: roomName, ...connectOptions });
    rooms.push(room as Room<MessageMap>);
    return room;
  }

  /** A, B and C in a fresh room, each knowing the other two. */
  async function threePeers<M extends MessageMap = AnyMessages>(
    label: string,
    options: ConnectOptions<M> = {},
  ): Promise<[Room<M>, Room<M>, Room<M>]> {
    const name = uniqueRoom(label);
    const a = await join<M>(name, 'alice', options);
    const b = await join<M>(name, 'bob', options);
    const c = await join<M>(name, 'carol', options);
    const all = [a, b, c];
    for (const room of all) {
      const others = all.filter((other) => other !== room).map((other) => other.peerId);
      await until(() => others.every((id) => room.peers.has(id)), `${room.self.identity} to see the other two peers`);
    }
    return [a, b, c];
  }

  it('joins with the session the server reported', async () => {
    const name = uniqueRoom('join');
    const a = await join(name, 'alice');
    assert.equal(a.roomName, name);
    assert.equal(a.self.identity, 'alice');
    assert.equal(a.peerId, a.self.id);
    assert.isNotEmpty(a.peerId);
    assert.equal(a.connectionState, 'connected');
    assert.isTrue(a.grants.sendData);
    assert.isTrue(a.grants.receiveData);
    assert.isAbove(a.limits.maxMessageSize, 0);
    assert.equal(a.peers.size, 0);
  });

  it('broadcasts typed data to every other peer, stamped with the sender, not echoed back', async () => {
    const [a, b, c] = await threePeers('broadcast');
    const atA = record(a);
    const atC = record(c);
    const data = {
      text: 'héllo 👋',
      count: 42,
      negative: -7,
      ratio: 0.25,
      big: 2 ** 40,
      flag: true,
      none: null,
      tags: ['x', 'y'],
      nested: { deeper: { list: [1, { two: 2 }], bytes: new Uint8Array([9, 8, 7]) } },
      bytes: new Uint8Array([0, 1, 127, 128, 255]),
    };
    const atB = nextEvent(b, 'message', (message) => message.type === 'state');
    const before = Date.now();
    await a.send('state', data);
    const got = await atB;

    assert.equal(got.from, a.peerId);
    assert.equal(got.type, 'state');
    assert.isFalse(got.targeted);
    assert.isUndefined(got.topic);
    assert.deepEqual(got.data, data);
    const bytes = (got.data as typeof data).bytes;
    assert.instanceOf(bytes, Uint8Array);
    assert.instanceOf((got.data as typeof data).nested.deeper.bytes, Uint8Array);
    assert.approximately(got.serverTime, before, 60_000);

    await until(() => atC.length > 0, 'carol to get the broadcast');
    assert.equal(atC[0]!.from, a.peerId);
    assert.deepEqual(atC[0]!.data, data);
    assert.isFalse(atC[0]!.targeted);

    // A later message from B reaching A shows A's channel works; A's own broadcast must not be there.
    const fromB = nextEvent(a, 'message', (message) => message.type === 'marker');
    await b.send('marker', null);
    assert.equal((await fromB).from, b.peerId);
    await sleep(SILENCE_MS);
    assert.deepEqual(
      atA.map((message) => [message.type, message.from]),
      [['marker', b.peerId]],
      'alice got only bob\'s marker, not her own broadcast',
    );
    assert.deepEqual(
      atC.map((message) => [message.type, message.from]),
      [
        ['state', a.peerId],
        ['marker', b.peerId],
      ],
      'carol got the broadcast exactly once, then bob\'s marker',
    );
  });

  it('delivers a targeted message to the target only', async () => {
    const [a, b, c] = await threePeers('targeted');
    const atC = record(c);
    const atB = nextEvent(b, 'message');
    await a.send('whisper', { secret: 'for bob', at: [1, 2, 3] }, { to: b.peerId });
    const got = await atB;
    assert.equal(got.type, 'whisper');
    assert.equal(got.from, a.peerId);
    assert.isTrue(got.targeted);
    assert.deepEqual(got.data, { secret: 'for bob', at: [1, 2, 3] });

    await sleep(SILENCE_MS);
    assert.deepEqual(atC, [], 'carol got nothing');

    // Carol's receive path works, so her silence above was not a broken channel.
    const atCLater = nextEvent(c, 'message');
    await a.send('whisper', { secret: 'for carol' }, { to: c.peerId });
    assert.deepEqual((await atCLater).data, { secret: 'for carol' });
  });

  it('delivers a message sent to a list of peers to each of them', async () => {
    const [a, b, c] = await threePeers('list');
    const atA = record(a);
    const atB = nextEvent(b, 'message', (message) => message.type === 'group');
    const atC = nextEvent(c, 'message', (message) => message.type === 'group');
    await a.send('group', { n: 1 }, { to: [b.peerId, c.peerId] });
    const [gotB, gotC] = await Promise.all([atB, atC]);
    for (const got of [gotB, gotC]) {
      assert.equal(got.from, a.peerId);
      assert.isTrue(got.targeted);
      assert.deepEqual(got.data, { n: 1 });
    }
    await sleep(SILENCE_MS);
    assert.deepEqual(atA, [], 'the sender got nothing back');
  });

  it('types messages with defineMessages and emits message:<type> events', async () => {
    const messages = defineMessages<{
      chat: { text: string; mentions: string[] };
      cursor: { x: number; y: number };
    }>();
    const [a, b] = await threePeers('typed', { messages });
    const cursors: Array<{ x: number; y: number }> = [];
    b.on('message:cursor', (message) => cursors.push(message.data));
    const chat = nextEvent(b, 'message:chat');
    await a.send('chat', { text: 'hi bob', mentions: ['bob'] });
    const got = await chat;
    // The compiler knows the payload's shape: no casts needed.
    const text: string = got.data.text;
    assert.equal(got.type, 'chat');
    assert.equal(text, 'hi bob');
    assert.deepEqual(got.data.mentions, ['bob']);
    assert.equal(got.from, a.peerId);
    assert.deepEqual(cursors, [], 'a chat message is not a cursor message');

    const cursor = nextEvent(b, 'message:cursor');
    await a.send('cursor', { x: 3, y: 4 });
    assert.deepEqual((await cursor).data, { x: 3, y: 4 });
  });

  it('calls a method on another peer and returns its result', async () => {
    const [a, b] = await threePeers('rpc');
    const calls: Array<{ payload: unknown; from: string; method: string }> = [];
    a.handle('add', (payload, context) => {
      calls.push({ payload, from: context.from, method: context.method });
      const { x, y } = payload as { x: number; y: number };
      return { sum: x + y, echoed: new Uint8Array([x, y]) };
    });
    const result = await b.rpc<{ sum: number; echoed: Uint8Array }>(a.peerId, 'add', { x: 2, y: 40 }, { timeoutMs: EVENT_TIMEOUT_MS });
    assert.deepEqual(result, { sum: 42, echoed: new Uint8Array([2, 40]) });
    assert.deepEqual(calls, [{ payload: { x: 2, y: 40 }, from: b.peerId, method: 'add' }]);

    // An async handler works too.
    a.handle('later', async () => {
      await sleep(10);
      return 'done';
    });
    assert.equal(await b.rpc<string>(a.peerId, 'later'), 'done');
  });

  it('fails an RPC with a typed error: UNKNOWN_METHOD, HANDLER_ERROR', async () => {
    const [a, b] = await threePeers('rpc-errors');
    const error = await b.rpc(a.peerId, 'nope', { x: 1 }, { timeoutMs: EVENT_TIMEOUT_MS }).then(
      () => assert.fail('the call of an unknown method resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(error, RpcError);
    assert.equal((error as RpcError).code, 'UNKNOWN_METHOD');
    assert.equal((error as RpcError).method, 'nope');
    assert.equal((error as RpcError).peerId, a.peerId);

    a.handle('boom', () => {
      throw new Error('kaput');
    });
    const thrown = await b.rpc(a.peerId, 'boom', undefined, { timeoutMs: EVENT_TIMEOUT_MS }).then(
      () => assert.fail('the call of a throwing handler resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(thrown, RpcError);
    assert.equal((thrown as RpcError).code, 'HANDLER_ERROR');
    assert.include((thrown as RpcError).message, 'kaput');
  });

  it('lists the other peers and reports one that leaves', async () => {
    const [a, b, c] = await threePeers('peers');
    assert.sameMembers([...b.peers.keys()], [a.peerId, c.peerId]);
    assert.equal(b.peers.get(a.peerId)!.identity, 'alice');
    assert.equal(b.peers.get(c.peerId)!.identity, 'carol');
    assert.isFalse(b.peers.has(b.peerId), 'a room does not list its own peer');

    const left = nextEvent(b, 'peerLeft');
    const disconnected = nextEvent(c, 'disconnected');
    const cId = c.peerId;
    await c.leave();
    const event = await left;
    assert.equal(event.peer.id, cId);
    assert.equal(event.peer.identity, 'carol');
    assert.equal(event.reason, 'left');
    assert.equal((await disconnected).reason, 'left');
    assert.equal(c.connectionState, 'disconnected');
    assert.sameMembers([...b.peers.keys()], [a.peerId]);
    await until(() => !a.peers.has(cId), 'alice to drop carol from her list');
  });

  it('fails a call with PEER_LEFT when the called peer leaves before answering', async () => {
    const [a, b] = await threePeers('rpc-peer-left');
    let called!: () => void;
    const handlerCalled = new Promise<void>((resolve) => (called = resolve));
    a.handle('forever', () => {
      called();
      return new Promise(() => undefined);
    });
    const call = b.rpc(a.peerId, 'forever', null, { timeoutMs: EVENT_TIMEOUT_MS }).then(
      () => assert.fail('the call resolved'),
      (failure: unknown) => failure,
    );
    await handlerCalled;
    await a.leave();
    const error = await call;
    assert.instanceOf(error, RpcError);
    assert.equal((error as RpcError).code, 'PEER_LEFT');
  });

  it('filters broadcasts by topic; targeted messages ignore the filter', async () => {
    const name = uniqueRoom('topics');
    const a = await join(name, 'alice');
    const b = await join(name, 'bob');
    const c = await join(name, 'carol', { topics: ['sports'] });
    await until(() => a.peers.size === 2, 'alice to see bob and carol');
    const atB = record(b);
    const atC = record(c);
    await a.send('news', { n: 1 }, { topic: 'news' });
    await a.send('sports', { n: 2 }, { topic: 'sports' });
    await a.send('plain', { n: 3 });
    await a.send('direct', { n: 4 }, { to: c.peerId, topic: 'news' });
    await until(() => atB.length === 3 && atC.length === 3, 'bob and carol to get their messages');
    await sleep(SILENCE_MS);
    assert.deepEqual(
      atB.map((message) => [message.type, message.topic]),
      [
        ['news', 'news'],
        ['sports', 'sports'],
        ['plain', undefined],
      ],
    );
    assert.deepEqual(
      atC.map((message) => [message.type, message.topic]),
      [
        ['sports', 'sports'],
        ['plain', undefined],
        ['direct', 'news'],
      ],
    );

    // setTopics(null) receives every topic again.
    await c.setTopics(null);
    const news = nextEvent(c, 'message');
    await a.send('news', { n: 5 }, { topic: 'news' });
    assert.equal((await news).topic, 'news');
  });

  it('sends lossy messages', async () => {
    const [a, b] = await threePeers('lossy');
    const sentBefore = a.stats.sent;
    // A lossy message may be lost, so send until one arrives (on loopback the first one does).
    const got = nextEvent(b, 'message', (message) => message.type === 'cursor');
    let attempts = 0;
    const sending = setInterval(() => {
      attempts++;
      void a.send('cursor', { x: 1, y: 2, bytes: new Uint8Array([1]) }, { reliable: false });
    }, 50);
    try {
      const message = await got;
      assert.equal(message.from, a.peerId);
      assert.deepEqual(message.data, { x: 1, y: 2, bytes: new Uint8Array([1]) });
    } finally {
      clearInterval(sending);
    }
    assert.isAtLeast(a.stats.sent - sentBefore, 1);
    assert.isAtMost(attempts, 20);
    assert.isAtLeast(b.stats.received, 1);
  });

  it('refuses a message above the size limit before sending it', async () => {
    const [a, b] = await threePeers('too-large');
    const atB = record(b);
    const sentBefore = a.stats.sent;
    const tooLarge = new Uint8Array(a.limits.maxMessageSize + 1);
    const error = await a.send('blob', tooLarge).then(
      () => assert.fail('send resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(error, MessageError);
    assert.equal((error as MessageError).code, 'MESSAGE_TOO_LARGE');
    assert.equal(a.stats.sent, sentBefore);

    // Just below the limit still goes through.
    const fits = nextEvent(b, 'message');
    await a.send('blob', new Uint8Array(a.limits.maxMessageSize - 200));
    assert.equal(((await fits).data as Uint8Array).byteLength, a.limits.maxMessageSize - 200);
    assert.equal(atB.length, 1);
  });

  it('reports a message to a peer not in the room as rejected with UNKNOWN_TARGET', async () => {
    const [a, b] = await threePeers('unknown-target');
    const atB = record(b);
    const rejected = nextEvent(a, 'messageRejected');
    const receipt = await a.send('hello', { n: 1 }, { to: [b.peerId, 'no-such-peer'], receipt: true }).then(
      () => assert.fail('the send resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(receipt, MessageRejectedError);
    assert.equal((receipt as MessageRejectedError).code, 'UNKNOWN_TARGET');
    const rejection = await rejected;
    assert.instanceOf(rejection, MessageRejectedError);
    assert.equal(rejection.code, 'UNKNOWN_TARGET');
    assert.equal(rejection.channel, 'reliable');
    const rpcError = await a.rpc('no-such-peer', 'anything', null, { timeoutMs: EVENT_TIMEOUT_MS }).then(
      () => assert.fail('the call resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(rpcError, RpcError);
    assert.equal((rpcError as RpcError).code, 'UNKNOWN_TARGET');
    await sleep(SILENCE_MS);
    assert.deepEqual(atB, [], 'nothing reached bob: a message with a bad target is not delivered at all');
  });

  it('honours the token grants: a receive-only peer receives but cannot send', async () => {
    const name = uniqueRoom('grants');
    const a = await join(name, 'alice');
    const viewer = await join(name, 'viewer', { grants: ['receiveData'] });
    assert.isFalse(viewer.grants.sendData);
    assert.isTrue(viewer.grants.receiveData);
    const got = nextEvent(viewer, 'message');
    await a.send('hello', { to: 'viewer' });
    assert.deepEqual((await got).data, { to: 'viewer' });

    const error = await viewer.send('hi', null).then(
      () => assert.fail('send resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(error, MessageError);
    assert.equal((error as MessageError).code, 'PERMISSION_DENIED');
    const rpcError = await viewer.rpc(a.peerId, 'anything').then(
      () => assert.fail('the call resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(rpcError, RpcError);
    assert.equal((rpcError as RpcError).code, 'PERMISSION_DENIED');
  });

  it('rejects connect with the server\'s error code and a left room refuses to send', async () => {
    const name = uniqueRoom('errors');
    const otherRoomToken = await tokenFor(`${name}-other`, 'alice');
    const wrongRoom = await connect(server.wsUrl, otherRoomToken, { room: name }).then(
      (room) => {
        rooms.push(room);
        return assert.fail('connect resolved');
      },
      (failure: unknown) => failure,
    );
    assert.instanceOf(wrongRoom, RequestError);
    assert.equal((wrongRoom as RequestError).code, 'PERMISSION_DENIED');

    const badToken = await connect(server.wsUrl, 'not-a-token').then(
      (room) => {
        rooms.push(room);
        return assert.fail('connect resolved');
      },
      (failure: unknown) => failure,
    );
    assert.instanceOf(badToken, RequestError);
    assert.equal((badToken as RequestError).code, 'INVALID_TOKEN');

    const a = await join(name, 'alice');
    const states: string[] = [];
    a.on('connectionStateChanged', ({ state }) => states.push(state));
    await a.leave();
    assert.deepEqual(states, ['disconnected']);
    const error = await a.send('late', null).then(
      () => assert.fail('send resolved'),
      (failure: unknown) => failure,
    );
    assert.instanceOf(error, DisconnectedError);
    assert.equal((error as DisconnectedError).code, 'DISCONNECTED');
  });

  // A burst of 1 MB to one receiver: the server's per-receiver SCTP send buffer must not lose any
  // of it (an overflow makes the receiver resume and get the replay; see the Node e2e test).
  it('delivers a reliable burst larger than the server\'s SCTP send buffer completely and in order', async () => {
    const [a, b] = await threePeers('burst');
    const seen: number[] = [];
    b.on('message', (message) => seen.push((message.data as { i: number }).i));
    const blob = new Uint8Array(10_000);
    await Promise.all(Array.from({ length: 100 }, (_, i) => a.send('blob', { i, blob }, { to: b.peerId })));
    await until(() => seen.length === 100, 'bob to get all 100 messages', 10_000);
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i));
  });

  it('emits messages that arrive while connect() is still joining, once listeners can be added', async () => {
    // Bob's receive channel may open before his send channels, which connect() waits for. Here his
    // send channels are made late on purpose, so Alice's messages surely arrive in between; they
    // must still reach the listener added right after `await connect()`.
    const name = uniqueRoom('early');
    const a = await join(name, 'alice');
    const slowSendChannels: Environment = {
      ...browserEnvironment(),
      createDevice: async () => {
        const device = await browserEnvironment().createDevice();
        const createSendTransport = device.createSendTransport.bind(device);
        device.createSendTransport = (options) => {
          const transport = createSendTransport(options);
          const produceData = transport.produceData.bind(transport);
          transport.produceData = async (dataOptions) => {
            await sleep(300);
            return produceData(dataOptions);
          };
          return transport;
        };
        return device;
      },
    };
    let n = 0;
    const ticking = setInterval(() => void a.send('tick', n++).catch(() => undefined), 10);
    try {
      const b = await join(name, 'bob', { environment: slowSendChannels });
      const seen: number[] = [];
      b.on('message:tick', (message) => seen.push(message.data as number));
      await sleep(200);
      clearInterval(ticking);
      await b.leave();
      assert.isAbove(b.stats.received, 0);
      assert.equal(seen.length, b.stats.received, 'every message the SDK accepted reached the listener');
      assert.deepEqual(seen, Array.from({ length: seen.length }, (_, i) => seen[0]! + i), 'in order, none missing');
    } finally {
      clearInterval(ticking);
    }
  });

  it('resumes the same session after the signaling socket drops, losing no reliable message', async () => {
    const name = uniqueRoom('reconnect');
    const sockets: WebSocket[] = [];
    const environment: Environment = {
      ...browserEnvironment(),
      createWebSocket: (url) => {
        const socket = new WebSocket(url);
        sockets.push(socket);
        return socket;
      },
    };
    const a = await join(name, 'alice', { environment });
    const b = await join(name, 'bob');
    await until(() => a.peers.has(b.peerId), 'alice to see bob');
    const atA = record(a);
    const atB = record(b);
    const bSaw: string[] = [];
    b.on('peerLeft', ({ peer }) => bSaw.push(`left ${peer.identity}`));
    b.on('peerJoined', ({ peer }) => bSaw.push(`joined ${peer.identity}`));
    const states: ConnectionState[] = [];
    a.on('connectionStateChanged', ({ state }) => states.push(state));
    const peerId = a.peerId;

    await a.send('before', 1);
    const reconnecting = nextEvent(a, 'connectionStateChanged', ({ state }) => state === 'reconnecting');
    const reconnected = nextEvent(a, 'connectionStateChanged', ({ state }) => state === 'connected');
    sockets[0]!.close();
    await reconnecting;
    const queued = a.send('during', 2);
    await b.send('while-away', 3);
    await reconnected;
    await queued;
    await a.send('after', 4);

    await until(() => atB.length === 3 && atA.length === 1, 'both sides to get every message');
    await sleep(SILENCE_MS);
    assert.deepEqual(
      atB.map((message) => [message.type, message.data, message.from]),
      [
        ['before', 1, peerId],
        ['during', 2, peerId],
        ['after', 4, peerId],
      ],
    );
    assert.deepEqual(
      atA.map((message) => [message.type, message.data]),
      [['while-away', 3]],
    );
    assert.deepEqual(states, ['reconnecting', 'connected']);
    assert.equal(a.peerId, peerId, 'the same peer ID after resuming');
    assert.equal(sockets.length, 2, 'one new signaling socket');
    assert.deepEqual(bSaw, [], 'bob saw alice neither leave nor join');
  });
});
