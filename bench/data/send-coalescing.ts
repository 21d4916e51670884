// `npm run bench:coalescing`: the server's Node CPU per incoming message and the 1:1 flood rate
// with the sender's send coalescing off and on, alternating on one server, in rounds, so both
// see the same machine load. See docs/benchmarks.md ("SDK send path").
import { loadavg } from 'node:os';
import { fmt, printTable } from '../support/stats.js';
import { ServerProcess } from '../support/server-process.js';
import { nodeCost, type NodeCost, type NodeCostRun } from './node-cost.js';

const ROUNDS = Number(process.env.SWITCHBOARD_BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const server = await ServerProcess.start();
  const rows: string[][] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const coalesceSends of [false, true]) {
        const load = loadavg()[0]!;
        const cost = await nodeCost(server, { coalesceSends });
        rows.push(row(round, coalesceSends, load, cost));
        console.error(`round ${round}, coalescing ${coalesceSends ? 'on' : 'off'} done`);
      }
    }
  } finally {
    await server.stop();
  }
  printTable(
    'Send coalescing off/on, alternating on one server (1:1 targeted, 200-byte reliable, default send options)',
    ['Round', 'Coalescing', 'Load avg (1 min)', 'Flood msgs in', 'Flood received msgs/s', 'Flood Node µs/msg', 'Flood worker µs/msg', 'Isolated Node µs/msg', 'of which above idle'],
    rows,
  );
}

function row(round: number, on: boolean, load: number, cost: NodeCost): string[] {
  const perMessage = (seconds: number, run: NodeCostRun) => fmt((seconds / run.messagesIn) * 1e6, 0);
  const idleSeconds = cost.idleNodeShare * cost.isolatedSeconds;
  return [
    String(round),
    on ? 'on' : 'off',
    fmt(load, 1),
    String(cost.flood.messagesIn),
    fmt(cost.flood.received / cost.flood.seconds, 0),
    perMessage(cost.flood.nodeSeconds, cost.flood),
    perMessage(cost.flood.workerSeconds, cost.flood),
    perMessage(cost.isolated.nodeSeconds, cost.isolated),
    perMessage(cost.isolated.nodeSeconds - idleSeconds, cost.isolated),
  ];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
