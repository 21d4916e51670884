import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_SECRETS } from '../src/config.js';
import { sleep, startTestServer, type TestServer } from './support/test-server.js';

const DEPLOY_DOC = new URL('../../../docs/deploy.md', import.meta.url);
const DASHBOARD = new URL('../../../packaging/grafana/switchboard.json', import.meta.url);
const PROMETHEUS = '/usr/bin/prometheus';

/** The series names of docs/deploy.md's metrics table. */
function documentedSeries(): string[] {
  return [...readFileSync(DEPLOY_DOC, 'utf8').matchAll(/^\| `((?:switchboard|process)_[a-z_]+)` \| (?:gauge|counter) \|/gm)].map((m) => m[1] ?? '');
}

/** Every PromQL query of the Grafana dashboard, its variables filled in as "all nodes". */
function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr.replaceAll('$instance', '.*')));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Each series line of a `/metrics` text, as `name{labels}` with the labels sorted. */
function exposedSeries(text: string): Set<string> {
  const series = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})? \S+$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => `${m[1]}=${m[2]}`).sort();
    series.add(`${match[1]}{${labels.join(',')}}`);
  }
  return series;
}

/**
 * Debian's Prometheus scraping a real server on loopback: it takes every series the server
 * exposes, the server exposes every series docs/deploy.md lists, and each query of the Grafana
 * dashboard in packaging/ names only those series and runs.
 */
describe('Prometheus scrape and the Grafana dashboard', function () {
  this.timeout(60000);

  let server: TestServer;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  let dataDir: string;
  let prometheusLog = '';

  const query = async (promql: string) => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return (await response.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string> }[] } };
  };

  before(async function () {
    server = await startTestServer();
    // An API request, so the request counter has a series too.
    await fetch(`${server.server.url}/api/rooms`, { headers: { Authorization: `Bearer ${DEV_SECRETS.apiSecret}` } });
    dataDir = await mkdtemp(join(tmpdir(), 'sb-prometheus-'));
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    const config = join(dataDir, 'prometheus.yml');
    await writeFile(
      config,
      ['global:', '  scrape_interval: 1s', 'scrape_configs:', '  - job_name: switchboard', '    static_configs:', `      - targets: ['127.0.0.1:${server.server.port}']`, ''].join('\n'),
    );
    prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dataDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    prometheus.stderr?.on('data', (chunk: Buffer) => (prometheusLog = (prometheusLog + chunk.toString()).slice(-4000)));
    const started = await new Promise<boolean>((resolve) => {
      prometheus?.once('error', () => resolve(false));
      prometheus?.once('spawn', () => resolve(true));
    });
    assert.ok(started, `${PROMETHEUS} did not start: install it with scripts/setup.sh --for-tests`);
  });

  after(async function () {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      process.kill(prometheus.pid ?? 0, 'SIGTERM');
      await exited;
    }
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('scrapes every series the server exposes, and the server exposes every documented series', async function () {
    const text = await (await fetch(`${server.server.url}/metrics`)).text();
    const documented = documentedSeries();
    assert.equal(documented.length, 29, 'the metrics table of docs/deploy.md');
    const families = [...text.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]);
    assert.deepEqual([...families].sort(), [...documented].sort(), '/metrics has exactly the documented families');
    const expected = exposedSeries(text);
    let missing: string[] = [...expected];
    for (let attempt = 0; attempt < 60 && missing.length > 0; attempt += 1) {
      await sleep(500);
      const answer = await query('{job="switchboard"}').catch(() => undefined);
      if (answer?.status !== 'success') continue;
      const scraped = new Set(
        answer.data?.result.map(({ metric }) => {
          const { __name__: name, job: _job, instance: _instance, ...labels } = metric;
          return `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(',')}}`;
        }),
      );
      missing = [...expected].filter((series) => !scraped.has(series));
    }
    assert.deepEqual(missing, [], `series Prometheus did not scrape; its log:\n${prometheusLog}`);
  });

  it('has a Grafana dashboard whose queries name documented series only, cover all of them, and run', async function () {
    const documented = new Set(documentedSeries());
    const queries = dashboardQueries();
    const named = new Set(queries.flatMap((expr) => [...expr.matchAll(/(?:switchboard|process)_[a-z_]+/g)].map((m) => m[0])));
    assert.deepEqual([...named].filter((name) => !documented.has(name)), [], 'undocumented series in the dashboard');
    assert.deepEqual([...documented].filter((name) => !named.has(name)), [], 'documented series missing from the dashboard');
    for (const expr of queries) {
      const answer = await query(expr);
      assert.equal(answer.status, 'success', `${expr}: ${answer.error ?? ''}`);
    }
    const rooms = await query('switchboard_rooms{job="switchboard"}');
    assert.equal(rooms.data?.result.length, 1, 'the dashboard\u2019s node variable query has a series to list');
  });
});
