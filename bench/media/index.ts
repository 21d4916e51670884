// `npm run bench:media`: audio/video benchmarks on loopback, printed as Markdown tables.
// See docs/benchmarks.md ("Media") for what each figure means and what limits it.
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import type { ChildHost } from '../support/child-host.js';
import { runMain } from '../support/run-main.js';
import { ServerProcess } from '../support/server-process.js';
import { BrowserPublisher, CAMERA } from './browser-publisher.js';
import { firstFrame, JOIN_PATTERNS, type FirstFrameResult } from './first-frame.js';
import { printFirstFrame, printMachine, printProblems, printPublisher, printServerCpu } from './report.js';
import { serverCpu } from './server-cpu.js';
import { startViewerHost, type ViewerCalls } from './viewers.js';

const ROOM = 'media-bench';
// The whole run takes about two and a half minutes; past this something hangs, and the run stops.
const WATCHDOG_MS = 300_000;

let server: ServerProcess | undefined;
let publisher: BrowserPublisher | undefined;
let host: ChildHost<ViewerCalls> | undefined;

async function main(): Promise<void> {
  console.log('# Switchboard media benchmarks');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.log(`\n${machine}, code at ${codeVersion()}; publisher: Chromium fake camera ${CAMERA.width}×${CAMERA.height}@${CAMERA.frameRate}, simulcast.`);
  server = await ServerProcess.start();
  publisher = await BrowserPublisher.launch();
  console.log(`Chromium ${publisher.version}.`);
  await publisher.publish(server.wsUrl, await server.token(ROOM, 'publisher'));
  printPublisher(await publisher.untilThreeLayers());

  const firstFrames: FirstFrameResult[] = [];
  for (const pattern of JOIN_PATTERNS) firstFrames.push(await firstFrame(server.wsUrl, ROOM, pattern));
  printFirstFrame(firstFrames);

  host = startViewerHost();
  const runs = await serverCpu(server, publisher, host, ROOM);
  printServerCpu(runs);
  printMachine(runs);
  printProblems([...server.problems, ...publisher.errors.map((error) => `browser: ${error}`)]);
}

/** Stops everything this run started: viewers first, then the publisher, then the server. */
async function cleanUp(): Promise<void> {
  await host?.stop().catch((error: unknown) => console.error(error));
  await publisher?.close().catch((error: unknown) => console.error(error));
  await server?.stop().catch((error: unknown) => console.error(error));
}

/** The commit measured, marked `-dirty` when the working tree has changes. */
function codeVersion(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown (not a git checkout)';
  }
}

// A hung step must not hang the run: the watchdog kills the viewer host (whose stop() would wait
// on it) and exits. The server child and the browser also exit when this process dies.
runMain(main, { cleanUp, watchdog: { ms: WATCHDOG_MS, what: 'bench:media', onFire: () => host?.kill() } });
