import type { LoadResult } from './result.js';
import { escape, svgChart, type Series } from './svg-chart.js';
import { resultTable } from './table.js';

/**
 * A one-file HTML report of a run: the verdict and table, then inline SVG plots of the joins,
 * the delivery latency over time, loss and duplicates per receiver, and the CPU and memory of
 * the server (from `/metrics`) beside the load clients'.
 */
export function htmlReport(result: LoadResult): string {
  const t0 = Date.parse(result.startedAt);
  const charts: string[] = [
    svgChart([{ name: 'peers joined', color: '#2563eb', points: result.timeline.map((p) => [p.t, p.joined]) }], {
      title: 'Joins over time',
      xLabel: 'seconds from start',
      yLabel: 'peers joined',
    }),
    svgChart(
      [
        { name: 'p50', color: '#16a34a', points: result.timeline.map((p) => [p.t, p.p50]) },
        { name: 'p99', color: '#dc2626', points: result.timeline.map((p) => [p.t, p.p99]) },
      ],
      { title: 'Delivery latency per second', xLabel: 'seconds from start', yLabel: 'ms' },
    ),
    svgChart(
      [
        { name: 'missing', color: '#dc2626', points: result.delivery.perReceiver.map((r, i) => [i, r.missing]) },
        { name: 'duplicates', color: '#f59e0b', points: result.delivery.perReceiver.map((r, i) => [i, r.duplicates]) },
      ],
      { title: `Loss and duplicates per receiver (${result.delivery.receivers} receivers)`, xLabel: 'receiver', yLabel: 'messages' },
    ),
  ];
  const cpu: Series[] = [];
  const rss: Series[] = [];
  if (result.server) {
    const byUrl = new Map<string, typeof result.server.samples>();
    for (const s of result.server.samples) byUrl.set(s.url, [...(byUrl.get(s.url) ?? []), s]);
    const colors = ['#2563eb', '#7c3aed', '#0891b2', '#be185d'];
    [...byUrl.entries()].forEach(([url, samples], i) => {
      const label = byUrl.size > 1 ? ` ${new URL(url).host}` : '';
      cpu.push({ name: `server node${label}`, color: colors[i % colors.length]!, points: rate(samples.map((s) => [s.at, s.nodeCpuSeconds]), t0) });
      cpu.push({ name: `server workers${label}`, color: '#16a34a', points: rate(samples.map((s) => [s.at, s.workerCpuSeconds]), t0) });
      rss.push({ name: `server node${label}`, color: colors[i % colors.length]!, points: samples.map((s) => [(s.at - t0) / 1000, s.nodeRssBytes === undefined ? null : s.nodeRssBytes / 1e6]) });
      rss.push({ name: `server workers${label}`, color: '#16a34a', points: samples.map((s) => [(s.at - t0) / 1000, s.workerRssBytes === undefined ? null : s.workerRssBytes / 1e6]) });
    });
  }
  cpu.push({ name: 'load clients', color: '#9ca3af', points: rate(result.clients.samples.map((s) => [s.at, s.cpuSeconds]), t0) });
  rss.push({ name: 'load clients', color: '#9ca3af', points: result.clients.samples.map((s) => [(s.at - t0) / 1000, s.rssBytes / 1e6]) });
  charts.push(
    svgChart(cpu, { title: 'CPU, % of one core', xLabel: 'seconds from start', yLabel: '%' }),
    svgChart(rss, { title: 'Resident memory', xLabel: 'seconds from start', yLabel: 'MB' }),
  );
  const verdict = result.passed ? '<p class="pass">PASSED</p>' : `<p class="fail">FAILED</p><ul>${result.problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>switchboard-load: ${escape(result.options.scenario)} ${escape(result.options.room)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #111; }
pre { background: #f6f6f6; padding: 12px; overflow-x: auto; }
.pass { color: #16a34a; font-weight: bold; } .fail { color: #dc2626; font-weight: bold; }
figure { margin: 16px 0; }
</style>
</head>
<body>
<h1>switchboard-load report</h1>
<p>${escape(result.options.scenario)} scenario, room <code>${escape(result.options.room)}</code>, started ${escape(result.startedAt)}, ${result.durationSeconds} s.</p>
${verdict}
<pre>${escape(resultTable(result))}</pre>
${charts.map((chart) => `<figure>${chart}</figure>`).join('\n')}
</body>
</html>
`;
}

/** CPU % of one core between successive cumulative CPU-seconds samples. */
function rate(samples: [number, number | undefined][], t0: number): [number, number | null][] {
  const points: [number, number | null][] = [];
  for (let i = 1; i < samples.length; i++) {
    const [at, cpu] = samples[i]!;
    const [before, previous] = samples[i - 1]!;
    points.push([(at - t0) / 1000, cpu === undefined || previous === undefined || at === before ? null : (100 * (cpu - previous)) / ((at - before) / 1000)]);
  }
  return points;
}
