import { createRequire } from 'node:module';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import type { ServerConfig } from './config.js';
import { ServerError } from './errors.js';
import { handleAsync, sendBody, sendJson } from './http/respond.js';
import { StaticFiles } from './http/static-files.js';
import { loadUws, type UwsImplementation } from './http/uws.js';
import { Logger } from './log.js';
import { WorkerPool } from './media/worker-pool.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** A started server; `close()` stops it gracefully. */
export interface SwitchboardServer {
  /** The port actually bound (useful when the config asked for port 0). */
  readonly port: number;
  /** Base URL for HTTP, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Which uWebSockets.js implementation serves requests. */
  readonly uwsImplementation: UwsImplementation;
  /** Stops accepting connections, then stops the mediasoup workers. Idempotent. */
  close(): Promise<void>;
}

/** Starts mediasoup workers and the HTTP/WebSocket listener described by `config`. */
export async function startServer(config: ServerConfig, logger = new Logger(config.logLevel)): Promise<SwitchboardServer> {
  const { uws, implementation } = loadUws({ allowFallback: config.allowUwsFallback });
  logger.info('uWebSockets.js loaded', { implementation });
  if (implementation === 'fallback') logger.warn('running on the slow uWebSockets.js fallback, as allowed by configuration');

  const workers = await WorkerPool.start({ size: config.workers, logger: logger.child({ component: 'mediasoup' }) });
  const startedAt = Date.now();
  const app = uws.App();
  const httpLog = logger.child({ component: 'http' });

  app.get('/healthz', (res) => {
    const health = workers.health();
    const ok = health.some((w) => w.alive);
    sendJson(res, ok ? 200 : 503, {
      status: ok ? 'ok' : 'degraded',
      version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      uws: implementation,
      workers: health,
    });
  });
  if (config.staticDir !== undefined) serveStatic(app, new StaticFiles(config.staticDir), httpLog);
  app.any('/*', (res) => sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'no such resource' } }));

  let listenSocket: us_listen_socket;
  try {
    listenSocket = await listen(app, config.host, config.port);
  } catch (error) {
    workers.close();
    throw error;
  }
  const port = uws.us_socket_local_port(listenSocket);
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info('listening', { url, version });

  let closing: Promise<void> | undefined;
  return {
    port,
    url,
    uwsImplementation: implementation,
    close() {
      closing ??= (async () => {
        logger.info('shutting down');
        uws.us_listen_socket_close(listenSocket);
        workers.close();
      })();
      return closing;
    },
  };
}

function serveStatic(app: TemplatedApp, files: StaticFiles, log: Logger): void {
  app.get('/*', (res, req) => {
    const path = req.getUrl();
    handleAsync(
      res,
      async (isAborted) => {
        const file = await files.lookup(path);
        if (isAborted()) return;
        if (!file) {
          sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no file at ${path}` } });
          return;
        }
        sendBody(res, 200, file.contentType, file.body, {
          'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        });
      },
      (error) => log.error('static file failed', { path, error }),
    );
  });
}

function listen(app: TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (socket) resolve(socket);
      else reject(new ServerError('LISTEN_FAILED', `cannot listen on ${host}:${port} (address in use or not available)`));
    });
  });
}
