// Markdown tables of the data benchmarks' results.
import { fmt, printTable } from '../support/stats.js';
import { RATE_MESSAGES, type DirectResult, type DirectRound } from './direct.js';
import type { FanoutResult, FanoutRuns } from './fanout.js';
import { JOINS, type JoinTimeResult } from './join-time.js';
import { LATENCY_MESSAGES, LATENCY_RATE, LATENCY_ROUNDS, type LatencyResult } from './latency.js';
import type { ServerFanoutResult } from './one-to-many.js';
import { LOSSY_NETWORK, type LossyLatency } from './lossy-latency.js';
import type { NodeCost, NodeCostRun } from './node-cost.js';
import { RECEIVE_PATH_MESSAGES, type ReceivePathResult } from './receive-path.js';
import type { CeilingResult } from './server-ceiling.js';

/** The one-to-many runs at one receiver count, through the server and peer-to-peer. */
export interface FanoutComparison {
  receivers: number;
  server: FanoutRuns<ServerFanoutResult>;
  p2p: FanoutRuns<FanoutResult>;
}

export function printLatency(server: LatencyResult, p2p: LatencyResult, uncoalesced: LatencyResult, receipts: LatencyResult): void {
  printTable(
    `One-to-one latency, one-way (${LATENCY_MESSAGES} messages at ${LATENCY_RATE}/s, both ends in one process; medians of ${LATENCY_ROUNDS} alternated rounds)`,
    ['Path', 'p50 ms', 'p99 ms', 'Received'],
    [
      ['Switchboard (SDK → server → SDK), at default options', fmt(server.p50, 2), fmt(server.p99, 2), `${server.count}/${server.sent}`],
      ['Peer-to-peer RTCDataChannel (wrtc)', fmt(p2p.p50, 2), fmt(p2p.p99, 2), `${p2p.count}/${p2p.sent}`],
      ['Ratio Switchboard / peer-to-peer, at default options', `${fmt(server.p50 / p2p.p50)}×`, `${fmt(server.p99 / p2p.p99)}×`, ''],
      ['Switchboard, `coalesceSends: false`', fmt(uncoalesced.p50, 2), fmt(uncoalesced.p99, 2), `${uncoalesced.count}/${uncoalesced.sent}`],
      ['Ratio Switchboard / peer-to-peer, `coalesceSends: false`', `${fmt(uncoalesced.p50 / p2p.p50)}×`, `${fmt(uncoalesced.p99 / p2p.p99)}×`, ''],
    ],
  );
  printTable(
    `Receipts: \`await send(..., { receipt: true })\`, call to verdict (${LATENCY_MESSAGES} messages at ${LATENCY_RATE}/s, each awaited)`,
    ['', 'p50 ms', 'p99 ms', 'Settled'],
    [
      ['receipt: true', fmt(receipts.p50, 2), fmt(receipts.p99, 2), `${receipts.count}/${receipts.sent}`],
      ['one round trip (2 × the one-way latency above, at default options)', fmt(2 * server.p50, 2), fmt(2 * server.p99, 2), ''],
      ['receipt − round trip', fmt(receipts.p50 - 2 * server.p50, 2), fmt(receipts.p99 - 2 * server.p99, 2), ''],
    ],
  );
}

/** The awaited loop at default options beside the same loop waiting for each receipt. */
export function printReceiptFanout(defaults: FanoutRuns<ServerFanoutResult>, receipts: FanoutRuns<ServerFanoutResult>): void {
  const row = (label: string, runs: FanoutRuns<ServerFanoutResult>) => [
    label,
    fmt(runs.flood.sendRate),
    fmt(runs.flood.deliveriesPerSecond),
    delivered(runs.flood),
    `${fmt(runs.flood.sendRate / defaults.flood.sendRate, 2)}×`,
  ];
  printTable(
    `A sender awaiting each send(), 1 → ${defaults.flood.receivers} (flood)`,
    ['send() options', 'Sender msgs/s', 'Deliveries/s', 'Delivered', 'Rate ÷ default'],
    [row('at default options (resolves on hand-off)', defaults), row('`receipt: true` (resolves on the server\'s receipt)', receipts)],
  );
}

export function printDirect(server: LatencyResult, { open, rounds, serverRate }: DirectResult): void {
  const direct = medianRound(rounds);
  printTable(
    `Direct channels: one-to-one latency, one-way (${LATENCY_MESSAGES} messages at ${LATENCY_RATE}/s), and 1:1 rate (${RATE_MESSAGES} messages, sent as fast as backpressure allows); direct and P2P: medians of ${rounds.length} alternated rounds`,
    ['Path', 'p50 ms', 'p99 ms', 'Received', '1:1 msgs/s'],
    [
      ['via server (room message)', fmt(server.p50, 2), fmt(server.p99, 2), `${server.count}/${server.sent}`, fmt(serverRate, 0)],
      ['direct channel (room.openDirect)', fmt(direct.directP50, 2), fmt(direct.directP99, 2), received(rounds, 'direct'), fmt(direct.directRate, 0)],
      ['P2P baseline (raw wrtc RTCDataChannel)', fmt(direct.p2pP50, 2), fmt(direct.p2pP99, 2), received(rounds, 'p2p'), fmt(direct.p2pRate, 0)],
      ['Ratio direct / P2P baseline (median of the rounds\' ratios)', `${fmt(direct.p50Ratio, 2)}×`, '', '', `${fmt(direct.rateRatio, 2)}×`],
    ],
  );
  printDirectRounds(rounds);
  printTable('Direct channel open time (call → resolved, on loopback)', ['', 'p50 ms', 'p99 ms'], [['room.openDirect()', fmt(open.p50), fmt(open.p99)]]);
}

/** Each round of the direct/P2P comparison, and the medians. */
export function printDirectRounds(rounds: DirectRound[]): void {
  const m = medianRound(rounds);
  printTable(
    `Direct channel vs raw wrtc RTCDataChannel, round by round (alternated; ${LATENCY_MESSAGES} messages at ${LATENCY_RATE}/s per latency run, ${RATE_MESSAGES} per rate run)`,
    ['Round', 'direct p50 ms', 'P2P p50 ms', 'p50 ratio', 'direct p99 ms', 'P2P p99 ms', 'direct msgs/s', 'P2P msgs/s', 'rate ratio'],
    [
      ...rounds.map((round, i) => [`${i + 1}`, ...roundCells(round)]),
      ['median', fmt(m.directP50, 3), fmt(m.p2pP50, 3), `${fmt(m.p50Ratio, 2)}×`, fmt(m.directP99, 2), fmt(m.p2pP99, 2), fmt(m.directRate, 0), fmt(m.p2pRate, 0), `${fmt(m.rateRatio, 2)}×`],
    ],
  );
}

/** One round's cells: p50s and their ratio, p99s, rates and their ratio. */
export function roundCells({ direct, p2p, directRate, p2pRate }: DirectRound): string[] {
  return [
    fmt(direct.p50, 3),
    fmt(p2p.p50, 3),
    `${fmt(direct.p50 / p2p.p50, 2)}×`,
    fmt(direct.p99, 2),
    fmt(p2p.p99, 2),
    fmt(directRate, 0),
    fmt(p2pRate, 0),
    `${fmt(directRate / p2pRate, 2)}×`,
  ];
}

// Each figure's median over the rounds; the ratios are medians of each round's own ratio.
function medianRound(rounds: DirectRound[]) {
  const median = (f: (round: DirectRound) => number): number => {
    const sorted = rounds.map(f).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? NaN;
  };
  return {
    directP50: median((r) => r.direct.p50),
    p2pP50: median((r) => r.p2p.p50),
    p50Ratio: median((r) => r.direct.p50 / r.p2p.p50),
    directP99: median((r) => r.direct.p99),
    p2pP99: median((r) => r.p2p.p99),
    directRate: median((r) => r.directRate),
    p2pRate: median((r) => r.p2pRate),
    rateRatio: median((r) => r.directRate / r.p2pRate),
  };
}

function received(rounds: DirectRound[], path: 'direct' | 'p2p'): string {
  return `${rounds.reduce((sum, r) => sum + r[path].count, 0)}/${rounds.reduce((sum, r) => sum + r[path].sent, 0)}`;
}

export function printLossyLatency({ reliable, lossy }: LossyLatency): void {
  const { loss, jitterMs } = LOSSY_NETWORK;
  printTable(
    `One-to-one latency under ${loss * 100} % loss and ${jitterMs} ms jitter each way (user-space UDP relay; ${LATENCY_MESSAGES} messages at ${LATENCY_RATE}/s)`,
    ['Channel', 'p50 ms', 'p99 ms', 'Received'],
    [
      ['reliable (retransmitted, in order)', fmt(reliable.p50, 2), fmt(reliable.p99, 2), `${reliable.count}/${reliable.sent}`],
      ['lossy (no retransmission)', fmt(lossy.p50, 2), fmt(lossy.p99, 2), `${lossy.count}/${lossy.sent}`],
    ],
  );
}

export function printJoinTime(joins: JoinTimeResult): void {
  printTable(
    `Join time (${JOINS} joins, one after another; p99 of ${JOINS} is the slowest)`,
    ['From calling connect() to', 'p50 ms', 'p99 ms'],
    [
      ['connect() resolved', fmt(joins.connect.p50), fmt(joins.connect.p99)],
      ['first message received', fmt(joins.firstMessage.p50), fmt(joins.firstMessage.p99)],
    ],
  );
}

export function printFanout(comparisons: readonly FanoutComparison[]): void {
  printTable(
    'One-to-many throughput (1 sender, receivers in one child process)',
    ['Receivers', 'Path', 'Run', 'Sender msgs/s', 'Delivered', 'Deliveries/s', 'Receiver resumes'],
    comparisons.flatMap(({ receivers, server, p2p }) =>
      labelledRuns(server, p2p).map(([path, run, label]) => [
        String(receivers),
        path,
        label,
        fmt(run.sendRate),
        delivered(run),
        fmt(run.deliveriesPerSecond),
        run.disconnects > 0 ? `${run.resumes} (${run.disconnects} gave up)` : String(run.resumes),
      ]),
    ),
  );
  printTable(
    'One-to-many deliveries/s: Switchboard vs peer-to-peer mesh (flood, and steady: all delivered, no resume)',
    ['Receivers', 'Switchboard flood', 'P2P flood', 'Ratio', 'Switchboard steady', 'P2P steady', 'Ratio'],
    comparisons.map(({ receivers, server, p2p }) => {
      const floods = [server.flood.deliveriesPerSecond, p2p.flood.deliveriesPerSecond] as const;
      const steady = [server.steady?.deliveriesPerSecond ?? NaN, p2p.steady?.deliveriesPerSecond ?? NaN] as const;
      return [
        String(receivers),
        fmt(floods[0]),
        fmt(floods[1]),
        `${fmt(floods[0] / floods[1], 2)}×`,
        fmt(steady[0]),
        fmt(steady[1]),
        `${fmt(steady[0] / steady[1], 2)}×`,
      ];
    }),
  );
}

/**
 * Each process's CPU as a share of one core over the run (out of 200% on 2 cores) with its
 * busiest thread's share, and UDP datagrams dropped because a process read its socket too late.
 */
export function printFanoutCpu(comparisons: readonly FanoutComparison[]): void {
  const runs = comparisons.flatMap(({ server, p2p }) => labelledRuns(server, p2p));
  const names = [...new Set(runs.flatMap(([, run]) => Object.keys(run.use.cpu)))];
  printTable(
    'One-to-many CPU (% of one core from first send to last delivery: process / its busiest thread; 2 cores = 200%) and UDP receive drops',
    ['Run', 'Wall s', ...names, 'Total', 'UDP drops'],
    runs.map(([path, run, label]) => {
      const share = (seconds: number) => `${fmt((seconds / run.seconds) * 100, 0)}%`;
      const { cpu, busiest, udpDrops } = run.use;
      const total = Object.values(cpu).reduce((a, b) => a + b, 0);
      const drops = Object.entries(udpDrops).filter(([, count]) => count > 0);
      return [
        `${path}, ${run.receivers}, ${label}`,
        fmt(run.seconds, 2),
        ...names.map((name) => (cpu[name] === undefined ? '–' : `${share(cpu[name])} / ${share(busiest[name]?.seconds ?? 0)}`)),
        share(total),
        drops.length === 0 ? 'none' : drops.map(([name, count]) => `${name} ${count}`).join(', '),
      ];
    }),
  );
}

export function printServerCpu(comparisons: readonly FanoutComparison[]): void {
  printTable(
    'Server CPU per 100k deliveries (server in its own processes, during the Switchboard runs above)',
    ['Receivers', 'Run', 'Delivered', 'Server counted', 'Server drops', 'Node CPU s', 'Worker CPU s', 'CPU s per 100k deliveries', 'of which worker'],
    comparisons.flatMap(({ server }) =>
      runsOf(server).map(([run, label]) => {
        const drops = Object.entries(run.serverDrops).map(([reason, count]) => `${reason} ${count}`);
        const node = run.use.cpu['server Node'] ?? NaN;
        const worker = run.use.cpu['mediasoup worker'] ?? NaN;
        return [
          String(run.receivers),
          label,
          String(run.delivered),
          String(run.serverDeliveries),
          drops.length === 0 ? 'none' : drops.join(', '),
          fmt(node, 2),
          fmt(worker, 2),
          fmt(((node + worker) / run.delivered) * 100_000, 2),
          fmt((worker / run.delivered) * 100_000, 2),
        ];
      }),
    ),
  );
}

/** Node CPU per incoming message, the server's own cost of reading, checking and forwarding one. */
export function printNodeCost(cost: NodeCost): void {
  const row = (label: string, run: NodeCostRun, idleSeconds: number) => [
    label,
    String(run.messagesIn),
    `${run.received}/${run.messagesIn}`,
    fmt(run.nodeSeconds, 2),
    fmt((run.nodeSeconds / run.messagesIn) * 1e6, 0),
    fmt(((run.nodeSeconds - idleSeconds) / run.messagesIn) * 1e6, 0),
    fmt((run.workerSeconds / run.messagesIn) * 1e6, 0),
  ];
  printTable(
    `Node CPU µs per incoming message (1:1 targeted, 200-byte reliable; CPU of the server's processes, not wall time; idle Node ${fmt(cost.idleNodeShare * 100, 1)} % of a core)`,
    ['Run', 'Messages in', 'Received', 'Node CPU s', 'Node CPU µs per incoming message', 'of which above idle', 'Worker CPU µs per message'],
    [row('flood', cost.flood, 0), row('isolated (100/s)', cost.isolated, cost.idleNodeShare * cost.isolatedSeconds)],
  );
}

export function printCeiling(ceilings: readonly CeilingResult[]): void {
  printTable(
    'Server ceiling (real DataRouter and worker fan-out; receivers are in-process DirectTransport DataConsumers)',
    ['Receivers', 'Deliveries/s', 'Messages/s in', 'CPU s per 100k deliveries', 'of which worker'],
    ceilings.map((c) => [
      String(c.receivers),
      fmt(c.deliveriesPerSecond),
      fmt(c.messagesPerSecond),
      fmt(c.cpuSecondsPer100k, 2),
      fmt(c.workerCpuSecondsPer100k, 2),
    ]),
  );
}

function delivered(run: FanoutResult): string {
  if (run.delivered === run.expected) return `all ${run.expected}`;
  const missing = run.expected - run.delivered;
  return `${run.delivered}/${run.expected}: ${missing} not arrived by the end of the wait (${fmt((missing / run.expected) * 100, 2)}%)`;
}

/** Every run of one comparison, with its path and a label saying how the sender sent. */
function labelledRuns(
  server: FanoutRuns<FanoutResult>,
  p2p: FanoutRuns<FanoutResult>,
): (readonly [path: string, run: FanoutResult, label: string])[] {
  return ([['Switchboard', server], ['P2P mesh', p2p]] as const).flatMap(([path, runs]) =>
    runsOf(runs).map(([run, label]) => [path, run, label] as const),
  );
}

/** The flood and the paced runs, each with a label saying how the sender sent. */
function runsOf<R extends FanoutResult>(runs: FanoutRuns<R>): (readonly [run: R, label: string])[] {
  return [[runs.flood, 'flood'] as const, ...runs.paced.map((run) => [run, `paced ${fmt(run.sendRate, 0)}/s`] as const)];
}

/** The server's warnings and errors, each distinct one once with how often it came. */
export function printProblems(problems: readonly string[]): void {
  if (problems.length === 0) return;
  const counts = new Map<string, number>();
  for (const problem of problems) counts.set(problem, (counts.get(problem) ?? 0) + 1);
  console.log('\nThe server logged:\n');
  for (const [problem, count] of counts) console.log(`- ${problem} (×${count})`);
}

export function printReceivePath(results: readonly ReceivePathResult[]): void {
  printTable(
    `SDK receive path vs JSON.parse of the same content (${RECEIVE_PATH_MESSAGES} chat messages of ~200 bytes, in this process, median of 7 passes)`,
    ['Deliveries arrive', 'SDK µs per message', 'JSON.parse µs per message', 'Ratio'],
    results.map((r) => [r.shape, fmt(r.sdkMicros, 2), fmt(r.jsonMicros, 2), `${fmt(r.sdkMicros / r.jsonMicros, 2)}×`]),
  );
}
