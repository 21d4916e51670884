import assert from 'node:assert/strict';
import type { Producer, Router } from 'mediasoup/types';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import { Logger } from '../src/log.js';
import { ProducerPipes } from '../src/media/producer-pipes.js';
import { RouterSet, type PlacedRouter } from '../src/media/router-set.js';
import { WorkerPool } from '../src/media/worker-pool.js';
import { waitFor } from './support/test-server.js';

const logger = new Logger('error');

function startPool(size: number): Promise<WorkerPool> {
  return WorkerPool.start({ size, logger, listenIp: '127.0.0.1', port: 0, workerLogLevel: 'error' });
}

/** A room's router set whose hook calls are recorded. */
function routerSet(pool: WorkerPool, options: { waitMs?: number; placement?: 'least-loaded' | 'spread' } = {}) {
  const closed: { placed: PlacedRouter; died: boolean }[] = [];
  const opened: PlacedRouter[] = [];
  const set = new RouterSet({
    pool,
    placement: options.placement ?? 'least-loaded',
    waitMs: options.waitMs ?? 5000,
    logger,
    hooks: {
      opened: async (placed) => void opened.push(placed),
      closed: (placed, died) => void closed.push({ placed, died }),
    },
  });
  return { set, opened, closed };
}

/** A transport on the router, standing for a peer's transports (load). */
const transportOn = (placed: PlacedRouter) => placed.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });

describe('RouterSet: a room over the workers of a node', function () {
  this.timeout(20000);
  let pool: WorkerPool;
  beforeEach(async () => (pool = await startPool(2)));
  afterEach(() => pool.close());

  it('places a new peer on the least loaded worker (transports of every room), not the room first one', async () => {
    const other = routerSet(pool);
    const busy = await other.set.forPeer();
    await transportOn(busy);
    await transportOn(busy);
    const { set, opened } = routerSet(pool);
    const first = await set.forPeer();
    assert.notEqual(first.worker, busy.worker, "another room's load counts");
    await transportOn(first);
    await transportOn(first);
    await transportOn(first);
    const second = await set.forPeer();
    assert.equal(second.worker, busy.worker, 'the room takes a second worker once its first is busier');
    assert.deepEqual(set.workerPids().sort(), pool.live().map((w) => w.worker.pid).sort());
    assert.equal(opened.length, 2, 'one router per worker, each opened once');
    assert.equal(await set.forPeer(), second, 'the router on a worker is shared by its peers');
  });

  it('spread placement hands a room its workers in turn', async () => {
    const { set } = routerSet(pool, { placement: 'spread' });
    const placed = [await set.forPeer(), await set.forPeer(), await set.forPeer()];
    assert.deepEqual(placed.map((p) => p.worker.slot), [0, 1, 0]);
  });

  it('closes a router when its last peer lets go, and opens a new one when needed', async () => {
    const { set, closed } = routerSet(pool);
    const a = await set.forPeer();
    const b = await set.forPeer();
    assert.equal(a, b);
    set.release(a);
    assert.equal(a.router.closed, false, 'still used by one peer');
    set.release(b);
    assert.equal(a.router.closed, true);
    assert.deepEqual(closed.map((c) => c.died), [false]);
    assert.deepEqual(set.list(), []);
    const again = await set.forPeer();
    assert.notEqual(again.router, a.router);
  });

  it('reports routers of a killed worker as died and places new peers on a live one', async () => {
    const { set, closed } = routerSet(pool, { placement: 'spread' });
    const onFirst = await set.forPeer();
    await set.forPeer();
    process.kill(onFirst.worker.worker.pid, 'SIGKILL');
    await waitFor(() => closed.length === 1, 'the router to close');
    assert.equal(closed[0]?.placed, onFirst);
    assert.equal(closed[0]?.died, true);
    for (let i = 0; i < 3; i++) assert.equal((await set.forPeer()).router.closed, false);
  });
});

describe('RouterSet with one worker that crashes', function () {
  this.timeout(20000);

  it('waits for the respawned worker; with no wait allowed it fails with UNAVAILABLE, not INTERNAL', async () => {
    const pool = await startPool(1);
    try {
      const { set } = routerSet(pool);
      const before = await set.forPeer();
      process.kill(before.worker.worker.pid, 'SIGKILL');
      await waitFor(() => before.router.closed, 'the router to close');
      const impatient = routerSet(pool, { waitMs: 0 }).set.forPeer();
      const patient = set.forPeer();
      await assert.rejects(impatient, (error: unknown) => error instanceof SwitchboardError && error.code === 'UNAVAILABLE');
      const after = await patient;
      assert.notEqual(after.worker.worker.pid, before.worker.worker.pid);
      assert.equal(after.router.closed, false);
    } finally {
      pool.close();
    }
  });
});

describe('ProducerPipes: a producer on one worker consumed on another', function () {
  this.timeout(20000);
  let pool: WorkerPool;
  let from: Router;
  let to: Router;
  let producer: Producer;
  beforeEach(async () => {
    pool = await startPool(2);
    const [w0, w1] = pool.live();
    from = await w0!.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
    to = await w1!.worker.createRouter({ mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] });
    const transport = await from.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
    producer = await transport.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] },
    });
  });
  afterEach(() => pool.close());

  it('creates one pipe per producer per router, shares it, and closes it with its last user', async () => {
    const pipes = new ProducerPipes();
    (await pipes.hold(producer, from, from))();
    assert.equal(pipes.size, 0, 'nothing to pipe within a router');
    const release1 = await pipes.hold(producer, from, to);
    const release2 = await pipes.hold(producer, from, to);
    assert.equal(pipes.size, 1, 'one pipe for two users');
    assert.ok(to.canConsume({ producerId: producer.id, rtpCapabilities: to.rtpCapabilities }), 'the producer is consumable on the other router');
    release1();
    release1();
    assert.equal(pipes.size, 1, 'a double release counts once');
    release2();
    assert.equal(pipes.size, 0);
    await waitFor(() => !to.canConsume({ producerId: producer.id, rtpCapabilities: to.rtpCapabilities }), 'the pipe producer to close');
    const release3 = await pipes.hold(producer, from, to);
    assert.equal(pipes.size, 1, 'a new user gets a new pipe');
    producer.close();
    await waitFor(() => pipes.size === 0, 'closing the producer to end its pipe');
    release3();
  });
});
