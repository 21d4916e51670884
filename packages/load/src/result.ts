import type { ReceiverReport } from './delivery-tracker.js';
import type { VideoReport } from './ipc.js';
import type { LoadOptions } from './options.js';
import type { PeerRole } from './plan.js';
import type { ServerSample } from './server-metrics.js';
import { summary } from './stats.js';

/** p50/p99/max of a set of durations in ms (NaN, written as null in JSON, when there were none). */
export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** One join as the coordinator saw it. */
export interface JoinRecord {
  identity: string;
  role: PeerRole;
  /** ms from the start of the run. */
  at: number;
  /** Duration of the attempt that succeeded, ms. */
  ms: number;
  attempts: number;
}

/** A join that failed for good. */
export interface JoinFailureRecord {
  identity: string;
  role: PeerRole;
  code: string;
  message: string;
  attempts: number;
}

/** A group of joins (the paced ones, or the storm). */
export interface JoinSummary {
  planned: number;
  joined: number;
  failed: number;
  /** Peers that needed more than one attempt. */
  retried: number;
  /** ms from the group's start until its last peer joined. */
  allJoinedAfterMs: number | null;
  durationMs: Spread;
}

/** One second of the run. */
export interface TimelinePoint {
  /** Seconds from the start of the run. */
  t: number;
  /** Peers joined so far. */
  joined: number;
  /** Deliveries in this second and their latency. */
  deliveries: number;
  p50: number | null;
  p99: number | null;
  duplicates: number;
}

/** CPU (% of one core, averaged over the run) and peak memory of one side of the test. */
export interface Usage {
  cpuPercent: number | null;
  peakRssBytes: number | null;
  /** Memory at the last sample minus the first (the peers' cost), bytes. */
  rssGrowthBytes: number | null;
}

/** Everything a run measured; `--json` writes it as is. */
export interface LoadResult {
  tool: 'switchboard-load';
  version: 1;
  options: Omit<LoadOptions, 'tokens' | 'jsonPath' | 'htmlPath' | 'quiet'> & { tokens: 'secret' | 'endpoint' };
  startedAt: string;
  durationSeconds: number;
  passed: boolean;
  /** Why it did not pass, one line each. */
  problems: string[];
  joins: { paced: JoinSummary; storm: JoinSummary; failures: JoinFailureRecord[]; failuresByCode: Record<string, number> };
  delivery: {
    senders: number;
    sent: number;
    sendFailures: number;
    receivers: number;
    expected: number;
    received: number;
    missing: number;
    duplicates: number;
    /** Receivers that got every expected message exactly once. */
    exactlyOnce: number;
    latencyMs: Spread;
    perReceiver: ReceiverReport[];
  };
  video: { viewers: number; receiving: number; firstFrameMs: Spread; reports: VideoReport[] } | null;
  /** Sessions that lost their connection, resumed it (and how long that took, lost → resumed) or ended. */
  connections: { lost: number; resumed: number; closed: number; closedReasons: string[]; resumeMs: Spread };
  /** Server side from `/metrics` (null when not reachable), node + mediasoup workers. */
  server: {
    node: Usage;
    workers: Usage;
    /**
     * Datagrams the workers' sockets dropped during the run, all nodes (null: no server reported
     * it). Drops mean a worker fell behind reading: the figures beside them are the machine's.
     */
    udpDrops: number | null;
    samples: ServerSample[];
  } | null;
  /** The load processes (this machine's clients), from /proc. */
  clients: { processes: number; usage: Usage; samples: { at: number; cpuSeconds: number; rssBytes: number }[] };
  timeline: TimelinePoint[];
}

/** A {@link Spread} of `values`. */
export function spread(values: readonly number[]): Spread {
  const { count, p50, p99, max } = summary(values);
  return { count, p50: round(p50), p99: round(p99), max: round(max) };
}

/** What the run must show to pass: everyone joined, every message delivered once, video seen. */
export function problemsOf(result: Omit<LoadResult, 'passed' | 'problems'>): string[] {
  const problems: string[] = [];
  const { paced, storm } = result.joins;
  if (paced.failed + storm.failed > 0) problems.push(`${paced.failed + storm.failed} peers did not join (${Object.entries(result.joins.failuresByCode).map(([c, n]) => `${n} ${c}`).join(', ')})`);
  const d = result.delivery;
  if (d.missing > 0) problems.push(`${d.missing} deliveries missing over ${d.receivers - d.exactlyOnce} receivers`);
  if (d.duplicates > 0) problems.push(`${d.duplicates} duplicate deliveries`);
  if (d.sendFailures > 0) problems.push(`${d.sendFailures} sends refused`);
  if (d.senders > 0 && d.sent === 0) problems.push('no message was sent');
  if (result.video && result.video.receiving < result.video.viewers) problems.push(`${result.video.viewers - result.video.receiving} video viewers got no frame`);
  if (result.connections.closed > 0) problems.push(`${result.connections.closed} sessions ended during the run`);
  return problems;
}

/** Average CPU % and memory figures of a series of cumulative samples. */
export function usageOf(samples: readonly { at: number; cpuSeconds?: number; rssBytes?: number }[]): Usage {
  const cpu = samples.filter((s) => s.cpuSeconds !== undefined);
  const rss = samples.filter((s) => s.rssBytes !== undefined).map((s) => s.rssBytes as number);
  const first = cpu[0];
  const last = cpu[cpu.length - 1];
  const seconds = first && last ? (last.at - first.at) / 1000 : 0;
  return {
    cpuPercent: first && last && seconds > 0 ? round((100 * ((last.cpuSeconds as number) - (first.cpuSeconds as number))) / seconds) : null,
    peakRssBytes: rss.length ? Math.max(...rss) : null,
    rssGrowthBytes: rss.length ? (rss[rss.length - 1] as number) - (rss[0] as number) : null,
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
