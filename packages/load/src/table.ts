import type { RunRecord } from './coordinator.js';
import type { LoadResult, Spread, Usage } from './result.js';

/** The final table a run prints: one row per figure, then the verdict. */
export function resultTable(result: LoadResult): string {
  const { joins, delivery: d } = result;
  const rows: [string, string][] = [
    ['scenario', `${result.options.scenario} on ${result.options.urls.join(', ')} (${result.clients.processes} load processes)`],
    ['joined (paced)', `${joins.paced.joined}/${joins.paced.planned}, failed ${joins.paced.failed}, retried ${joins.paced.retried}, all after ${seconds(joins.paced.allJoinedAfterMs)}`],
    ['join time (paced)', ms(joins.paced.durationMs)],
  ];
  if (joins.storm.planned > 0) {
    rows.push(['joined (storm)', `${joins.storm.joined}/${joins.storm.planned}, failed ${joins.storm.failed}, retried ${joins.storm.retried}, all after ${seconds(joins.storm.allJoinedAfterMs)}`]);
    rows.push(['join time (storm)', ms(joins.storm.durationMs)]);
  }
  rows.push(
    ['messages sent', `${d.sent} by ${d.senders} senders (${d.sendFailures} refused)`],
    ['delivered', `${d.received}/${d.expected} to ${d.receivers} receivers; exactly once at ${d.exactlyOnce}/${d.receivers}; missing ${d.missing}; duplicates ${d.duplicates}`],
    ['delivery latency', ms(d.latencyMs)],
  );
  if (result.video) rows.push(['video', `${result.video.receiving}/${result.video.viewers} viewers got frames; first frame ${ms(result.video.firstFrameMs)}`]);
  rows.push(['reconnects', `${result.connections.lost} lost, ${result.connections.resumed} resumed, ${result.connections.closed} ended`]);
  if (result.connections.resumeMs.count > 0) rows.push(['resume time (lost → resumed)', ms(result.connections.resumeMs)]);
  if (result.server) {
    const drops = result.server.udpDrops === null ? '' : `, UDP drops ${result.server.udpDrops}`;
    rows.push(['server node', usage(result.server.node)], ['server workers', `${usage(result.server.workers)}${drops}`]);
  } else {
    rows.push(['server', '/metrics not reachable: no server CPU or memory']);
  }
  rows.push(['load clients', usage(result.clients.usage)]);
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  lines.push('', result.passed ? 'PASSED' : `FAILED:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`);
  return lines.join('\n');
}

/** The live progress line: joins, messages, latency of the last second, server and clients. */
export function progressLine(record: RunRecord, phase: string): string {
  const elapsed = Math.max(0, Math.round((Date.now() - (record.startAt || Date.now())) / 1000));
  const recent = record.deliveries.filter((d) => Date.now() - d.at < 1500).flatMap((d) => d.latencies).sort((a, b) => a - b);
  const delivered = record.deliveries.reduce((s, d) => s + d.latencies.length, 0);
  const duplicates = record.deliveries.reduce((s, d) => s + d.duplicates, 0);
  const last = record.server[record.server.length - 1];
  const server = last?.nodeRssBytes === undefined ? '' : ` | server rss ${mb(last.nodeRssBytes + (last.workerRssBytes ?? 0))}`;
  const p50 = recent.length ? `${recent[Math.floor(recent.length / 2)]} ms` : '-';
  return `[${String(elapsed).padStart(4)} s] ${phase.padEnd(8)} joined ${record.joins.length}/${record.peers.length} failed ${record.failures.length} | delivered ${delivered} (p50 now ${p50}) dup ${duplicates} | lost ${record.connections.lost}${server}`;
}

function ms(s: Spread): string {
  return s.count === 0 ? '-' : `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms (${s.count})`;
}

function seconds(value: number | null): string {
  return value === null ? '-' : `${(value / 1000).toFixed(1)} s`;
}

function usage(u: Usage): string {
  const cpu = u.cpuPercent === null ? 'cpu -' : `cpu ${u.cpuPercent}% of a core`;
  const rss = u.peakRssBytes === null ? 'rss -' : `rss peak ${mb(u.peakRssBytes)}, growth ${mb(u.rssGrowthBytes ?? 0)}`;
  return `${cpu}, ${rss}`;
}

/** Bytes as MB with one decimal. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
