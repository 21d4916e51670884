// Markdown tables of the media benchmarks' results.
import { loadavg } from 'node:os';
import { fmt, printTable } from '../support/stats.js';
import type { SentLayer } from './browser-publisher.js';
import { FIRST_FRAME_JOINS, type FirstFrameResult } from './first-frame.js';
import { WINDOW_MS, type CpuRun } from './server-cpu.js';

export function printPublisher(layers: readonly SentLayer[]): void {
  console.log(`\nPublisher (Chromium, fake camera, simulcast) sending before the runs: ${describeLayers(layers)}.`);
}

export function printFirstFrame(results: readonly FirstFrameResult[]): void {
  const joins = ({ together, pauseMs }: FirstFrameResult['pattern']) =>
    together > 1 ? `${together} together, groups ${fmt(pauseMs / 1000, 0)} s apart` : pauseMs === 0 ? 'back to back' : `${fmt(pauseMs / 1000, 0)} s apart`;
  const top = (r: FirstFrameResult) =>
    r.topLayer.count === 0 ? 'not measured' : `**${fmt(r.topLayer.p50)}** / ${Number.isFinite(r.topLayer.p99) ? fmt(r.topLayer.p99) : 'not within 6 s'}${r.missedTop > 0 ? ` (${r.missedTop} not within 6 s)` : ''}`;
  printTable(
    `Join to first decoded frame (${FIRST_FRAME_JOINS} viewers per row, each group leaving before the next; p99 of ${FIRST_FRAME_JOINS} is the slowest; load average ${loadavg()[0]!.toFixed(1)})`,
    ['Joins', 'connect() resolved p50 / p99 ms', 'trackSubscribed p50 / p99 ms', 'First frame decoded p50 / p99 ms', 'Top layer at full rate p50 / p99 ms', 'First frame width'],
    results.map((r) => [
      joins(r.pattern),
      `${fmt(r.connect.p50)} / ${fmt(r.connect.p99)}`,
      `${fmt(r.subscribed.p50)} / ${fmt(r.subscribed.p99)}`,
      `**${fmt(r.firstFrame.p50)}** / ${fmt(r.firstFrame.p99)}`,
      top(r),
      counted(Object.entries(r.firstWidths).map(([width, n]) => [Number(width), n])),
    ]),
  );
}

/** % of one core over a run's window (the machine has 200 % on 2 cores). */
function share(run: CpuRun, seconds: number): number {
  return (seconds / run.seconds) * 100;
}

/** The server's CPU (Node process + worker) over a run's window, % of one core. */
function serverShare(run: CpuRun): number {
  return share(run, (run.use.cpu['server Node'] ?? NaN) + (run.use.cpu['mediasoup worker'] ?? NaN));
}

export function printServerCpu(runs: readonly CpuRun[]): void {
  printTable(
    `Server CPU vs viewers (one 3-layer simulcast publisher; ${WINDOW_MS / 1000} s window; % of one core, 2 cores = 200 %)`,
    [
      'Viewers',
      'Server CPU % (Node + worker)',
      'Worker CPU %',
      'CPU % per viewer',
      'Marginal CPU % per viewer (vs the first row)',
      'Forwarded Mbit/s (viewers received)',
      'Server gauge Mbit/s (before / after)',
      'Decoded width (viewers)',
      'Decoded fps per viewer (min / mean)',
    ],
    runs.map((run) => {
      const server = serverShare(run);
      const first = runs[0]!;
      const marginal = run === first ? NaN : (server - serverShare(first)) / (run.viewers - first.viewers);
      const mean = run.fps.reduce((a, b) => a + b, 0) / run.fps.length;
      return [
        String(run.viewers),
        fmt(server),
        fmt(share(run, run.use.cpu['mediasoup worker'] ?? NaN)),
        fmt(server / run.viewers, 2),
        run === first ? '–' : fmt(marginal, 2),
        fmt(run.receivedBitrate / 1e6, 2),
        `${fmt(run.serverGauge[0] / 1e6, 2)} / ${fmt(run.serverGauge[1] / 1e6, 2)}`,
        counted(tally(run.widths)),
        `${fmt(Math.min(...run.fps))} / ${fmt(mean)}`,
      ];
    }),
  );
}

export function printMachine(runs: readonly CpuRun[]): void {
  printTable(
    'The rest of the machine during those windows (% of one core: process / its busiest thread), drops and settling',
    ['Viewers', 'Publisher (Chromium)', 'Viewer host', 'Bench', 'Total of 200 %', 'UDP drops', 'Publisher sending', 'All decoding / all at top, ms after joining', 'Viewers reconnected'],
    runs.map((run) => {
      const { cpu, busiest, udpDrops } = run.use;
      const usage = (name: string) => `${fmt(share(run, cpu[name] ?? NaN), 0)} / ${fmt(share(run, busiest[name]?.seconds ?? NaN), 0)}`;
      const total = Object.values(cpu).reduce((a, b) => a + b, 0) + run.browserCpu;
      const drops = Object.entries(udpDrops).filter(([, count]) => count > 0);
      return [
        String(run.viewers),
        fmt(share(run, run.browserCpu), 0),
        usage('viewers'),
        usage('bench'),
        fmt(share(run, total), 0),
        drops.length === 0 ? 'none' : drops.map(([name, count]) => `${name} ${count}`).join(', '),
        describeLayers(run.layers),
        `${fmt(run.firstFramesMs, 0)} / ${Number.isNaN(run.topLayerMs) ? 'not within 15 s' : fmt(run.topLayerMs, 0)}`,
        String(run.troubled),
      ];
    }),
  );
}

/** E.g. `320×180@30 0.14, 640×360@30 0.45, 1280×720@30 1.20 Mbit/s (limited: none)`. */
function describeLayers(layers: ReadonlyArray<SentLayer & { bitrate?: number }>): string {
  if (layers.length === 0) return 'nothing';
  const limits = [...new Set(layers.map((layer) => layer.limitation))].join('/');
  const rates = layers.every((l) => l.bitrate !== undefined);
  const described = layers.map((l) => `${l.width}×${l.height}@${fmt(l.fps, 0)}${rates ? ` ${fmt(l.bitrate! / 1e6, 2)}` : ''}`);
  return `${described.join(', ')}${rates ? ' Mbit/s' : ''} (limited: ${limits})`;
}

function tally(values: readonly number[]): [number, number][] {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts];
}

/** E.g. `1280 ×18, 640 ×2`, widest first. */
function counted(entries: [number, number][]): string {
  return entries
    .sort((a, b) => b[0] - a[0])
    .map(([value, n]) => `${value} ×${n}`)
    .join(', ');
}

/** The server's and the browser's warnings and errors, each distinct one once with how often it came. */
export function printProblems(problems: readonly string[]): void {
  if (problems.length === 0) return;
  const counts = new Map<string, number>();
  for (const problem of problems) counts.set(problem, (counts.get(problem) ?? 0) + 1);
  console.log('\nLogged during the runs:\n');
  for (const [problem, count] of counts) console.log(`- ${problem} (×${count})`);
}
