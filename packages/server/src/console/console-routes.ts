import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { apiSecretMatches } from '../auth/api-secret.js';
import { ServerError } from '../errors.js';
import { requestCounter } from '../http/api-route.js';
import { sendBody, sendJson, handleAsync } from '../http/respond.js';
import { StaticFiles } from '../http/static-files.js';
import type { Logger } from '../log.js';
import type { Counter, Metrics } from '../metrics/metrics.js';
import type { ConsoleSample, MetricSampler } from './metric-sampler.js';
import type { ClusterNodeStats } from './node-stats.js';

/** What {@link registerConsole} needs. */
export interface ConsoleDeps {
  /** The built console; {@link resolveConsoleDir} finds the default one. */
  dir: string;
  sampler: MetricSampler;
  /** The console's viewers present the API secret, as backends do. */
  apiSecret: string;
  /** This node's ID, so a viewer knows which node of a cluster it is looking through. */
  nodeId: string;
  /** The load of every live node. */
  nodes: ClusterNodeStats;
  metrics: Metrics;
  logger: Logger;
}

const PAGE = '/console';
const SAMPLES = '/api/console/samples';
const NODES = '/api/console/nodes';
// A viewer whose connection has not taken its last writes for this many samples is closed:
// uWS would otherwise buffer its samples without bound.
const MAX_BLOCKED_WRITES = 30;
const PAGE_HEADERS = { 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff' };

/**
 * The console's directory: `configured`, or the `dist` of the installed `@switchboard/console`
 * package. Throws `CONFIG_INVALID` when it holds no built console, so a server started with
 * `--console` never serves an empty page.
 */
export function resolveConsoleDir(configured: string | undefined): string {
  let dir = configured;
  if (dir === undefined) {
    try {
      dir = join(dirname(createRequire(import.meta.url).resolve('@switchboard/console/package.json')), 'dist');
    } catch {
      throw new ServerError('CONFIG_INVALID', '--console: the @switchboard/console package is not installed; pass --console-dir');
    }
  }
  if (!existsSync(join(dir, 'index.html'))) {
    throw new ServerError('CONFIG_INVALID', `--console: no built console in ${dir} (run npm run build, or pass --console-dir)`);
  }
  return dir;
}

/**
 * Registers the operator console: its page under `/console/` (the page holds no data; every
 * request it makes carries the API secret), `GET /api/console/samples`, a Server-Sent Events
 * stream of the node's metrics once a second, starting with the last 15 minutes, and
 * `GET /api/console/nodes`, the load of every live node of the cluster.
 */
export function registerConsole(app: TemplatedApp, deps: ConsoleDeps): void {
  const files = new StaticFiles(deps.dir);
  const requests = requestCounter(deps.metrics);
  const viewers = new ViewerFanout(deps.sampler);
  app.get(PAGE, (res) => sendBody(res, 301, 'text/plain; charset=utf-8', '', { Location: `${PAGE}/` }));
  app.get(`${PAGE}/*`, (res, req) => {
    const path = req.getUrl().slice(PAGE.length);
    handleAsync(
      res,
      async (isAborted) => {
        const file = await files.lookup(path);
        if (isAborted()) return;
        if (!file) {
          sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no console file at ${path}` } });
          return;
        }
        sendBody(res, 200, file.contentType, file.body, {
          ...PAGE_HEADERS,
          'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      },
      (error) => deps.logger.error('console file failed', { path, error }),
    );
  });
  app.get(SAMPLES, (res, req) => {
    if (!authorized(res, req, deps.apiSecret, requests, SAMPLES)) return;
    viewers.add(res, { nodeId: deps.nodeId, history: deps.sampler.history() });
  });
  app.get(NODES, (res, req) => {
    if (!authorized(res, req, deps.apiSecret, requests, NODES)) return;
    handleAsync(
      res,
      async (isAborted) => {
        const nodes = await deps.nodes.all();
        if (!isAborted()) sendJson(res, 200, { nodes });
      },
      (error) => deps.logger.error('console node stats failed', { error }),
    );
  });
}

/** Checks the API secret a console request presents; answers 401 (counted) if it is not the one. */
function authorized(res: HttpResponse, req: HttpRequest, secret: string, requests: Counter, route: string): boolean {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.getHeader('authorization'))?.[1];
  const presented = bearer ?? (req.getHeader('x-api-secret') || undefined);
  if (!apiSecretMatches(presented, secret)) {
    const message = presented === undefined ? 'missing API secret: send "Authorization: Bearer <secret>"' : 'wrong API secret';
    requests.inc({ route, status: '401' });
    sendJson(res, 401, { error: { code: 'PERMISSION_DENIED', message } });
    return false;
  }
  requests.inc({ route, status: '200' });
  return true;
}

/** The open sample streams: each sample is encoded once and written to every one of them. */
class ViewerFanout {
  private readonly viewers = new Map<HttpResponse, { blocked: number }>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly sampler: MetricSampler) {}

  add(res: HttpResponse, hello: object): void {
    res.onAborted(() => this.remove(res));
    res.cork(() => {
      res.writeStatus('200 OK');
      res.writeHeader('Content-Type', 'text/event-stream');
      res.writeHeader('Cache-Control', 'no-store');
      // Proxies such as nginx would otherwise hold the stream back in their buffers.
      res.writeHeader('X-Accel-Buffering', 'no');
      res.write(event('hello', hello));
    });
    this.viewers.set(res, { blocked: 0 });
    this.unsubscribe ??= this.sampler.subscribe((sample) => this.send(sample));
  }

  private send(sample: ConsoleSample): void {
    const encoded = event('sample', sample);
    for (const [res, state] of this.viewers) {
      let written = true;
      res.cork(() => {
        written = res.write(encoded);
      });
      state.blocked = written ? 0 : state.blocked + 1;
      if (state.blocked > MAX_BLOCKED_WRITES) {
        this.remove(res);
        res.close();
      }
    }
  }

  private remove(res: HttpResponse): void {
    this.viewers.delete(res);
    if (this.viewers.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
