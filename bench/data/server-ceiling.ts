import type { DataConsumer } from 'mediasoup/types';
import { encode, encodeOutgoing, EnvelopeKind, DEFAULT_GRANTS, unpackDelivered } from '@switchboard/sdk/protocol';
import { Logger } from '../../packages/server/src/log.js';
import { MEDIA_CODECS } from '../../packages/server/src/media/media-codecs.js';
import { WorkerPool } from '../../packages/server/src/media/worker-pool.js';
import { Peer } from '../../packages/server/src/rooms/peer.js';
import { benchDataRouter } from '../support/bench-data-router.js';

/** Result of one ceiling run. */
export interface CeilingResult {
  receivers: number;
  messages: number;
  deliveriesPerSecond: number;
  messagesPerSecond: number;
  /** Worker CPU plus this process's CPU per 100k deliveries. */
  cpuSecondsPer100k: number;
  /** The worker's share of it: routing and fan-out, without any WebRTC sending. */
  workerCpuSecondsPer100k: number;
}

/**
 * The server's own ceiling for one-to-many: the real DataRouter (checks, stamping, subchannel
 * fan-out in the worker) fed envelopes as fast as it takes them, with receivers that are
 * in-process DirectTransport DataConsumers instead of WebRTC peers, so no peer limits the figure.
 */
export async function serverCeiling(receiverCount: number, messages: number, payloadBytes = 200): Promise<CeilingResult> {
  const pool = await WorkerPool.start({ size: 1, logger: new Logger('error'), listenIp: '127.0.0.1', port: 0, workerLogLevel: 'error' });
  try {
    const home = pool.live()[0]!;
    const worker = home.worker;
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const members = new Map<string, Peer>();
    const data = await benchDataRouter(members);
    await data.addRouter(router);
    const newPeer = (identity: string) => {
      const peer = new Peer({
        identity,
        grants: { ...DEFAULT_GRANTS },
        subchannel: data.allocateSubchannel() as number,
        rate: { messagesPerSecond: 1e9, burst: 1e9 },
      });
      peer.home = { worker: home, router };
      members.set(peer.id, peer);
      return peer;
    };
    const sender = newPeer('sender');
    const target = messages * receiverCount;
    let delivered = 0;
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    for (let i = 0; i < receiverCount; i++) {
      const peer = newPeer(`r${i}`);
      const transport = await router.createDirectTransport();
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
    // Let the subscriptions reach the worker before the clock starts.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const payload = encode('x'.repeat(payloadBytes - 3));
    const cpuBefore = process.cpuUsage();
    const workerBefore = await worker.getResourceUsage();
    const started = performance.now();
    for (let seq = 1; seq <= messages; seq++) {
      const bytes = encodeOutgoing({ kind: EnvelopeKind.message, seq, type: 'bench', data: payload });
      data.route(sender, 'reliable', Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (seq % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const workerAfter = await worker.getResourceUsage();
    const workerCpu = (workerAfter.ru_utime + workerAfter.ru_stime - workerBefore.ru_utime - workerBefore.ru_stime) / 1000;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6 + workerCpu;
    return {
      receivers: receiverCount,
      messages,
      deliveriesPerSecond: target / seconds,
      messagesPerSecond: messages / seconds,
      cpuSecondsPer100k: (cpuSeconds / target) * 100_000,
      workerCpuSecondsPer100k: (workerCpu / target) * 100_000,
    };
  } finally {
    pool.close();
  }
}
