import assert from 'node:assert/strict';
import { decode, decodeEach, encodeNotification, PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import type { RequestLimits } from '../src/limits/request-limiter.js';
import { NotificationFlush } from '../src/signaling/notification-flush.js';
import { SignalingSession, type SessionContext } from '../src/signaling/session.js';
import { RawSignaling } from './support/raw-peer.js';
import { sleep, startTestServer, waitFor, type TestServer } from './support/test-server.js';

const WINDOW_MS = 40;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('NotificationFlush: when queued room notifications go out', () => {
  it('sends at the end of the turn after a quiet window, and at most once per window while busy', async () => {
    const flushed: string[] = [];
    const flush = new NotificationFlush(WINDOW_MS);
    const a = { flushNotifications: () => flushed.push('a') };
    const b = { flushNotifications: () => flushed.push('b') };
    flush.schedule(a);
    flush.schedule(b);
    flush.schedule(a);
    assert.deepEqual(flushed, [], 'not within the turn');
    await nextTurn();
    assert.deepEqual(flushed, ['a', 'b'], 'each connection once, at the end of the turn');
    flush.schedule(a);
    await nextTurn();
    assert.deepEqual(flushed, ['a', 'b'], 'a window has not passed since the last run');
    await sleep(WINDOW_MS + 20);
    assert.deepEqual(flushed, ['a', 'b', 'a']);
    await sleep(WINDOW_MS + 20);
    flush.schedule(b);
    await nextTurn();
    assert.deepEqual(flushed, ['a', 'b', 'a', 'b'], 'quiet again: at the end of the turn');
  });
});

describe('room notifications: peer events share messages under load', function () {
  this.timeout(30_000);
  let t: TestServer;
  const sockets: RawSignaling[] = [];

  before(async () => (t = await startTestServer()));
  after(async () => {
    sockets.splice(0).forEach((s) => s.close());
    await t.close();
  });

  async function joined(room: string, identity: string): Promise<{ socket: RawSignaling; peerId: string }> {
    const socket = await RawSignaling.open(t.wsUrl);
    sockets.push(socket);
    const result = await socket.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token(room, identity) });
    return { socket, peerId: result.self.id };
  }

  it('tells a member of 30 joins and 30 leaves, each once and in order, in fewer messages than events', async () => {
    const member = await joined('r-batch', 'member');
    const before = member.socket.messages;
    const others = await Promise.all(Array.from({ length: 30 }, (_, i) => joined('r-batch', `guest-${i}`)));
    await waitFor(() => member.socket.notificationsOf('peerJoined').length === 30, 'every join');
    await Promise.all(others.map((other) => other.socket.request('leave', {})));
    await waitFor(() => member.socket.notificationsOf('peerLeft').length === 30, 'every leave');

    const events = member.socket.notifications.filter((n) => n.method === 'peerJoined' || n.method === 'peerLeft');
    const ids = events.map((n) => (n.method === 'peerJoined' ? (n.data as { peer: { id: string } }).peer.id : (n.data as { peerId: string }).peerId));
    for (const { peerId } of others) {
      assert.equal(ids.filter((id) => id === peerId).length, 2, 'joined once, left once');
      assert.ok(ids.indexOf(peerId) < ids.lastIndexOf(peerId), 'its join before its leave');
    }
    const messages = member.socket.messages - before;
    assert.ok(messages < events.length, `${events.length} events in ${messages} messages`);
  });
});

describe('SignalingSession: the queue of room notifications', () => {
  // A session as the server makes one, over a socket that records what it sends; no join.
  function session(flushWindowMs: number): { session: SignalingSession; sent: Uint8Array[] } {
    const sent: Uint8Array[] = [];
    const limits: RequestLimits = {
      requestsPerSecond: 100, requestBurst: 100, updatesPerSecond: 10, updateBurst: 10,
      directSignalsPerSecond: 10, directSignalBurst: 10, fanoutBytesPerSecond: 1 << 20, kickAfter: 0,
    };
    const context = { limits, joinTimeoutMs: 60_000, notificationFlush: new NotificationFlush(flushWindowMs) } as unknown as SessionContext;
    const s = new SignalingSession({ send: (frame) => sent.push(frame), close: () => undefined }, context);
    return { session: s, sent };
  }
  const frame = (n: number, bytes = 10): Uint8Array => encodeNotification('peerLeft', { peerId: `${n}`.padEnd(bytes, '.'), reason: 'left' });

  it('sends what is queued as one message, frames back to back, at the flush', async () => {
    const { session: s, sent } = session(WINDOW_MS);
    s.notifyEncoded(frame(1));
    s.notifyEncoded(frame(2));
    assert.equal(sent.length, 0);
    await nextTurn();
    assert.equal(sent.length, 1);
    const frames: unknown[] = [];
    decodeEach(sent[0]!, (value) => frames.push(value));
    assert.deepEqual(frames.map((f) => (f as { data: { peerId: string } }).data.peerId), ['1.........', '2.........']);
    s.closed();
  });

  it('sends the queue first when anything else goes out, and at once past 64 KiB', () => {
    const { session: s, sent } = session(60_000);
    s.notifyEncoded(frame(1));
    s.notify('closed', { reason: 'kicked', message: 'bye' });
    const methods = sent.map((bytes) => (decode(bytes) as { method: string }).method);
    assert.deepEqual(methods, ['peerLeft', 'closed'], 'the queued frame before the direct one');
    sent.length = 0;
    for (let n = 0; n < 3; n++) s.notifyEncoded(frame(n, 30_000));
    assert.equal(sent.length, 1, 'sent when the queue passed 64 KiB, without waiting for the flush');
    let count = 0;
    decodeEach(sent[0]!, () => count++);
    assert.equal(count, 3);
    s.closed();
  });
});
