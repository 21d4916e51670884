import assert from 'node:assert/strict';
import type { DataConsumer, Router } from 'mediasoup/types';
import { WorkerLanes } from '../src/data/worker-lanes.js';
import { Logger } from '../src/log.js';
import { WorkerPool } from '../src/media/worker-pool.js';
import { sleep, waitFor } from './support/test-server.js';

describe('WorkerLanes: a room data plane over several routers', function () {
  this.timeout(20000);
  let pool: WorkerPool;
  let routers: Router[];
  let lanes: WorkerLanes;

  beforeEach(async () => {
    pool = await WorkerPool.start({ size: 2, logger: new Logger('error'), listenIp: '127.0.0.1', port: 0, workerLogLevel: 'error' });
    routers = await Promise.all(pool.live().map((w) => w.worker.createRouter({ mediaCodecs: [] })));
    lanes = new WorkerLanes(1024);
    for (const router of routers) await lanes.add(router);
  });
  afterEach(() => pool.close());

  /** A receiver on `router` listening on `subchannels`; returns what it got. */
  async function receiver(router: Router, subchannels: number[]): Promise<string[]> {
    const got: string[] = [];
    const transport = await router.createDirectTransport();
    const consumer: DataConsumer = await transport.consumeData({ dataProducerId: lanes.producer(router.id, 'reliable').id, subchannels });
    consumer.on('message', (message: Buffer) => got.push(message.toString()));
    lanes.listen(router.id, subchannels);
    return got;
  }

  it('sends a message into each router with a receiver for it, and only those', async () => {
    const [r0, r1] = routers as [Router, Router];
    const onR0 = await receiver(r0, [10, 1]);
    const onR1 = await receiver(r1, [11, 1]);
    assert.equal(lanes.send('reliable', Buffer.from('to 10'), [10]), 1);
    assert.equal(lanes.send('reliable', Buffer.from('to 11'), [11]), 1);
    assert.equal(lanes.send('reliable', Buffer.from('broadcast'), [1]), 2);
    assert.equal(lanes.send('reliable', Buffer.from('nobody'), [12]), 0);
    await waitFor(() => onR0.length === 2 && onR1.length === 2, 'the deliveries');
    await sleep(100);
    assert.deepEqual(onR0, ['to 10', 'broadcast']);
    assert.deepEqual(onR1, ['to 11', 'broadcast']);

    lanes.unlisten(r1.id, [11, 1]);
    assert.equal(lanes.send('reliable', Buffer.from('broadcast 2'), [1]), 1, 'a router whose receivers left is skipped');
    r1.close();
    assert.equal(lanes.has(r1.id), false, 'a closed router takes its lane with it');
    assert.throws(() => lanes.producer(r1.id, 'reliable'), { code: 'UNAVAILABLE' });
  });
});
