import { loadavg } from 'node:os';
import type { FanoutResult } from '../data/fanout.js';
import { sdkLatency, type LatencyResult } from '../data/latency.js';
import { ReceiverHost } from '../data/receivers.js';
import { fmt, percentiles, printTable } from '../support/stats.js';
import { BenchCluster } from './cluster-nodes.js';
import { convergenceAfterKill } from './convergence.js';
import { nodeFanout, nodesCapacity } from './node-fanout.js';

// wrtc SDK receivers, all in one child process: 6 already take most of a core there.
const FANOUT_RECEIVERS = 6;
const NODE_COUNTS = [1, 2, 3];
// Latency runs per path, alternated so both paths see the same background load; the best
// (lowest p50) is reported, as noise on a shared machine only adds.
const LATENCY_REPEATS = 2;
const CONVERGENCE_RUNS = 3;
const CONVERGENCE_PEERS_PER_NODE = 2;

/** The load average (1 min) now, for the report: the machine is shared. */
export function load(): string {
  return fmt(loadavg()[0]!, 2);
}

/**
 * The cluster rows of `npm run bench:cluster`: one room over 1, 2 and 3 nodes, the extra
 * latency of crossing nodes, and membership convergence after a node is killed. One Redis and
 * three nodes serve every section; each section uses its own room. `latencyOnly` runs the
 * latency section alone, on two nodes.
 */
export async function reportNodes(latencyOnly = false): Promise<void> {
  const cluster = await BenchCluster.start(latencyOnly ? 2 : Math.max(...NODE_COUNTS));
  try {
    if (!latencyOnly) await reportFanout(cluster);
    await reportLatency(cluster);
    if (!latencyOnly) await reportConvergence(cluster);
  } finally {
    await cluster.stop();
  }
}

async function reportFanout(cluster: BenchCluster): Promise<void> {
  const host = ReceiverHost.start();
  const results: { nodes: number; run: FanoutResult | undefined; load: string }[] = [];
  try {
    for (const count of NODE_COUNTS) {
      const runs = await nodeFanout(cluster.nodes.slice(0, count), cluster.redisPid, host, FANOUT_RECEIVERS);
      results.push({ nodes: count, run: runs.steady, load: load() });
    }
  } finally {
    await host.stop();
  }
  const base = results[0]?.run;
  const rows = results.map(({ nodes, run, load: average }) => {
    if (!run) return [String(nodes), 'no steady run', '', '', '', '', '', average];
    const capacity = nodesCapacity(run, nodes);
    return [
      String(nodes),
      fmt(run.deliveriesPerSecond),
      nodes === 1 ? '1.00× (baseline)' : ratio(run.deliveriesPerSecond, base?.deliveriesPerSecond),
      fmt(run.use.cpu.receivers ?? NaN, 2) + ` / ${fmt(run.seconds, 2)}`,
      fmt(((run.use.cpu.redis ?? NaN) / run.delivered) * 100_000, 2),
      fmt(capacity),
      nodes === 1 ? '1.00× (baseline)' : ratio(capacity, base && nodesCapacity(base, 1)),
      average,
    ];
  });
  printTable(
    `One room, ${FANOUT_RECEIVERS} receivers spread over 1, 2, 3 nodes (sender on node 1; wrtc SDK receivers, all in one child process; fastest steady run)`,
    ['Nodes', 'Deliveries/s', 'vs 1 node', 'Receiver host CPU s / run s', 'Redis CPU s / 100k', "Nodes' capacity, deliveries/s", 'vs 1 node', 'Load (1 min)'],
    rows,
  );
  console.log(
    '\nThe receivers are wrtc SDK peers, not lightweight ones: the nodes are separate server processes, reached only over ' +
      'WebRTC. All of them share one child process, which (with the sender, 3 nodes, Redis and 2 cores) limits the wall-clock ' +
      "figure. Nodes' capacity is what the busiest node could carry with cores of its own: deliveries per CPU-second of its " +
      'Node process and worker together.',
  );
}

async function reportLatency(cluster: BenchCluster): Promise<void> {
  const [a, b] = cluster.nodes;
  let same: LatencyResult | undefined;
  let cross: LatencyResult | undefined;
  const better = (best: LatencyResult | undefined, next: LatencyResult) => (!best || next.p50 < best.p50 ? next : best);
  for (let i = 0; i < LATENCY_REPEATS; i++) {
    same = better(same, await sdkLatency(a!, a!, `latency-same-${i}`));
    cross = better(cross, await sdkLatency(a!, b!, `latency-cross-${i}`));
  }
  const row = (path: string, result: LatencyResult) => [path, fmt(result.p50, 2), fmt(result.p99, 2), `${result.count}/${result.sent}`];
  printTable(
    `One-to-one latency, one-way, ms (wrtc SDK peers in the bench process; best p50 of ${LATENCY_REPEATS} alternated runs; load ${load()})`,
    ['Path', 'p50', 'p99', 'Received'],
    [
      row('sender and receiver on one node', same!),
      row('receiver on another node', cross!),
      ['cross-node − same node', fmt(cross!.p50 - same!.p50, 2), fmt(cross!.p99 - same!.p99, 2), ''],
      ['cross-node ÷ same node', ratio(cross!.p50, same!.p50), ratio(cross!.p99, same!.p99), ''],
    ],
  );
}

async function reportConvergence(cluster: BenchCluster): Promise<void> {
  const samples: number[] = [];
  for (let run = 0; run < CONVERGENCE_RUNS; run++) samples.push(await convergenceAfterKill(cluster, CONVERGENCE_PEERS_PER_NODE, run));
  const { p50 } = percentiles(samples);
  printTable(
    `Membership convergence after kill -9 of one of 3 nodes, ms (${CONVERGENCE_PEERS_PER_NODE} wrtc SDK peers per node; default heartbeat 1 s, node TTL 5 s; load ${load()})`,
    ['Runs', 'p50', 'max', 'Each'],
    [[String(samples.length), fmt(p50, 0), fmt(Math.max(...samples), 0), samples.map((ms) => fmt(ms, 0)).join(', ')]],
  );
}

function ratio(value: number, base: number | undefined): string {
  return base === undefined ? 'n/a' : `${fmt(value / base, 2)}×`;
}
