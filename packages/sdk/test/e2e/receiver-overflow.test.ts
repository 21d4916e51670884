import assert from 'node:assert/strict';
import { TEST_CLUSTER_FLAGS } from '../../../server/test/support/cluster-harness.js';
import { startTestRedis, type TestRedis } from '../../../server/test/support/redis-server.js';
import { UdpRelay } from '../../../server/test/support/udp-relay.js';
import { announcedWorkerAddress } from '../../../server/test/support/worker-port.js';
import { encode } from '../../src/protocol/index.js';
import { SdkFixture, sleep, waitFor } from './sdk-peers.js';

type Blob = { blob: { i: number; bytes: Uint8Array } };

describe('SDK end to end: a burst larger than the receiver can take', function () {
  this.timeout(40000);
  let f: SdkFixture;
  let relay: UdpRelay;
  const passing = { loss: 0, delayMs: 0, jitterMs: 0 };

  // A small per-receiver SCTP buffer, and the receiver behind a relay that can hold its
  // acknowledgements back, so that a 1 MB burst surely overflows the buffer: on open loopback
  // the worker may drain it as fast as the burst comes, depending on the machine's load.
  before(async () => {
    f = await SdkFixture.start(['--rtc-announced-address', '127.0.0.2', '--sctp-send-buffer', '65536', '--messages-per-second', '10000', '--message-burst', '10000']);
    const worker = await announcedWorkerAddress(f.server);
    relay = await UdpRelay.start({ listen: worker, target: { address: '127.0.0.1', port: worker.port }, impairment: passing });
  });
  after(async () => {
    await f?.close();
    relay?.close();
  });

  // Order can break here, and only here: a message the overflow dropped is replayed after later
  // ones that got through; none is lost or duplicated.
  // A peer sender is paced by its own SCTP congestion window, and mediasoup's SCTP stack drains
  // the receiver's queue as fast as that on loopback; a backend's burst lands in the worker at
  // once, so it is what fills the receiver's send buffer.
  it('still gets a burst larger than its send buffer completely, exactly once', async () => {
    const receiver = await f.join<Blob>('burst', 'receiver');
    const receiverId = receiver.room.peerId;
    const bytes = new Uint8Array(10_000).fill(7);
    const room = f.server.server.rooms.get('burst');
    assert.ok(room);
    // Until its channels are open a peer's messages wait in the log and come as a paced replay,
    // which never overflows: the burst must hit live delivery.
    await waitFor(() => room.peer(receiverId)?.receiving === true, 'the receiver to receive live traffic', 10000);
    const overflows = () => f.server.server.metrics.value('switchboard_messages_dropped_total', { reason: 'receiver_buffer_full' });
    // Nothing passes for a moment: the worker's SCTP stack sends what its window allows and
    // must keep the rest, far more than its buffer.
    relay.impairment = { ...passing, loss: 1 };
    for (let i = 0; i < 100; i++) room.sendFromServer({ type: 'blob', payload: encode({ i, bytes }), to: [receiverId], reliable: true });
    await waitFor(() => overflows() > 0, 'the burst to overflow the receiver buffer', 10000).finally(() => (relay.impairment = passing));
    await waitFor(() => receiver.inbox.length >= 100, 'all 100 messages', 20000);
    await sleep(300);
    const received = receiver.inbox.map((m) => m.data.i);
    assert.equal(received.length, 100, 'no duplicates');
    assert.deepEqual([...received].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
    assert.ok(receiver.inbox.every((m) => m.data.bytes.length === 10_000 && m.data.bytes[9999] === 7));
    assert.equal(receiver.room.peerId, receiverId);
  });
});

// The room's log holds 1 MiB, far less than what passes through the room before the overflow,
// but far more than the overflow needs: a send buffer of 64 KiB and a burst of 400 KB.
const LOG_BYTES = 1 << 20;
const SMALL_LOG = ['--sctp-send-buffer', '65536', '--replay-buffer-bytes', String(LOG_BYTES), '--messages-per-second', '10000', '--message-burst', '10000'];

/** The receiver's node (behind `relay`) and the node whose room the server's messages are sent from. */
interface LongLiveSetup {
  receiving: SdkFixture;
  sending: SdkFixture;
  relay: UdpRelay;
}

// Without checkpoints the resume would replay from where the receiver went live, which the
// log no longer holds, and its session would end (RESUME_FAILED).
async function overflowLongAfterGoingLive({ receiving, sending, relay }: LongLiveSetup, roomName: string): Promise<void> {
  const passing = relay.impairment;
  const receiver = await receiving.join<Blob>(roomName, 'receiver');
  const receiverId = receiver.room.peerId;
  // A peer on the sending node keeps the room open there.
  if (sending !== receiving) await sending.join(roomName, 'keeper');
  const bytes = new Uint8Array(10_000).fill(7);
  const room = receiving.server.server.rooms.get(roomName);
  const from = sending.server.server.rooms.get(roomName);
  assert.ok(room && from);
  await waitFor(() => room.peer(receiverId)?.receiving === true, 'the receiver to receive live traffic', 10000);
  const overflows = () => receiving.server.server.metrics.value('switchboard_messages_dropped_total', { reason: 'receiver_buffer_full' });
  const before = overflows();
  const send = (i: number) => void from.sendFromServer({ type: 'blob', payload: encode({ i, bytes }), to: [receiverId], reliable: true });
  // 1.5 MB, a few messages at a time (less than the send buffer), each group received before
  // the next: no overflow, and the log forgets where the receiver went live.
  const early = 150;
  for (let i = 0; i < early; i += 5) {
    for (let j = i; j < i + 5; j++) send(j);
    await waitFor(() => receiver.inbox.length >= i + 5, `messages up to ${i + 5}`, 10000);
  }
  assert.equal(overflows(), before, 'the early traffic fits the send buffer');
  assert.ok(early * bytes.length > 1.4 * LOG_BYTES);

  relay.impairment = { ...passing, loss: 1 };
  const burst = 40;
  for (let i = early; i < early + burst; i++) send(i);
  await waitFor(() => overflows() > before, 'the burst to overflow the receiver buffer', 10000).finally(() => (relay.impairment = passing));
  const total = early + burst;
  await waitFor(() => receiver.inbox.length >= total, `all ${total} messages`, 20000);
  await sleep(300);
  const received = receiver.inbox.map((m) => m.data.i);
  assert.equal(received.length, total, 'no duplicates');
  assert.deepEqual(received.slice(0, early), Array.from({ length: early }, (_, i) => i), 'the early traffic in order');
  // Only the burst may be reordered: a message the overflow dropped comes after later ones.
  assert.deepEqual([...received.slice(early)].sort((x, y) => x - y), Array.from({ length: burst }, (_, i) => early + i));
  assert.ok(receiver.inbox.every((m) => m.data.bytes.length === 10_000 && m.data.bytes[9999] === 7));
  assert.equal(receiver.room.peerId, receiverId, 'the same session');
  assert.equal(receiver.room.connectionState, 'connected');
}

/** A relay in front of `f`'s worker (announced on 127.0.0.2), passing everything for now. */
async function relayInFront(f: SdkFixture): Promise<UdpRelay> {
  const worker = await announcedWorkerAddress(f.server);
  return UdpRelay.start({ listen: worker, target: { address: '127.0.0.1', port: worker.port }, impairment: { loss: 0, delayMs: 0, jitterMs: 0 } });
}

describe('SDK end to end: an overflow long after the receiver went live', function () {
  this.timeout(60000);
  let f: SdkFixture;
  let relay: UdpRelay;

  before(async () => {
    f = await SdkFixture.start(['--rtc-announced-address', '127.0.0.2', ...SMALL_LOG]);
    relay = await relayInFront(f);
  });
  after(async () => {
    await f?.close();
    relay?.close();
  });

  it('resumes from a recent checkpoint and gets every message exactly once', () => overflowLongAfterGoingLive({ receiving: f, sending: f, relay }, 'long-live'));
});

describe('SDK end to end: an overflow long after the receiver went live, across cluster nodes', function () {
  this.timeout(90000);
  let redis: TestRedis;
  let sending: SdkFixture;
  let receiving: SdkFixture;
  let relay: UdpRelay;

  // Two nodes in this process on one Redis: the messages are sent from the first, sequenced by
  // Redis, and delivered by the second to the receiver behind the relay.
  before(async () => {
    redis = await startTestRedis();
    const cluster = (node: string) => ['--redis-url', redis.url, '--node-id', node, ...TEST_CLUSTER_FLAGS, ...SMALL_LOG];
    sending = await SdkFixture.start(cluster('overflow-a'));
    receiving = await SdkFixture.start(['--rtc-announced-address', '127.0.0.2', ...cluster('overflow-b')]);
    // A node in this process starts before it has reached Redis: wait until both see each other.
    const joined = (f: SdkFixture) => f.server.server.bus.health().nodes.length === 2;
    await waitFor(() => joined(sending) && joined(receiving), 'both nodes to join the cluster', 20000);
    relay = await relayInFront(receiving);
  });
  after(async () => {
    await receiving?.close();
    await sending?.close();
    relay?.close();
    await redis?.close();
  });

  it('resumes from a checkpoint of the receiving node and gets every message exactly once', () =>
    overflowLongAfterGoingLive({ receiving, sending, relay }, 'long-live-cluster'));
});
