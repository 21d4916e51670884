// `npm run bench:direct`: the direct channel against the raw wrtc RTCDataChannel, alternated in
// rounds under the same conditions, so that their ratio is not skewed by load that came and went.
// See docs/benchmarks.md "Direct channels".
import { ServerProcess } from '../support/server-process.js';
import { p2pPair } from '../support/p2p.js';
import { leaveAll } from '../support/sdk-peer.js';
import { fmt, printTable } from '../support/stats.js';
import { openPair, p2pSend, pair, rate, RATE_MESSAGES } from './direct.js';
import { LATENCY_MESSAGES, LATENCY_RATE, measureLatency, type LatencyResult } from './latency.js';
import { stampedPayload } from './payload.js';

const ROUNDS = Number(process.env.SWITCHBOARD_BENCH_ROUNDS ?? 5);

interface Round {
  direct: LatencyResult;
  p2p: LatencyResult;
  directRate: number;
  p2pRate: number;
}

async function main(): Promise<void> {
  const server = await ServerProcess.start();
  const [sender, receiver] = await pair(server, 'direct-compare');
  // Both paths live side by side for the whole run: same process, same room peers, same load.
  const [channel, incoming] = await openPair(sender, receiver);
  const p2p = await p2pPair();
  let onDirect: (payload: Uint8Array) => void = () => undefined;
  let onP2p: (payload: Uint8Array) => void = () => undefined;
  incoming.on('message', (message) => onDirect(message.data as Uint8Array));
  p2p.receiver.channel.onmessage = (event: MessageEvent<ArrayBuffer>) => onP2p(new Uint8Array(event.data));
  const payload = stampedPayload();
  const measure = {
    direct: () => measureLatency((bytes) => channel.send('bench', bytes), (listener) => (onDirect = listener)),
    p2p: () => measureLatency((bytes) => p2p.sender.channel.send(bytes), (listener) => (onP2p = listener)),
    directRate: () => {
      let received = 0;
      onDirect = () => (received += 1);
      return rate(() => channel.send('bench', payload), () => received);
    },
    p2pRate: () => {
      let received = 0;
      onP2p = () => (received += 1);
      return rate(() => p2pSend(p2p.sender.channel, payload), () => received);
    },
  };
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which path goes first, so neither always gets the fresher machine.
      const round = {} as Round;
      const order = i % 2 === 0 ? (['direct', 'p2p'] as const) : (['p2p', 'direct'] as const);
      for (const path of order) round[path] = await measure[path]();
      for (const path of order) round[`${path}Rate`] = await measure[`${path}Rate`]();
      rounds.push(round);
      console.error(`round ${i + 1}/${ROUNDS}: ${row(round, `${i + 1}`).join(' | ')}`);
    }
  } finally {
    p2p.sender.close();
    p2p.receiver.close();
    channel.close();
    await leaveAll([sender, receiver]);
    await server.stop();
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const pick = (f: (round: Round) => number): number => median(rounds.map(f));
  printTable(
    `Direct channel vs raw wrtc RTCDataChannel, alternated (${LATENCY_MESSAGES} messages at ${LATENCY_RATE}/s per latency run; ${RATE_MESSAGES} messages per rate run)`,
    ['Round', 'direct p50 ms', 'P2P p50 ms', 'p50 ratio', 'direct p99 ms', 'P2P p99 ms', 'direct msgs/s', 'P2P msgs/s', 'rate ratio'],
    [
      ...rounds.map((round, i) => row(round, `${i + 1}`)),
      [
        'median',
        fmt(pick((r) => r.direct.p50), 3),
        fmt(pick((r) => r.p2p.p50), 3),
        `${fmt(pick((r) => r.direct.p50 / r.p2p.p50), 2)}×`,
        fmt(pick((r) => r.direct.p99), 2),
        fmt(pick((r) => r.p2p.p99), 2),
        fmt(pick((r) => r.directRate), 0),
        fmt(pick((r) => r.p2pRate), 0),
        `${fmt(pick((r) => r.directRate / r.p2pRate), 2)}×`,
      ],
    ],
  );
}

function row(round: Round, label: string): string[] {
  return [
    label,
    fmt(round.direct.p50, 3),
    fmt(round.p2p.p50, 3),
    `${fmt(round.direct.p50 / round.p2p.p50, 2)}×`,
    fmt(round.direct.p99, 2),
    fmt(round.p2p.p99, 2),
    fmt(round.directRate, 0),
    fmt(round.p2pRate, 0),
    `${fmt(round.directRate / round.p2pRate, 2)}×`,
  ];
}

await main();
