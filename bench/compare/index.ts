// `npm run bench:compare <git-ref> [--rounds N]`: the key data rows (1:1 latency, one-to-many at
// 10 and 50 receivers at default options, server CPU per delivery) for the build at <git-ref>
// and for this working tree, alternately in one session, with the ratios. The other build lives
// in a worktree under the cache (its own npm install and mediasoup worker, cached by version),
// so a figure that moved can be checked against the previous release on the same machine, minutes
// apart. See docs/benchmarks.md.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '../support/run-main.js';
import { janusAsDriverResult, janusBuild, JANUS_LABEL } from '../baselines/janus-compare.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));
const CACHE = process.env.SWITCHBOARD_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchboard');
// One driver run: a server, 60 peers, four rows; a build that hangs is stopped.
const RUN_TIMEOUT_MS = 5 * 60_000;

interface Build {
  label: string;
  dir: string;
  driver: string;
  /** Runs inside scripts/test-netns.sh. */
  netns?: boolean;
}

type Result = Record<string, Record<string, number> | string>;

/** The figures compared, each with where it is in a driver's result and whether more is better. */
const ROWS: { name: string; pick: (r: Result) => number; higherIsBetter: boolean }[] = [
  { name: '1:1 latency p50, ms (default options)', pick: (r) => field(r, 'latency', 'p50'), higherIsBetter: false },
  { name: '1:1 latency p99, ms (default options)', pick: (r) => field(r, 'latency', 'p99'), higherIsBetter: false },
  { name: '1:1 ping-pong RTT/2 p50, ms (default options)', pick: (r) => field(r, 'pingPong', 'p50'), higherIsBetter: false },
  { name: '1:1 ping-pong RTT/2 p99, ms (default options)', pick: (r) => field(r, 'pingPong', 'p99'), higherIsBetter: false },
  { name: '1 → 10, awaited send, deliveries/s (default options)', pick: (r) => field(r, 'fanout10', 'deliveriesPerSecond'), higherIsBetter: true },
  { name: '1 → 50, awaited send, deliveries/s (default options)', pick: (r) => field(r, 'fanout50', 'deliveriesPerSecond'), higherIsBetter: true },
  { name: '1 → 10, awaited send, deliveries/s (`receipt: false`)', pick: (r) => field(r, 'fanout10NoReceipt', 'deliveriesPerSecond'), higherIsBetter: true },
  { name: '1 → 10, awaited send, deliveries/s (`receipt: true`)', pick: (r) => field(r, 'fanout10Receipt', 'deliveriesPerSecond'), higherIsBetter: true },
  { name: '1 → 10 and 1 → 50: share delivered (default options)', pick: (r) => shareDelivered(r), higherIsBetter: true },
  { name: 'server CPU s / 100k deliveries, N=10 (default options)', pick: (r) => field(r, 'fanout10', 'serverCpuPer100k'), higherIsBetter: false },
  { name: 'server CPU s / 100k deliveries, N=50 (default options)', pick: (r) => field(r, 'fanout50', 'serverCpuPer100k'), higherIsBetter: false },
];

function shareDelivered(result: Result): number {
  const rows = ['fanout10', 'fanout50'];
  return rows.reduce((sum, row) => sum + field(result, row, 'delivered'), 0) / rows.reduce((sum, row) => sum + field(result, row, 'expected'), 0);
}

function field(result: Result, row: string, key: string): number {
  const value = result[row];
  return typeof value === 'object' ? (value[key] ?? NaN) : NaN;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

/** The PATH without the Node that this project's scripts put first, so each build picks its own. */
function basePath(): string {
  return (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.includes(`${'/switchboard/node/'}`))
    .join(':');
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that a timeout also stops what it started (a worker build).
    const child = spawn(command, args, { cwd, env: { ...process.env, PATH: basePath() }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(Object.assign(new Error(`${command} ${args.join(' ')} in ${cwd} exited with ${code}:\n${out.slice(-2000)}`), { out }));
    });
  });
}

/** The build at `ref`, checked out and installed once into the cache. */
async function prepare(ref: string): Promise<Build> {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = join(CACHE, 'compare', sha);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(join(CACHE, 'compare'), { recursive: true });
    git('worktree', 'prune');
    git('worktree', 'add', '--detach', dir, sha);
  }
  console.error(`[compare] setting up ${ref} (${sha.slice(0, 7)}) in ${dir}: npm install and its mediasoup worker (cached by version)`);
  // A worker build takes minutes on an idle machine and far longer on a busy one.
  await run('bash', ['scripts/setup.sh'], dir, 90 * 60_000);
  mkdirSync(join(dir, '.bench-compare'), { recursive: true });
  const driver = join(dir, '.bench-compare', 'driver.ts');
  copyFileSync(DRIVER, driver);
  return { label: `${ref} (${sha.slice(0, 7)})`, dir, driver };
}

/** One run of the driver against `build`, on the Node its own scripts choose. */
async function measure(build: Build): Promise<Result> {
  // The Janus baseline runs in a network namespace of its own (see bench/baselines/janus-server.ts).
  const netns = build.netns === true ? `bash ${join(ROOT, 'scripts', 'test-netns.sh')} ` : '';
  const script = `[ -f scripts/node-runtime.sh ] && . scripts/node-runtime.sh; exec ${netns}node --conditions=source --import tsx "$0"`;
  // The driver prints its result so far after each row: a run that dies keeps what it measured.
  const out = await run('bash', ['-c', script, build.driver], build.dir, RUN_TIMEOUT_MS).catch((error: Error & { out?: string }) => {
    if (error.out === undefined || !error.out.includes('{')) throw error;
    console.error(`[compare] ${build.label} stopped early; keeping its rows so far: ${error.message.split('\n')[0]}`);
    return error.out;
  });
  const line = out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1) ?? '';
  return JSON.parse(line) as Result;
}

function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function format(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 3);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const ref = args.find((arg) => !arg.startsWith('--'));
  const roundsArg = args.indexOf('--rounds');
  const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 3;
  if (ref === undefined || !Number.isInteger(rounds) || rounds < 1) {
    throw new Error('usage: npm run bench:compare <git-ref> [--rounds N] [--janus]   (e.g. npm run bench:compare 8b19bfa)');
  }
  // --janus: Janus TextRoom (bench/baselines/janus-textroom.ts) measured in the same rounds.
  const janus = args.includes('--janus') ? janusBuild(ROOT) : undefined;
  const base = await prepare(ref);
  const current: Build = { label: `this tree (${git('describe', '--always', '--dirty')})`, dir: ROOT, driver: DRIVER };
  const results = new Map<Build, Result[]>([
    [base, []],
    [current, []],
  ]);
  if (janus) results.set(janus, []);
  for (let round = 1; round <= rounds; round++) {
    // ABBA: neither build always runs first after the other warmed the machine.
    const order = round % 2 === 1 ? [base, current] : [current, base];
    // Janus first in odd rounds and last in even ones: it alternates with both builds too.
    if (janus && round % 2 === 1) order.unshift(janus);
    else if (janus) order.push(janus);
    for (const build of order) {
      console.error(`[compare] round ${round}/${rounds}: ${build.label}`);
      results.get(build)!.push(await measure(build));
    }
  }
  const nodeOf = (build: Build) => String(results.get(build)![0]?.node ?? '?');
  console.log(`\n## bench:compare, ${rounds} alternated rounds, medians\n`);
  const janusColumns = janus ? ` ${JANUS_LABEL} | this ÷ Janus |` : '';
  console.log(`| row | ${base.label}, Node ${nodeOf(base)} | ${current.label}, Node ${nodeOf(current)} | this ÷ base |${janusColumns}`);
  console.log(`| --- | --- | --- | --- |${janus ? ' --- | --- |' : ''}`);
  for (const row of ROWS) {
    const a = median(results.get(base)!.map(row.pick));
    const b = median(results.get(current)!.map(row.pick));
    const j = janus ? median(results.get(janus)!.map(janusAsDriverResult).map(row.pick)) : NaN;
    const janusCells = janus ? ` ${format(j)} | ${Number.isFinite(j) ? `${(b / j).toFixed(2)}×` : '–'} |` : '';
    console.log(`| ${row.name} | ${format(a)} | ${format(b)} | ${(b / a).toFixed(2)}× ${row.higherIsBetter ? '(higher is better)' : '(lower is better)'} |${janusCells}`);
  }
  if (janus) {
    console.log(`\n${JANUS_LABEL}: \`ack: true\` (its default) stands for default options and \`receipt: true\`, \`ack: false\` for \`receipt: false\` and for its ping-pong.`);
  }
  console.log('\nEvery run:');
  for (const [build, list] of results) for (const result of list) console.log(`- ${build.label}: ${JSON.stringify(result)}`);
}

runMain(main);
