// `npm run bench:console`: what the operator console costs the server. A server runs in a child
// process (one worker, no rooms); its CPU time (utime + stime from /proc) is read over a
// window with the console off, on with no viewer, and on with 5 viewers reading the sample
// stream. Printed as a Markdown table, in percent of one core.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEV_SECRETS } from '../../packages/server/src/config.js';
import { printTable } from '../support/stats.js';
import { sleep } from '../support/time.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONSOLE_DIR = fileURLToPath(new URL('../../packages/console/dist', import.meta.url));
const WINDOW_MS = 20_000;
const VIEWERS = 5;
const CLOCK_TICKS = 100;

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function startServer(port: number, console: boolean): Promise<ChildProcess> {
  const args = ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts', '--dev', '--port', String(port), '--rtc-port', '0', '--workers', '1', '--log-level', 'warn'];
  if (console) args.push('--console', '--console-dir', CONSOLE_DIR);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
  for (let i = 0; i < 900; i += 1) {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) return child;
    // Its output is not kept: the usual reason (CONFIG_INVALID, no built console) is said here.
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} (is the console built? npx vite build packages/console)`);
    await sleep(100);
  }
  throw new Error('the server did not start');
}

async function measure(label: string, port: number, console: boolean, viewers: number): Promise<string[]> {
  const server = await startServer(port, console);
  const abort = new AbortController();
  let samples = 0;
  const readers = Array.from({ length: viewers }, async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/console/samples`, {
      headers: { Authorization: `Bearer ${DEV_SECRETS.apiSecret}` },
      signal: abort.signal,
    });
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      samples += new TextDecoder().decode(value).split('event: sample').length - 1;
    }
  });
  await sleep(3000);
  const before = cpuSeconds(server.pid!);
  const started = Date.now();
  await sleep(WINDOW_MS);
  const used = cpuSeconds(server.pid!) - before;
  const elapsed = (Date.now() - started) / 1000;
  abort.abort();
  await Promise.allSettled(readers);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  return [label, String(viewers), `${((used / elapsed) * 100).toFixed(2)} %`, String(samples)];
}

const port = 18000 + Math.floor(Math.random() * 1000);
const rows = [
  await measure('console off', port, false, 0),
  await measure('console on, no viewer', port + 1, true, 0),
  await measure(`console on, ${VIEWERS} viewers`, port + 2, true, VIEWERS),
];
printTable('What the operator console costs the server', ['Server', 'Viewers', 'Server CPU (share of one core)', 'Samples received'], rows);
