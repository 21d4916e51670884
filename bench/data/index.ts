// `npm run bench:data`: data-message benchmarks on loopback, printed as Markdown tables.
// See docs/benchmarks.md for what each figure means and what limits it.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { runMain } from '../support/run-main.js';
import { ServerProcess } from '../support/server-process.js';
import { directBenchmark } from './direct.js';
import { joinTime } from './join-time.js';
import { alternatedLatency, LATENCY_ROUNDS, receiptTime, sdkLatency } from './latency.js';
import { lossyLatency } from './lossy-latency.js';
import { nodeCost } from './node-cost.js';
import { sdkOneToMany } from './one-to-many.js';
import { p2pLatency, p2pMesh } from './p2p-baseline.js';
import { PAYLOAD_BYTES } from './payload.js';
import { receivePath } from './receive-path.js';
import { ReceiverHost } from './receivers.js';
import {
  printCeiling,
  printDirect,
  printFanout,
  printFanoutCpu,
  printJoinTime,
  printLatency,
  printNodeCost,
  printLossyLatency,
  printProblems,
  printReceiptFanout,
  printReceivePath,
  printServerCpu,
  type FanoutComparison,
} from './report.js';
import { serverCeiling, type CeilingResult } from './server-ceiling.js';

const FANOUT_RECEIVERS = [1, 10, 50];
const RECEIPT_RECEIVERS = 10;
// 300k deliveries each: one to two seconds at the worker's rate on the reference machine.
const CEILING_RUNS = [
  { receivers: 10, messages: 30_000 },
  { receivers: 50, messages: 6_000 },
];

async function main(): Promise<void> {
  console.log('# Switchboard data benchmarks');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.log(`\n${machine}, code at ${codeVersion()}; ${PAYLOAD_BYTES}-byte reliable messages.`);
  // First, while this process has nothing else to do: no server, no peers.
  printReceivePath(receivePath());
  const server = await ServerProcess.start();
  const host = ReceiverHost.start();
  try {
    let round = 0;
    const latency = await alternatedLatency(LATENCY_ROUNDS, {
      server: () => sdkLatency(server, server, `latency-${round++}`),
      p2p: () => p2pLatency(),
      uncoalesced: () => sdkLatency(server, server, `latency-uncoalesced-${round++}`, { connect: { coalesceSends: false } }),
    });
    const serverLatency = latency.server;
    printLatency(serverLatency, latency.p2p, latency.uncoalesced, await receiptTime(server));
    printDirect(serverLatency, await directBenchmark(server));
    printNodeCost(await nodeCost(server));
    printJoinTime(await joinTime(server));
    const comparisons: FanoutComparison[] = [];
    for (const receivers of FANOUT_RECEIVERS) {
      comparisons.push({ receivers, server: await sdkOneToMany(server, host, receivers), p2p: await p2pMesh(host, receivers) });
    }
    // Beside the defaults: a sender that waits for the server's receipt of each message.
    const withReceipts = await sdkOneToMany(server, host, RECEIPT_RECEIVERS, { receipt: true });
    printFanout(comparisons);
    printReceiptFanout(comparisons.find((c) => c.receivers === RECEIPT_RECEIVERS)!.server, withReceipts);
    printFanoutCpu(comparisons);
    printServerCpu(comparisons);
    printProblems(server.problems);
  } finally {
    await host.stop();
    await server.stop();
  }
  // Its own server, whose candidates lead through the impairing relay.
  printLossyLatency(await lossyLatency());
  // After the server has stopped: the ceiling runs its own worker and should have the CPU to itself.
  const ceilings: CeilingResult[] = [];
  for (const { receivers, messages } of CEILING_RUNS) ceilings.push(await serverCeiling(receivers, messages, PAYLOAD_BYTES));
  printCeiling(ceilings);
}

/** The commit measured, marked `-dirty` when the working tree has changes. */
function codeVersion(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
}

runMain(main);
