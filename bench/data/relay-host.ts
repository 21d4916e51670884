import { pathToFileURL } from 'node:url';
import type * as Mediasoup from 'mediasoup';
import type { DataConsumer, DataProducer, Router, WebRtcTransport, Worker } from 'mediasoup/types';

/**
 * The mediasoup side of `relay-path.ts`, in its own process as the server is, driven over IPC.
 * It loads the mediasoup package at `SWITCHBOARD_RELAY_MEDIASOUP` (default: this tree's), so
 * one run can put another build's mediasoup (and with it its worker and SCTP stack) and another
 * Node version on the same paths. It uses only APIs every mediasoup since 3.13 has.
 */

type Request =
  | { id: number; op: 'transport'; name: string }
  | { id: number; op: 'connect'; name: string; fingerprint: { algorithm: string; value: string } }
  | { id: number; op: 'produce'; name: string; streamId: number }
  | { id: number; op: 'route'; from: string; to: string; via: 'worker' | 'node' }
  | { id: number; op: 'close' };

const transports = new Map<string, WebRtcTransport>();
const producers = new Map<string, DataProducer>();
const consumers: DataConsumer[] = [];
let worker: Worker;
let router: Router;

async function start(): Promise<void> {
  const path = process.env.SWITCHBOARD_RELAY_MEDIASOUP;
  // mediasoup is CommonJS: imported by path, its API is the module's default export.
  const mediasoup = (await import(path ? pathToFileURL(`${path}/node/lib/index.js`).href : 'mediasoup')) as typeof Mediasoup & { default?: typeof Mediasoup };
  const api = mediasoup.default ?? mediasoup;
  worker = await api.createWorker({ logLevel: 'error' });
  router = await worker.createRouter({ mediaCodecs: [] });
  process.send!({ ready: true, mediasoup: api.version, node: process.version });
}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'transport': {
      const transport = await router.createWebRtcTransport({
        listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
        enableSctp: true,
      });
      transports.set(request.name, transport);
      const { id, iceParameters, iceCandidates, dtlsParameters, sctpParameters } = transport;
      return { id, iceParameters, iceCandidates, dtlsParameters, sctpParameters };
    }
    case 'connect':
      await transports.get(request.name)!.connect({ dtlsParameters: { role: 'client', fingerprints: [request.fingerprint as never] } });
      return {};
    case 'produce': {
      const producer = await transports.get(request.name)!.produceData({ sctpStreamParameters: { streamId: request.streamId, ordered: true } });
      producers.set(request.name, producer);
      return {};
    }
    case 'route': {
      const source = producers.get(request.from)!;
      const producer = request.via === 'worker' ? source : await relayThroughNode(source);
      const consumer = await transports.get(request.to)!.consumeData({ dataProducerId: producer.id });
      consumers.push(consumer);
      return { streamId: consumer.sctpStreamParameters!.streamId };
    }
    case 'close':
      worker.close();
      setImmediate(() => process.exit(0));
      return {};
  }
}

// Into Node and out again with nothing done in between: what the server's own work adds on
// top of this is the server's cost, what this adds on top of 'worker' is the crossing's.
async function relayThroughNode(source: DataProducer): Promise<DataProducer> {
  const direct = await router.createDirectTransport();
  const out = await direct.produceData({ label: 'relay' });
  const reader = await direct.consumeData({ dataProducerId: source.id });
  reader.on('message', (bytes: Buffer, ppid: number) => out.send(bytes, ppid));
  return out;
}

process.on('message', (request: Request) => {
  handle(request).then(
    (result) => process.send!({ id: request.id, result }),
    (error: Error) => process.send!({ id: request.id, error: error.message }),
  );
});
process.on('disconnect', () => process.exit(0));
void start();
