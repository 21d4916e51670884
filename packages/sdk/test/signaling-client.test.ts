import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ConnectionError, DisconnectedError, RequestError, TimeoutError } from '../src/errors.js';
import { encode, SwitchboardError, type ProtocolError } from '../src/protocol/index.js';
import type { AnyNotification } from '../src/signaling/server-frame.js';
import { SignalingClient } from '../src/signaling/signaling-client.js';
import { TestWsServer, wsEnvironment } from './support/ws-server.js';

const TIMEOUTS = { openTimeoutMs: 2000, requestTimeoutMs: 2000 };

describe('SignalingClient', () => {
  let server: TestWsServer;
  let client: SignalingClient | undefined;

  beforeEach(async () => {
    server = await TestWsServer.start();
  });

  afterEach(async () => {
    client?.close();
    client = undefined;
    await server.close();
  });

  async function open(timeouts = TIMEOUTS): Promise<SignalingClient> {
    client = await SignalingClient.open(server.url, wsEnvironment(), timeouts);
    return client;
  }

  it('matches responses to requests by id, in any order', async () => {
    const held: Array<() => void> = [];
    server.onFrame = (frame, socket) => {
      held.push(() => TestWsServer.send(socket, { type: 'response', id: frame.id, ok: true, data: { method: frame.method, echo: frame.data } }));
      // Answer the second request first.
      if (held.length === 2) for (const answer of held.reverse()) answer();
    };
    const signaling = await open();
    const [topics, self] = await Promise.all([
      signaling.request('setTopics', { topics: ['a'] }),
      signaling.request('updateSelf', { name: 'Ada' }),
    ]);
    assert.deepEqual(topics, { method: 'setTopics', echo: { topics: ['a'] } });
    assert.deepEqual(self, { method: 'updateSelf', echo: { name: 'Ada' } });
    assert.deepEqual(server.frames.map((frame) => [frame.type, frame.id]), [['request', 1], ['request', 2]]);
  });

  it('holds notifications after an in-order answer until released; a close delivers them first', async () => {
    server.onFrame = (frame, socket) => {
      // Before the answer, the answer, after it, then the close: all in one TCP write.
      const tcp = (socket as unknown as { _socket: Socket })._socket;
      tcp.cork();
      TestWsServer.send(socket, { type: 'notification', method: 'ack', data: { seq: 1 } });
      TestWsServer.send(socket, { type: 'response', id: frame.id, ok: true, data: {} });
      TestWsServer.send(socket, { type: 'notification', method: 'ack', data: { seq: 2 } });
      if (frame.method === 'leave') socket.close(4000, 'ended');
      process.nextTick(() => tcp.uncork());
    };
    const signaling = await open();
    const seen: string[] = [];
    signaling.on('notification', (n) => seen.push(`ack ${(n.data as { seq: number }).seq}`));
    signaling.on('close', () => seen.push('close'));
    await signaling.requestInOrder('setTopics', { topics: null });
    seen.push('answer taken');
    signaling.release();
    assert.deepEqual(seen, ['ack 1', 'answer taken', 'ack 2']);

    seen.length = 0;
    await signaling.requestInOrder('leave', {});
    await new Promise((resolve) => signaling.on('close', resolve));
    assert.deepEqual(seen, ['ack 1', 'ack 2', 'close']);
  });

  it('turns an error response into a RequestError with the server code', async () => {
    server.onFrame = (frame, socket) =>
      TestWsServer.send(socket, { type: 'response', id: frame.id, ok: false, error: { code: 'PERMISSION_DENIED', message: 'not an admin' } });
    const signaling = await open();
    await assert.rejects(signaling.request('kick', { peerId: 'p1' }), (error: unknown) => {
      assert.ok(error instanceof RequestError);
      assert.ok(error instanceof SwitchboardError);
      assert.equal(error.code, 'PERMISSION_DENIED');
      assert.equal(error.method, 'kick');
      assert.match(error.message, /not an admin/);
      return true;
    });
  });

  it('dispatches notifications', async () => {
    const signaling = await open();
    const received = new Promise<AnyNotification>((resolve) => signaling.on('notification', resolve));
    TestWsServer.send(server.sockets[0]!, { type: 'notification', method: 'ack', data: { seq: 7 } });
    assert.deepEqual(await received, { type: 'notification', method: 'ack', data: { seq: 7 } });
  });

  it('reads several frames back to back in one message, in order (protocol 6)', async () => {
    server.onFrame = (frame, socket) => {
      const frames = [
        { type: 'notification', method: 'ack', data: { seq: 1 } },
        { type: 'response', id: frame.id, ok: true, data: { answered: true } },
        { type: 'notification', method: 'ack', data: { seq: 2 } },
      ];
      socket.send(Buffer.concat(frames.map((f) => encode(f))));
    };
    const signaling = await open();
    const seen: string[] = [];
    signaling.on('notification', (n) => seen.push(`ack ${(n.data as { seq: number }).seq}`));
    assert.deepEqual(await signaling.requestInOrder('setTopics', { topics: null }), { answered: true });
    seen.push('answer taken');
    signaling.release();
    assert.deepEqual(seen, ['ack 1', 'answer taken', 'ack 2']);
  });

  it('reports a message whose frames go bad part way, after handling the frames before', async () => {
    const signaling = await open();
    const seen: number[] = [];
    const malformed: ProtocolError[] = [];
    signaling.on('notification', (n) => seen.push((n.data as { seq: number }).seq));
    signaling.on('malformed', (error) => malformed.push(error));
    const good = encode({ type: 'notification', method: 'ack', data: { seq: 1 } });
    const notAFrame = encode({ hello: 'world' });
    const after = encode({ type: 'notification', method: 'ack', data: { seq: 3 } });
    server.sockets[0]!.send(Buffer.concat([good, notAFrame, after]));
    TestWsServer.send(server.sockets[0]!, { type: 'notification', method: 'ack', data: { seq: 4 } });
    await new Promise<void>((resolve) => signaling.on('notification', (n) => (n.data as { seq: number }).seq === 4 && resolve()));
    assert.deepEqual(seen, [1, 4]);
    assert.equal(malformed.length, 1);
    assert.equal(malformed[0]!.code, 'MALFORMED');
  });

  it('ignores malformed frames, reports them, and stays usable', async () => {
    server.onFrame = (frame, socket) => {
      socket.send(Buffer.from([0xc1]));
      socket.send('a text frame');
      TestWsServer.send(socket, { hello: 'world' });
      TestWsServer.send(socket, { type: 'response', ok: true, data: {} });
      TestWsServer.send(socket, { type: 'response', id: frame.id, ok: 'maybe' });
      TestWsServer.send(socket, { type: 'response', id: frame.id, ok: true, data: { fine: true } });
    };
    const signaling = await open();
    const malformed: ProtocolError[] = [];
    signaling.on('malformed', (error) => malformed.push(error));
    assert.deepEqual(await signaling.request('setTopics', { topics: null }), { fine: true });
    assert.equal(malformed.length, 5);
    assert.ok(malformed.every((error) => error.code === 'MALFORMED'));
    assert.equal(signaling.isOpen, true);
  });

  it('times out a request the server does not answer, and ignores the late answer', async () => {
    const late: Array<() => void> = [];
    server.onFrame = (frame, socket) => late.push(() => TestWsServer.send(socket, { type: 'response', id: frame.id, ok: true, data: {} }));
    const signaling = await open({ openTimeoutMs: 2000, requestTimeoutMs: 50 });
    const started = Date.now();
    await assert.rejects(signaling.request('setTopics', { topics: null }), (error: unknown) => error instanceof TimeoutError && error.code === 'TIMEOUT');
    assert.ok(Date.now() - started < 1000);
    late[0]!();
    server.onFrame = (frame, socket) => TestWsServer.send(socket, { type: 'response', id: frame.id, ok: true, data: { second: true } });
    assert.deepEqual(await signaling.request('setTopics', { topics: null }), { second: true });
  });

  it('fails pending requests and reports the close when the server closes', async () => {
    server.onFrame = (_frame, socket) => socket.close(4000, 'bye');
    const signaling = await open();
    const closed = new Promise<{ code: number; reason: string }>((resolve) => signaling.on('close', resolve));
    await assert.rejects(signaling.request('leave', {}), (error: unknown) => error instanceof DisconnectedError);
    assert.deepEqual(await closed, { code: 4000, reason: 'bye' });
    assert.equal(signaling.isOpen, false);
    await assert.rejects(signaling.request('leave', {}), (error: unknown) => error instanceof DisconnectedError);
  });

  it('fails pending requests without a close event when closed by the client', async () => {
    const signaling = await open();
    let closeEvents = 0;
    signaling.on('close', () => closeEvents++);
    const pending = signaling.request('leave', {});
    signaling.close();
    await assert.rejects(pending, (error: unknown) => error instanceof DisconnectedError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(closeEvents, 0);
  });

  it('leaves out undefined fields, however deep (msgpackr would write an extension type)', async () => {
    server.onFrame = (frame, socket) => TestWsServer.send(socket, { type: 'response', id: frame.id, ok: true, data: {} });
    const signaling = await open();
    await signaling.request('kick', { peerId: 'p1', reason: undefined });
    const metadata = { nested: { keep: 1, drop: undefined }, list: [1, 2], bytes: new Uint8Array([0xd4, 0, 0]) };
    await signaling.request('updateSelf', { metadata });
    assert.deepEqual(server.frames[0]!.data, { peerId: 'p1' });
    const { bytes, ...rest } = (server.frames[1]!.data as { metadata: Record<string, unknown> }).metadata;
    assert.deepEqual(rest, { nested: { keep: 1 }, list: [1, 2] });
    assert.deepEqual([...(bytes as Uint8Array)], [0xd4, 0, 0]);
  });

  it('fails to open with ConnectionError refused when nothing listens', async () => {
    const url = server.url;
    await server.close();
    server = await TestWsServer.start();
    await assert.rejects(SignalingClient.open(url, wsEnvironment(), TIMEOUTS), (error: unknown) => error instanceof ConnectionError && error.reason === 'refused');
  });

  it('fails to open with ConnectionError blocked when the environment refuses to create the socket', async () => {
    const refusing = { createWebSocket: (): never => { throw new DOMException('The port 25 is not allowed.', 'SecurityError'); } };
    await assert.rejects(SignalingClient.open('ws://127.0.0.1:25/rtc', refusing, TIMEOUTS), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.reason, 'blocked');
      assert.match(error.message, /^cannot open ws:\/\/127\.0\.0\.1:25\/rtc: the environment refused to open it: The port 25 is not allowed\.$/);
      return true;
    });
  });

  it('fails to open with ConnectionError timeout when the handshake never completes', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/rtc`;
    try {
      await assert.rejects(
        SignalingClient.open(url, wsEnvironment(), { openTimeoutMs: 50, requestTimeoutMs: 50 }),
        (error: unknown) => error instanceof ConnectionError && error.reason === 'timeout',
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
