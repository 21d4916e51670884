import type { DataConsumer } from 'mediasoup/types';
import { encode, encodeOutgoing, EnvelopeKind, DEFAULT_GRANTS, unpackDelivered } from '@switchboard/sdk/protocol';
import { Logger } from '../../packages/server/src/log.js';
import { MEDIA_CODECS } from '../../packages/server/src/media/media-codecs.js';
import type { PlacedRouter } from '../../packages/server/src/media/router-set.js';
import { WorkerPool } from '../../packages/server/src/media/worker-pool.js';
import { Peer } from '../../packages/server/src/rooms/peer.js';
import { benchDataRouter } from './bench-data-router.js';
import { withTimeout } from './time.js';

// A run is a few seconds; one that has not delivered everything by then lost a delivery.
const RUN_TIMEOUT_MS = 120_000;

/** Result of one run of one room over some workers. */
export interface CeilingRun {
  workers: number;
  receivers: number;
  messages: number;
  deliveriesPerSecond: number;
  /** CPU seconds per 100k deliveries: the server's Node process, and each worker. */
  nodeCpuPer100k: number;
  workerCpuPer100k: number[];
}

/**
 * The server's own ceiling for one-to-many, on one worker (bench:data) or several
 * (bench:cluster): deliveries per second of one room whose receivers are spread evenly over
 * `workers` workers: the real DataRouter (checks, stamping, numbering, one send per worker with receivers, the
 * workers' subchannel fan-out), fed envelopes as fast as it takes them. Receivers are
 * lightweight: in-process DirectTransport DataConsumers on their worker's router, not WebRTC
 * peers, so no client limits the figure (but every delivery is still handed to this process).
 */
export async function routerCeiling(workers: number, receiverCount: number, messages: number, payloadBytes: number): Promise<CeilingRun> {
  const logger = new Logger('error');
  const pool = await WorkerPool.start({ size: workers, logger, listenIp: '127.0.0.1', port: 0, workerLogLevel: 'error' });
  try {
    const members = new Map<string, Peer>();
    const data = await benchDataRouter(members);
    const homes: PlacedRouter[] = [];
    for (const worker of pool.live()) {
      const router = await worker.worker.createRouter({ mediaCodecs: MEDIA_CODECS });
      await data.addRouter(router);
      homes.push({ worker, router });
    }
    const newPeer = (identity: string, index: number) => {
      const peer = new Peer({ identity, grants: { ...DEFAULT_GRANTS }, subchannel: data.allocateSubchannel() as number, rate: { messagesPerSecond: 1e9, burst: 1e9 } });
      peer.home = homes[index % homes.length];
      members.set(peer.id, peer);
      return peer;
    };
    const sender = newPeer('sender', 0);
    const target = messages * receiverCount;
    let delivered = 0;
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    for (let i = 0; i < receiverCount; i++) {
      const peer = newPeer(`r${i}`, i);
      const transport = await peer.home!.router.createDirectTransport();
      transport.observer.on('newdataconsumer', (consumer: DataConsumer) => {
        if (consumer.label !== 'reliable') return;
        consumer.on('message', (message: Buffer) => {
          // A batch carries several deliveries.
          delivered += unpackDelivered(message).length;
          if (delivered === target) resolveDone();
        });
      });
      await data.openReceiver(peer, transport);
      data.startReceiving(peer);
    }
    // Let the subscriptions reach the workers before the clock starts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const payload = encode('x'.repeat(payloadBytes - 3));
    const cpuBefore = process.cpuUsage();
    const workersBefore = await pool.cpuSeconds();
    const started = performance.now();
    for (let seq = 1; seq <= messages; seq++) {
      const bytes = encodeOutgoing({ kind: EnvelopeKind.message, seq, type: 'bench', data: payload });
      data.route(sender, 'reliable', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (seq % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await withTimeout(done, RUN_TIMEOUT_MS, `all ${target} deliveries (${delivered} so far)`);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const workersAfter = await pool.cpuSeconds();
    const per100k = (cpuSeconds: number) => (cpuSeconds / target) * 100_000;
    data.close();
    return {
      workers,
      receivers: receiverCount,
      messages,
      deliveriesPerSecond: target / seconds,
      nodeCpuPer100k: per100k((cpu.user + cpu.system) / 1e6),
      workerCpuPer100k: workersAfter.map(({ slot, seconds: after }) => per100k(after - (workersBefore.find((b) => b.slot === slot)?.seconds ?? 0))),
    };
  } finally {
    pool.close();
  }
}
