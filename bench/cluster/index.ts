// `npm run bench:cluster`: deliveries/s of one room over one and over two mediasoup workers of
// one node, then over 1, 2 and 3 nodes of a cluster on Redis, the latency crossing nodes adds
// and membership convergence after a node is killed, printed as Markdown tables.
// `npm run bench:cluster -- workers` or `-- nodes` runs one half, `-- latency` the cross-node
// latency alone. See docs/benchmarks.md.
import { cpus } from 'node:os';
import { runMain } from '../support/run-main.js';
import { fmt, printTable } from '../support/stats.js';
import { load, reportNodes } from './nodes-report.js';
import { routerCeiling, type CeilingRun } from '../support/router-ceiling.js';

const PAYLOAD_BYTES = 200;
// Each run is 300k deliveries; every receiver count runs on one worker (the baseline) and on two.
const RUNS = [
  { receivers: 10, messages: 30_000 },
  { receivers: 50, messages: 6_000 },
];
// Runs per configuration; the best is reported (the machine is shared, noise only slows).
const REPEATS = 3;

async function best(workers: number, receivers: number, messages: number): Promise<CeilingRun> {
  let top: CeilingRun | undefined;
  for (let i = 0; i < REPEATS; i++) {
    const result = await routerCeiling(workers, receivers, messages, PAYLOAD_BYTES);
    if (!top || result.deliveriesPerSecond > top.deliveriesPerSecond) top = result;
  }
  return top!;
}

async function main(): Promise<void> {
  const only = process.argv[2];
  console.log('# Switchboard cluster benchmarks');
  console.log(`\n${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; ${PAYLOAD_BYTES}-byte reliable messages; load average (1 min) at start ${load()}.`);
  if (only === 'latency') return reportNodes(true);
  if (only !== 'nodes') await reportWorkers();
  if (only !== 'workers') await reportNodes();
}

async function reportWorkers(): Promise<void> {
  const rows: string[][] = [];
  for (const { receivers, messages } of RUNS) {
    const one = await best(1, receivers, messages);
    const two = await best(2, receivers, messages);
    for (const result of [one, two]) {
      const baseline = result === one;
      rows.push([
        String(receivers),
        String(result.workers),
        fmt(result.deliveriesPerSecond),
        baseline ? '1.00× (baseline)' : `${fmt(two.deliveriesPerSecond / one.deliveriesPerSecond, 2)}×`,
        fmt(result.nodeCpuPer100k, 2),
        result.workerCpuPer100k.map((s) => fmt(s, 2)).join(' + '),
        fmt(workerCapacity(result)),
        baseline ? '1.00× (baseline)' : `${fmt(workerCapacity(two) / workerCapacity(one), 2)}×`,
      ]);
    }
  }
  printTable(
    `One room, same receivers on 1 vs 2 workers (real DataRouter; lightweight receivers: in-process DirectTransport DataConsumers, spread evenly; best of ${REPEATS}; load ${load()})`,
    ['Receivers', 'Workers', 'Deliveries/s', 'vs 1 worker', 'Node CPU s / 100k', 'Worker CPU s / 100k (each)', 'Workers\' capacity, deliveries/s', 'vs 1 worker'],
    rows,
  );
  console.log(
    '\nDeliveries/s is wall clock: every delivery to an in-process receiver also costs this one Node process, ' +
      'so on a small or shared machine it is bound by Node and the cores left, not by the workers. ' +
      "Workers' capacity is what the busiest worker could carry with a core to itself: deliveries per CPU-second of that worker.",
  );
}

/** Deliveries per second the workers could carry, bound by the busiest one's CPU per delivery. */
function workerCapacity(result: CeilingRun): number {
  return 100_000 / Math.max(...result.workerCpuPer100k);
}

runMain(main);
