// `npm run bench:relay-path`: where the one-to-one relay latency goes, hop by hop.
//
// The same paced, stamped 200-byte messages as bench:data's latency rows, one way, on four
// paths, alternated in rounds so each row sees the same machine:
//   raw          wrtc → wrtc, one DataChannel (the floor)
//   worker       wrtc → mediasoup worker → wrtc: the sender's DataProducer consumed on the
//                receiver's transport, Node never sees the message (DTLS + SCTP twice)
//   worker+node  the same, but through a DirectTransport into the mediasoup host's Node process
//                and out again with no work in between (the channel crossing, twice)
//   switchboard  the server, SDK peers at default options (to: the receiver)
//   switchboard (coalesceSends: false)  the same with the SDK's send coalescing off
// Environment: SWITCHBOARD_RELAY_MEDIASOUP (a mediasoup package directory, e.g. another build's
// node_modules/mediasoup) and SWITCHBOARD_RELAY_NODE (the Node binary of the mediasoup host) put
// another SCTP stack or Node version on the middle rows; SWITCHBOARD_RELAY_PATHS (comma-separated
// path names) runs only some rows; SWITCHBOARD_BENCH_ROUNDS (default 3).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import wrtc from '@roamhq/wrtc';
import type { TransportInfo } from '@switchboard/sdk/protocol';
import { readOffer, sctpAnswer } from '../../packages/sdk/src/transport/sctp-sdp.js';
import { runMain } from '../support/run-main.js';
import { ServerProcess } from '../support/server-process.js';
import { fmt, printTable, type Percentiles } from '../support/stats.js';
import { withTimeout } from '../support/time.js';
import { measureLatency, sdkLatency, type LatencyResult } from './latency.js';
import { p2pLatency } from './p2p-baseline.js';

const ROUNDS = Number(process.env.SWITCHBOARD_BENCH_ROUNDS ?? 3);
const OPEN_TIMEOUT_MS = 10_000;
const SENDER_STREAM = 0;
const UNUSED_STREAM = 1000;
const ALL_PATHS = ['raw', 'worker', 'worker+node', 'switchboard', 'switchboard (coalesceSends: false)'] as const;
type Path = (typeof ALL_PATHS)[number];
const PATHS: readonly Path[] = process.env.SWITCHBOARD_RELAY_PATHS
  ? ALL_PATHS.filter((path) => process.env.SWITCHBOARD_RELAY_PATHS!.split(',').includes(path))
  : ALL_PATHS;

/** The mediasoup host process, one request at a time over IPC. */
class RelayHost {
  private next = 1;
  private readonly pending = new Map<number, { resolve(value: never): void; reject(error: Error): void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly versions: { mediasoup: string; node: string },
  ) {
    child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(message.error));
      else waiting.resolve(message.result as never);
    });
  }

  static async start(): Promise<RelayHost> {
    const child = fork(fileURLToPath(new URL('./relay-host.ts', import.meta.url)), {
      execPath: process.env.SWITCHBOARD_RELAY_NODE ?? process.execPath,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const versions = await withTimeout(
      new Promise<{ mediasoup: string; node: string }>((resolve, reject) => {
        child.once('message', (message: { mediasoup: string; node: string }) => resolve(message));
        child.once('exit', (code) => reject(new Error(`the relay host exited (${code})`)));
      }),
      OPEN_TIMEOUT_MS,
      'the relay host starting',
    );
    return new RelayHost(child, versions);
  }

  call<T>(request: Record<string, unknown>): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...request, id });
    });
  }

  async close(): Promise<void> {
    await this.call({ op: 'close' }).catch(() => undefined);
  }
}

/** One wrtc RTCPeerConnection to one of the host's transports, SCTP only, as the data SDK does it. */
async function connectTo(host: RelayHost, name: string, firstId: number): Promise<{ pc: RTCPeerConnection; first: RTCDataChannel }> {
  const transport = await host.call<TransportInfo>({ op: 'transport', name });
  const pc: RTCPeerConnection = new wrtc.RTCPeerConnection({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
  // An offer needs a data section: this first channel is the sender's own, or unused (on a
  // stream the host never gives a consumer).
  const first = pc.createDataChannel('first', { negotiated: true, id: firstId, ordered: true });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const facts = readOffer(offer.sdp ?? '');
  await host.call({ op: 'connect', name, fingerprint: facts.fingerprint });
  await pc.setRemoteDescription({ type: 'answer', sdp: sctpAnswer(transport, facts) });
  return { pc, first };
}

/** One way from a wrtc sender through the host to a wrtc receiver, on `via`. */
async function relayLatency(host: RelayHost, via: 'worker' | 'node'): Promise<LatencyResult> {
  const sender = await connectTo(host, `sender-${via}`, SENDER_STREAM);
  const receiver = await connectTo(host, `receiver-${via}`, UNUSED_STREAM);
  try {
    const outgoing = sender.first;
    await host.call({ op: 'produce', name: `sender-${via}`, streamId: SENDER_STREAM });
    const { streamId } = await host.call<{ streamId: number }>({ op: 'route', from: `sender-${via}`, to: `receiver-${via}`, via });
    const incoming = receiver.pc.createDataChannel('relayed', { negotiated: true, id: streamId, ordered: true });
    incoming.binaryType = 'arraybuffer';
    await Promise.all([opened(outgoing), opened(incoming)]);
    return await measureLatency(
      (payload) => outgoing.send(payload),
      (listener) => (incoming.onmessage = (event: MessageEvent<ArrayBuffer>) => listener(new Uint8Array(event.data))),
    );
  } finally {
    sender.pc.close();
    receiver.pc.close();
  }
}

function opened(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === 'open') return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve) => channel.addEventListener('open', () => resolve(), { once: true })),
    OPEN_TIMEOUT_MS,
    `the ${channel.label} channel opening`,
  );
}

async function main(): Promise<void> {
  const host = await RelayHost.start();
  const server = await ServerProcess.start();
  const results = new Map<Path, LatencyResult[]>(ALL_PATHS.map((path) => [path, []]));
  try {
    console.log(`# Relay path, one way, ${ROUNDS} round(s); mediasoup host: mediasoup ${host.versions.mediasoup} on Node ${host.versions.node}; peers on Node ${process.version}`);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order so no path always runs first after a pause.
      const order = round % 2 === 0 ? PATHS : [...PATHS].reverse();
      for (const path of order) {
        const result = await measure(path, host, server, round);
        results.get(path)!.push(result);
        console.log(`round ${round + 1} ${path}: p50 ${fmt(result.p50, 3)} ms, p99 ${fmt(result.p99, 3)} ms`);
      }
    }
  } finally {
    await server.stop();
    await host.close();
  }
  report(results);
}

function measure(path: Path, host: RelayHost, server: ServerProcess, round: number): Promise<LatencyResult> {
  switch (path) {
    case 'raw':
      return p2pLatency();
    case 'worker':
      return relayLatency(host, 'worker');
    case 'worker+node':
      return relayLatency(host, 'node');
    case 'switchboard':
      return sdkLatency(server, server, `relay-path-${round}`);
    case 'switchboard (coalesceSends: false)':
      return sdkLatency(server, server, `relay-path-uncoalesced-${round}`, { connect: { coalesceSends: false } });
  }
}

function report(results: Map<Path, LatencyResult[]>): void {
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const of = (path: Path, key: keyof Percentiles): number => median(results.get(path)!.map((r) => r[key]));
  const raw = results.get('raw')!.length > 0 ? { p50: of('raw', 'p50'), p99: of('raw', 'p99') } : { p50: NaN, p99: NaN };
  printTable(
    'One-way latency by path, ms (median of rounds)',
    ['path', 'p50', 'p99', 'p50 ÷ raw', 'p99 ÷ raw', 'p50 added by this hop'],
    PATHS.map((path, i) => {
      const p50 = of(path, 'p50');
      // What each row adds to the one before it; the uncoalesced row is beside the default one.
      const previous = path === 'switchboard (coalesceSends: false)' ? 'worker+node' : PATHS[i - 1];
      const before = i === 0 || previous === undefined || !PATHS.includes(previous) ? 0 : of(previous, 'p50');
      return [path, fmt(p50, 3), fmt(of(path, 'p99'), 3), `${fmt(p50 / raw.p50, 2)}×`, `${fmt(of(path, 'p99') / raw.p99, 2)}×`, fmt(p50 - before, 3)];
    }),
  );
}

runMain(main);
