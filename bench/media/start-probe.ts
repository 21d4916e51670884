// `npm run bench:media-start`: where a new viewer's first frame time goes, and which key frame
// requests the publisher answers. Servers run in this process (one per configuration), so that
// mediasoup's observer API and trace events show each step; the configurations alternate within
// one run, since the shared machine's load changes from minute to minute. See docs/benchmarks.md
// ("Media start").
import { loadavg } from 'node:os';
import { loadConfig } from '../../packages/server/src/config.js';
import { Logger } from '../../packages/server/src/log.js';
import { startServer, type SwitchboardServer } from '../../packages/server/src/server.js';
import { AccessToken } from '../../packages/server/src/auth/access-token.js';
import { DEV_SECRETS } from '../../packages/server/src/config.js';
import { runMain } from '../support/run-main.js';
import { fmt, printTable } from '../support/stats.js';
import { sleep } from '../support/time.js';
import { BrowserPublisher } from './browser-publisher.js';
import { joinTimed, type JoinTimes } from './start-joins.js';
import { MediaWatch } from './media-watch.js';

// Configurations compared: key frame request delay ms : video start hold ms.
const CONFIGS = (process.env.PROBE_CONFIGS ?? '350:0,320:0,320:150').split(',').map((pair) => {
  const [delayMs, holdMs] = pair.split(':').map(Number);
  return { label: pair, delayMs: delayMs!, holdMs: holdMs ?? 0 };
});
const THRESHOLD = process.env.PROBE_THRESHOLD !== '0';
const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 3);
const JOINS = Number(process.env.PROBE_JOINS ?? 8);
const TOGETHER = 4;
const GAPS_MS = (process.env.PROBE_GAPS ?? '250,280,290,300,310,320,330,350').split(',').map(Number);
const GAP_REPEATS = Number(process.env.PROBE_GAP_REPEATS ?? 5);
const WATCHDOG_MS = 900_000;

const watch = new MediaWatch();
const servers: SwitchboardServer[] = [];
let publisher: BrowserPublisher | undefined;

async function start(delayMs: number, holdMs: number): Promise<{ wsUrl: string }> {
  const flags = ['--key-frame-request-delay', String(delayMs), '--video-start-hold', String(holdMs)];
  const config = loadConfig(['--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', 'none', '--workers', '1', ...flags], {});
  const server = await startServer(config, new Logger('error'));
  servers.push(server);
  return { wsUrl: server.url.replace(/^http/, 'ws') };
}

function token(room: string, identity: string, publish: boolean): Promise<string> {
  const grants = publish ? undefined : (['subscribe', 'receiveData'] as const);
  return new AccessToken(DEV_SECRETS.tokenSecret, { room, identity, ttlSeconds: 900, ...(grants ? { grants: [...grants] } : {}) }).toJwt();
}

/** Pairs of key frame requests planned `gap` ms apart: the worker's measured gaps, and which were answered. */
interface Pairs {
  answered: number;
  of: number;
  gaps: Array<{ gap: number; answered: boolean }>;
}

/**
 * Chromium's rule for key frame requests, measured: pairs of requests for the top layer sent
 * `gap` ms apart (the worker's own timestamps), after a quiet second; was the second answered
 * (a key frame within 250 ms of it)? Key frame request delay 0, so each request goes out at once.
 */
async function threshold(wsUrl: string): Promise<Map<number, Pairs>> {
  const results = new Map<number, Pairs>();
  const viewer = await joinTimed(wsUrl, await token('probe-threshold', 'threshold-viewer', false), watch);
  await viewer.times;
  const consumer = watch.consumerOf(viewer.room.peerId);
  const producer = watch.latestProducer();
  if (!consumer || !producer) throw new Error('no consumer or producer to probe');
  await sleep(2_000);
  const order = Array.from({ length: GAP_REPEATS }, () => GAPS_MS).flat().sort(() => Math.random() - 0.5);
  for (const gap of order) {
    await sleep(1_200);
    const before = producer.plis.length;
    await consumer.consumer.requestKeyFrame();
    await sleep(gap);
    await consumer.consumer.requestKeyFrame();
    await sleep(400);
    const [first, second] = producer.plis.slice(before);
    // Only pairs whose first request was answered: the second one's gap is then from an answered one.
    if (first === undefined || second === undefined || !producer.keyFrames.some((at) => at.worker > first.worker && at.worker < second.worker)) continue;
    const answered = producer.keyFrames.some((at) => at.worker > second.worker && at.worker < second.worker + 250);
    const entry = results.get(gap) ?? { answered: 0, of: 0, gaps: [] };
    entry.of++;
    if (answered) entry.answered++;
    entry.gaps.push({ gap: second.worker - first.worker, answered });
    results.set(gap, entry);
  }
  await viewer.room.leave();
  return results;
}

interface Sample extends JoinTimes {
  config: string;
  mode: 'back to back' | '1 s apart' | `${number} together`;
}

async function joins(wsUrl: string, room: string, config: string, round: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const [mode, pauseMs] of [
    ['1 s apart', 1_000],
    ['back to back', 0],
  ] as const) {
    for (let i = 0; i < JOINS; i++) {
      const viewer = await joinTimed(wsUrl, await token(room, `v-${round}-${mode}-${i}`, false), watch);
      samples.push({ ...(await viewer.times), config, mode });
      await viewer.room.leave();
      await sleep(pauseMs);
    }
  }
  for (let i = 0; i < 2; i++) {
    const viewers = await Promise.all(Array.from({ length: TOGETHER }, async (_, k) => joinTimed(wsUrl, await token(room, `t-${round}-${i}-${k}`, false), watch)));
    for (const viewer of viewers) samples.push({ ...(await viewer.times), config, mode: `${TOGETHER} together` });
    await Promise.all(viewers.map((viewer) => viewer.room.leave()));
    await sleep(1_000);
  }
  return samples;
}

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function main(): Promise<void> {
  console.log(`# Media start probe, delay:hold ${CONFIGS.map((c) => c.label).join(' / ')} ms, ${ROUNDS} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  watch.attach();
  const urls = new Map<string, string>();
  for (const config of CONFIGS) urls.set(config.label, (await start(config.delayMs, config.holdMs)).wsUrl);
  publisher = await BrowserPublisher.launch();

  if (THRESHOLD) {
    const { wsUrl } = await start(0, 0);
    await publisher.publish(wsUrl, await token('probe-threshold', 'publisher', true));
    await publisher.untilThreeLayers();
    const gaps = await threshold(wsUrl);
    await publisher.unpublish();
    printTable(
      'Chromium: second key frame request answered, by the time since the first (worker timestamps)',
      ['Planned gap ms', 'Measured gaps ms (✓ answered)', 'Answered'],
      [...gaps.entries()].sort((a, b) => a[0] - b[0]).map(([gap, r]) => [String(gap), r.gaps.map((g) => `${fmt(g.gap, 0)}${g.answered ? ' ✓' : ''}`).join(', '), `${r.answered} of ${r.of}`]),
    );
  }

  const samples: Sample[] = [];
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const config of CONFIGS) {
      loads.push(loadavg()[0]!);
      const room = `probe-${round}`;
      await publisher.publish(urls.get(config.label)!, await token(room, 'publisher', true));
      await publisher.untilThreeLayers();
      samples.push(...(await joins(urls.get(config.label)!, room, config.label, round)));
      await publisher.unpublish();
    }
  }
  const modes = [...new Set(samples.map((s) => s.mode))];
  const rows: string[][] = [];
  for (const mode of modes) {
    for (const { label } of CONFIGS) {
      const of = samples.filter((s) => s.mode === mode && s.config === label);
      const m = (pick: (s: Sample) => number) => fmt(median(of.map(pick)), 0);
      rows.push([
        mode,
        label,
        String(of.length),
        m((s) => s.connected),
        m((s) => s.consumerCreated),
        m((s) => s.resumed),
        m((s) => s.requestSent),
        m((s) => s.keyFrameIn),
        m((s) => s.keyFrameOut),
        `**${m((s) => s.decoded)}**`,
        fmt(Math.max(...of.map((s) => s.decoded)), 0),
        fmt(median(of.map((s) => s.requestSent - s.resumed)), 0),
      ]);
    }
  }
  printTable(
    `Join to first decoded frame, medians in ms from connect() (${ROUNDS} rounds alternating the configurations; load average 1 min at each: ${loads.map((l) => l.toFixed(1)).join(', ')})`,
    ['Joins', 'Delay : hold ms', 'n', 'connect() resolved', 'consumer created', 'consumer resumed', 'request to publisher', 'key frame in', 'key frame out', 'decoded p50', 'max', 'request held after resume'],
    rows,
  );
}

async function cleanUp(): Promise<void> {
  await publisher?.close().catch(() => undefined);
  for (const server of servers) await server.close().catch(() => undefined);
}

runMain(main, { cleanUp, watchdog: { ms: WATCHDOG_MS, what: 'the start probe' } });
