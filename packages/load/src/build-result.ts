import type { RunRecord } from './coordinator.js';
import { problemsOf, spread, usageOf, type JoinSummary, type LoadResult, type TimelinePoint } from './result.js';
import type { ServerSample } from './server-metrics.js';
import { percentile } from './stats.js';

/** The result of a run that took place: summaries, checks, and the per-second timeline. */
export function buildResult(record: RunRecord): LoadResult {
  const { options, peers } = record;
  const stormPeers = new Set(peers.filter((p) => p.role === 'storm').map((p) => p.identity));
  const group = (storm: boolean, from: number): JoinSummary => {
    const joins = record.joins.filter((j) => stormPeers.has(j.identity) === storm);
    const failed = record.failures.filter((f) => stormPeers.has(f.identity) === storm).length;
    const planned = peers.filter((p) => stormPeers.has(p.identity) === storm).length;
    return {
      planned,
      joined: joins.length,
      failed,
      retried: joins.filter((j) => j.attempts > 1).length,
      allJoinedAfterMs: joins.length === planned && planned > 0 ? Math.max(...joins.map((j) => j.at + record.startAt - from)) : null,
      durationMs: spread(joins.map((j) => j.ms)),
    };
  };
  const failuresByCode: Record<string, number> = {};
  for (const f of record.failures) failuresByCode[f.code] = (failuresByCode[f.code] ?? 0) + 1;
  const latencies = record.deliveries.flatMap((d) => d.latencies);
  const receivers = record.receivers;
  const sum = (key: 'expected' | 'received' | 'missing' | 'duplicates'): number => receivers.reduce((s, r) => s + r[key], 0);
  const videoViewers = peers.filter((p) => p.role === 'videoViewer').length;
  const firstFrames = record.video.flatMap((v) => (v.firstFrameMs === undefined ? [] : [v.firstFrameMs]));
  const { tokens: _tokens, jsonPath: _json, htmlPath: _html, quiet: _quiet, ...shown } = options;
  const partial: Omit<LoadResult, 'passed' | 'problems'> = {
    tool: 'switchboard-load',
    version: 1,
    options: { ...shown, tokens: options.tokens.kind },
    startedAt: new Date(record.startAt).toISOString(),
    durationSeconds: Math.round((record.endAt - record.startAt) / 100) / 10,
    joins: {
      paced: group(false, record.startAt),
      storm: group(true, record.sendAt ?? record.startAt),
      failures: record.failures.slice(0, 50),
      failuresByCode,
    },
    delivery: {
      senders: record.totals.length,
      sent: record.totals.reduce((s, t) => s + t.sent, 0),
      sendFailures: record.sendFailures,
      receivers: receivers.length,
      expected: sum('expected'),
      received: sum('received'),
      missing: sum('missing'),
      duplicates: sum('duplicates'),
      exactlyOnce: receivers.filter((r) => r.missing === 0 && r.duplicates === 0).length,
      latencyMs: spread(latencies),
      perReceiver: receivers,
    },
    video: videoViewers === 0 ? null : { viewers: videoViewers, receiving: firstFrames.length, firstFrameMs: spread(firstFrames), reports: record.video },
    connections: { ...record.connections, resumeMs: spread(record.resumes.durations) },
    server: serverUsage(record),
    clients: { processes: record.processes, usage: usageOf(record.clients), samples: record.clients },
    timeline: timeline(record),
  };
  const problems = problemsOf(partial);
  return { ...partial, passed: problems.length === 0, problems };
}

function serverUsage(record: RunRecord): LoadResult['server'] {
  if (record.server.length === 0) return null;
  // Several nodes: the figures add up over them, sample round by sample round (one per second).
  const rounds = new Map<number, { at: number; nodeCpu: number; nodeRss: number; workerCpu: number; workerRss: number }>();
  for (const s of record.server) {
    const key = Math.round((s.at - record.startAt) / 1000);
    const round = rounds.get(key) ?? { at: s.at, nodeCpu: 0, nodeRss: 0, workerCpu: 0, workerRss: 0 };
    round.nodeCpu += s.nodeCpuSeconds ?? 0;
    round.nodeRss += s.nodeRssBytes ?? 0;
    round.workerCpu += s.workerCpuSeconds ?? 0;
    round.workerRss += s.workerRssBytes ?? 0;
    rounds.set(key, round);
  }
  const nodes = record.options.urls.length;
  const complete = [...rounds.entries()].filter(([key]) => record.server.filter((s) => Math.round((s.at - record.startAt) / 1000) === key).length === nodes).map(([, r]) => r);
  const hasRss = record.server.some((s) => s.nodeRssBytes !== undefined);
  return {
    node: usageOf(complete.map((r) => ({ at: r.at, cpuSeconds: r.nodeCpu, ...(hasRss ? { rssBytes: r.nodeRss } : {}) }))),
    workers: usageOf(complete.map((r) => ({ at: r.at, cpuSeconds: r.workerCpu, ...(hasRss ? { rssBytes: r.workerRss } : {}) }))),
    udpDrops: udpDropsDuring(record.server),
    samples: record.server,
  };
}

/** Per server, its last figure minus its first, added up; null when none reported drops. */
function udpDropsDuring(samples: readonly ServerSample[]): number | null {
  const byUrl = new Map<string, number[]>();
  for (const { url, workerUdpDrops } of samples) {
    if (workerUdpDrops !== undefined) byUrl.set(url, [...(byUrl.get(url) ?? []), workerUdpDrops]);
  }
  if (byUrl.size === 0) return null;
  return [...byUrl.values()].reduce((sum, drops) => sum + (drops[drops.length - 1] as number) - (drops[0] as number), 0);
}

function timeline(record: RunRecord): TimelinePoint[] {
  const seconds = Math.max(1, Math.ceil((record.endAt - record.startAt) / 1000));
  const points: TimelinePoint[] = [];
  const joinTimes = record.joins.map((j) => j.at).sort((a, b) => a - b);
  let joinIndex = 0;
  for (let t = 0; t < seconds; t++) {
    while (joinIndex < joinTimes.length && (joinTimes[joinIndex] as number) < (t + 1) * 1000) joinIndex++;
    const inSecond = record.deliveries.filter((d) => d.at - record.startAt >= t * 1000 && d.at - record.startAt < (t + 1) * 1000);
    const latencies = Float64Array.from(inSecond.flatMap((d) => d.latencies)).sort();
    points.push({
      t,
      joined: joinIndex,
      deliveries: latencies.length,
      p50: latencies.length ? percentile(latencies, 50) : null,
      p99: latencies.length ? percentile(latencies, 99) : null,
      duplicates: inSecond.reduce((s, d) => s + d.duplicates, 0),
    });
  }
  return points;
}
