import { createRequire } from 'node:module';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { ClusterMembership } from './cluster/cluster-membership.js';
import { createNodePipes } from './cluster/create-node-pipes.js';
import { RemoteGrants } from './cluster/remote-grants.js';
import { createRoomBus } from './cluster/create-room-bus.js';
import type { NodePipes } from './cluster/node-pipes.js';
import type { RoomBus } from './cluster/room-bus.js';
import type { ServerConfig } from './config.js';
import { isLoopback } from './config/rtc-addresses.js';
import { ServerError } from './errors.js';
import { registerConsole, resolveConsoleDir } from './console/console-routes.js';
import { MetricSampler } from './console/metric-sampler.js';
import { ClusterNodeStats } from './console/node-stats.js';
import { CorsPolicy } from './http/cors.js';
import { registerDevTokenApi } from './http/dev-token-api.js';
import { registerHistoryApi } from './http/history-api.js';
import { registerHttpApi } from './http/http-api.js';
import { handleAsync, sendBody, sendJson } from './http/respond.js';
import { registerZlmApi } from './http/zlm-api.js';
import { StaticFiles } from './http/static-files.js';
import { createApp } from './http/tls.js';
import { loadUws } from './http/uws.js';
import { IceServers } from './ice/ice-servers.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import { Logger } from './log.js';
import { WorkerPool } from './media/worker-pool.js';
import { dataMetrics } from './data/data-metrics.js';
import { ForwardedBitrate } from './metrics/forwarded-bitrate.js';
import { Metrics } from './metrics/metrics.js';
import { RoomRegistry } from './rooms/room-registry.js';
import { NotificationFlush } from './signaling/notification-flush.js';
import { SignalingServer } from './signaling/signaling-server.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
// How long a stopping server keeps trying to deliver its last webhooks.
const WEBHOOK_DRAIN_MS = 2000;
const UDP_DROPS_MAX_AGE_MS = 5000;

/** A started server; `close()` stops it gracefully. */
export interface SwitchboardServer {
  /** The port actually bound (useful when the config asked for port 0). */
  readonly port: number;
  /** Base URL for HTTP, e.g. `http://127.0.0.1:8080` (`https://` with TLS). */
  readonly url: string;
  /** The uWebSockets.js package serving requests (`name@version`). */
  readonly uwsRelease: string;
  /** The rooms (for embedding and tests). */
  readonly rooms: RoomRegistry;
  /** The server's metrics. */
  readonly metrics: Metrics;
  /** How this node reaches the rest of the cluster (in memory when it is alone). */
  readonly bus: RoomBus;
  /** Stops accepting connections, then stops the mediasoup workers. Idempotent. */
  close(): Promise<void>;
}

/** Starts mediasoup workers and the HTTP/WebSocket listener described by `config`. */
export async function startServer(config: ServerConfig, logger = new Logger(config.logLevel)): Promise<SwitchboardServer> {
  const { uws, release } = loadUws();
  logger.info('uWebSockets.js loaded', { release, node: process.version });
  // Before the workers start, so a bad certificate or a missing console leaves nothing running.
  const app = createApp(uws, config);
  const consoleDir = config.console ? resolveConsoleDir(config.consoleDir) : undefined;

  const workers = await WorkerPool.start({
    size: config.workers,
    logger: logger.child({ component: 'mediasoup' }),
    listenIp: config.rtcListenIp,
    lanIp: config.rtcLanIp,
    announcedAddress: config.rtcAnnouncedAddress,
    port: config.rtcPort,
    socketBufferBytes: config.rtcSocketBufferBytes,
  });
  const startedAt = Date.now();
  const bus = createRoomBus(config, logger.child({ component: 'cluster' }));
  const metrics = new Metrics();
  const membership = new ClusterMembership(bus, logger.child({ component: 'cluster' }));
  const webhooks = new WebhookDispatcher({
    urls: config.webhookUrls,
    secret: config.webhookSecret ?? '',
    messageTypes: config.webhookMessageTypes,
    queueLimit: config.webhookQueueLimit,
    maxAttempts: config.webhookMaxAttempts,
    retryDelayMs: config.webhookRetryDelayMs,
    timeoutMs: config.webhookTimeoutMs,
    logger: logger.child({ component: 'webhooks' }),
    metrics,
  });
  const nodePipes = createNodePipes(config, bus, logger.child({ component: 'cluster-media' }));
  const remoteGrants = nodePipes && new RemoteGrants(nodePipes.requests);
  const rooms = new RoomRegistry(
    {
      config,
      workers,
      logger: logger.child({ component: 'rooms' }),
      dataMetrics: dataMetrics(metrics),
      iceServers: new IceServers(config),
      webhooks,
      remoteProducers: nodePipes?.pipes,
      remoteGrants,
    },
    membership,
  );
  remoteGrants?.serve((room, peerId, change, by) => rooms.setGrantsHere(room, peerId, change, by));
  const httpLog = logger.child({ component: 'http' });
  const signaling = new SignalingServer(app, {
    registry: rooms,
    tokenSecret: config.tokenSecret,
    logger: logger.child({ component: 'signaling' }),
    requests: metrics.counter('switchboard_signaling_requests_total', 'Signaling requests by method and outcome'),
    notificationFlush: new NotificationFlush(),
    ...abuseLimits(config, metrics),
  });
  collectGauges(metrics, rooms, signaling, workers);
  collectClusterGauges(metrics, bus, nodePipes?.pipes);
  const cluster = bus.health().mode === 'redis' ? bus : undefined;
  const cors = new CorsPolicy(config.corsOrigins);
  const api = { rooms, cluster, apiSecret: config.apiSecret, maxMessageSize: config.maxMessageSize, metrics, logger: httpLog, cors };
  // Registered before the API's catch-all for unknown /api/ paths.
  let sampler: MetricSampler | undefined;
  if (consoleDir !== undefined) {
    const sampling = new MetricSampler({ metrics, logger: httpLog, rooms: () => rooms.list() });
    sampler = sampling;
    const nodes = new ClusterNodeStats({
      nodeId: bus.nodeId,
      liveNodes: () => bus.health().nodes,
      requests: nodePipes?.requests,
      local: () => ({
        node: bus.nodeId,
        cpuPercent: sampling.cpuPercent(),
        rssBytes: process.memoryUsage.rss(),
        rooms: rooms.list().length,
        peers: rooms.peerCount,
        workers: { alive: workers.health().filter((w) => w.alive).length, total: workers.health().length },
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      }),
    });
    registerConsole(app, { dir: consoleDir, sampler, nodes, apiSecret: config.apiSecret, nodeId: bus.nodeId, metrics, logger: httpLog });
  }
  registerHttpApi(app, api);
  registerHistoryApi(app, api);
  registerZlmApi(app, api);
  if (config.dev) {
    registerDevTokenApi(app, { tokenSecret: config.tokenSecret, maxTokenTtlSeconds: config.maxTokenTtlSeconds, logger: httpLog, metrics, cors });
    logger.warn('development mode: default secrets unless configured, and /dev/token mints tokens for anyone');
  }
  logRtcAddresses(config, logger);
  app.get('/metrics', (res) => {
    handleAsync(
      res,
      async (isAborted) => {
        const text = await metrics.render();
        if (!isAborted()) sendBody(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text);
      },
      (error) => httpLog.error('metrics failed', { error }),
    );
  });

  app.get('/healthz', (res) => {
    const health = workers.health();
    const cluster = bus.health();
    // A node that cannot reach the cluster's Redis cannot take joins: a load balancer should skip it.
    const ok = health.some((w) => w.alive) && cluster.reachable;
    sendJson(res, ok ? 200 : 503, {
      status: ok ? 'ok' : 'degraded',
      version,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      uws: release,
      node: process.version,
      workers: health,
      cluster,
    });
  });
  if (config.staticDir !== undefined) serveStatic(app, new StaticFiles(config.staticDir), httpLog);
  app.any('/*', (res) => sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'no such resource' } }));

  let listenSocket: us_listen_socket;
  try {
    listenSocket = await listen(app, config.host, config.port);
  } catch (error) {
    sampler?.stop();
    workers.close();
    nodePipes?.close();
    await bus.close();
    throw error;
  }
  const port = uws.us_socket_local_port(listenSocket);
  const scheme = config.tlsCert === undefined ? 'http' : 'https';
  const url = `${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info('listening', { url, version });

  let closing: Promise<void> | undefined;
  return {
    port,
    url,
    uwsRelease: release,
    rooms,
    metrics,
    bus,
    close() {
      closing ??= (async () => {
        logger.info('shutting down', { rooms: rooms.list().length, peers: rooms.peerCount });
        uws.us_listen_socket_close(listenSocket);
        sampler?.stop();
        rooms.closeAll('the server is shutting down');
        signaling.closeAll();
        nodePipes?.close();
        workers.close();
        await membership.drain();
        await bus.close();
        // The rooms' last events (peers left, rooms finished) still go out, for a bounded time.
        await webhooks.close(WEBHOOK_DRAIN_MS);
      })();
      return closing;
    },
  };
}

// Where browsers reach the media: Firefox ignores loopback-only candidates, so say when it cannot.
function logRtcAddresses(config: ServerConfig, logger: Logger): void {
  const addresses = [config.rtcAnnouncedAddress ?? config.rtcListenIp, ...(config.rtcLanIp ? [config.rtcLanIp] : [])];
  if (addresses.every(isLoopback)) {
    logger.warn('WebRTC is on loopback addresses only: Firefox will not connect (set --rtc-lan-ip or --rtc-ip to a LAN address)', { addresses });
  } else {
    logger.info('WebRTC addresses', { addresses });
  }
}

// The limits of docs/security.md that the signaling server enforces, with their counters.
function abuseLimits(config: ServerConfig, metrics: Metrics) {
  return {
    tokenPolicy: { maxTtlSeconds: config.maxTokenTtlSeconds },
    limits: {
      requestsPerSecond: config.requestsPerSecond,
      requestBurst: config.requestBurst,
      updatesPerSecond: config.updatesPerSecond,
      updateBurst: config.updateBurst,
      directSignalsPerSecond: config.directSignalsPerSecond,
      directSignalBurst: config.directSignalBurst,
      fanoutBytesPerSecond: config.fanoutBytesPerSecond,
      kickAfter: config.rateLimitKickAfter,
    },
    maxMetadataBytes: config.maxMetadataBytes,
    joinTimeoutMs: config.joinTimeoutSeconds * 1000,
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    abuse: {
      rateLimited: metrics.counter('switchboard_rate_limited_total', 'Signaling requests refused with RATE_LIMITED, by limit class'),
      kicked: metrics.counter('switchboard_abuse_kicks_total', 'Connections kicked for exceeding a rate limit persistently, by limit class'),
      joinTimeouts: metrics.counter('switchboard_join_timeouts_total', 'Signaling connections closed for not joining in time'),
    },
    refusedConnections: metrics.counter('switchboard_connections_refused_total', 'Signaling connections refused at a cap, by reason'),
  };
}

function collectGauges(metrics: Metrics, rooms: RoomRegistry, signaling: SignalingServer, workers: WorkerPool): void {
  const roomCount = metrics.gauge('switchboard_rooms', 'Open rooms');
  const peerCount = metrics.gauge('switchboard_peers', 'Peers in rooms, connected or waiting to resume');
  const connections = metrics.gauge('switchboard_signaling_connections', 'Open signaling WebSockets');
  const cpu = metrics.gauge('switchboard_worker_cpu_seconds', 'CPU seconds used by each mediasoup worker');
  const load = metrics.gauge('switchboard_worker_load', 'Transports and consumers on each mediasoup worker (new peers go to the least loaded)');
  const producers = metrics.gauge('switchboard_producers', 'Published audio/video tracks');
  const consumers = metrics.gauge('switchboard_consumers', 'Subscriptions to audio/video tracks');
  const forwarded = metrics.gauge('switchboard_forwarded_bitrate', 'Bits per second sent to peers (media and data), at most 5 s old');
  const forwardedBitrate = new ForwardedBitrate(() => rooms.list().flatMap((room) => room.receiveTransports()));
  const workerRss = metrics.gauge('switchboard_worker_resident_memory_bytes', 'Resident memory of each mediasoup worker (Linux; absent elsewhere)');
  const workerDrops = metrics.gauge(
    'switchboard_worker_udp_receive_drops',
    'UDP datagrams dropped because a mediasoup worker\'s socket was full, since the worker started, at most 5 s old (Linux; absent elsewhere)',
  );
  // The kernel's UDP tables list every socket of the machine (about 5 ms of CPU per 1,000 to
  // read): at most every 5 s, like the forwarded bitrate, whatever the scrape interval.
  let drops = { at: -Infinity, read: Promise.resolve<{ slot: number; drops: number }[]>([]) };
  const nodeCpu = metrics.gauge('process_cpu_seconds_total', 'CPU seconds used by the server\'s Node process');
  const nodeRss = metrics.gauge('process_resident_memory_bytes', 'Resident memory of the server\'s Node process');
  metrics.collect(async () => {
    const usage = process.cpuUsage();
    nodeCpu.set((usage.user + usage.system) / 1e6);
    nodeRss.set(process.memoryUsage.rss());
    for (const { slot, bytes } of await workers.residentBytes()) workerRss.set(bytes, { worker: String(slot) });
    if (performance.now() - drops.at >= UDP_DROPS_MAX_AGE_MS) drops = { at: performance.now(), read: workers.udpReceiveDrops() };
    for (const { slot, drops: count } of await drops.read) workerDrops.set(count, { worker: String(slot) });
    roomCount.set(rooms.list().length);
    peerCount.set(rooms.peerCount);
    connections.set(signaling.connections);
    const media = rooms.list().map((room) => room.mediaCounts());
    producers.set(media.reduce((sum, m) => sum + m.producers, 0));
    consumers.set(media.reduce((sum, m) => sum + m.consumers, 0));
    forwarded.set(await forwardedBitrate.read());
    for (const { slot, seconds } of await workers.cpuSeconds()) cpu.set(seconds, { worker: String(slot) });
    for (const worker of workers.live()) load.set(worker.load, { worker: String(worker.slot) });
  });
}

function collectClusterGauges(metrics: Metrics, bus: RoomBus, pipes: NodePipes | undefined): void {
  const reachable = metrics.gauge('switchboard_cluster_reachable', '1 if this node reaches the cluster (always 1 for a single node)');
  const nodes = metrics.gauge('switchboard_cluster_nodes', 'Live nodes this node sees, itself included');
  const piped = metrics.gauge('switchboard_cluster_media_pipes', 'Tracks piped between nodes: in (played here, published elsewhere) and out');
  metrics.collect(() => {
    const health = bus.health();
    reachable.set(health.reachable ? 1 : 0, { mode: health.mode });
    nodes.set(health.nodes.length);
    if (!pipes) return;
    const { incoming, outgoing } = pipes.counts();
    piped.set(incoming, { direction: 'in' });
    piped.set(outgoing, { direction: 'out' });
  });
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
