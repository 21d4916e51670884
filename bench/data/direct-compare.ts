// `npm run bench:direct`: the direct channel against a raw wrtc RTCDataChannel, alternated in
// rounds under the same conditions (SWITCHBOARD_BENCH_ROUNDS, default 5), so that their ratio is
// not skewed by load that came and went. See docs/benchmarks.md "Direct channels".
import { ServerProcess } from '../support/server-process.js';
import { leaveAll } from '../support/sdk-peer.js';
import { compareDirect, pair } from './direct.js';
import { printDirectRounds, roundCells } from './report.js';

const ROUNDS = Number(process.env.SWITCHBOARD_BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  const server = await ServerProcess.start();
  try {
    const [sender, receiver] = await pair(server, 'direct-compare');
    try {
      let done = 0;
      const rounds = await compareDirect(sender, receiver, ROUNDS, (round) => {
        done += 1;
        console.error(`round ${done}/${ROUNDS}: ${roundCells(round).join(' | ')}`);
      });
      printDirectRounds(rounds);
    } finally {
      await leaveAll([sender, receiver]);
    }
  } finally {
    await server.stop();
  }
}

await main();
