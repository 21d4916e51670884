import type { LogLevel } from '../log.js';

/**
 * `least-loaded`: the live worker with the fewest transports and consumers. `spread`: each room
 * takes its workers in turn, so consecutive peers of a room land on different workers (tests,
 * benchmarks).
 */
export type WorkerPlacement = 'least-loaded' | 'spread';

/** Everything the server needs to start; see {@link loadConfig} for the sources. */
export interface ServerConfig {
  /** Address the HTTP/WebSocket listener binds to. */
  host: string;
  /** Port of the HTTP/WebSocket listener; 0 picks a free one. */
  port: number;
  /** Number of mediasoup workers (processes). */
  workers: number;
  /** Minimum log level written. */
  logLevel: LogLevel;
  /** Directory of static files (the built demo) served at `/`, or undefined to serve none. */
  staticDir: string | undefined;
  /** Serve the operator console at `/console/` and its live samples (API secret required). */
  console: boolean;
  /** Directory of the built console; undefined: the installed `@switchboard/console` package's `dist`. */
  consoleDir: string | undefined;
  /** Development mode: default secrets and the token-minting endpoint `/dev/token`. */
  dev: boolean;
  /** HS256 key that access tokens are signed with. */
  tokenSecret: string;
  /** Secret a backend presents to the HTTP API. */
  apiSecret: string;
  /** Local IP the WebRTC servers listen on. */
  rtcListenIp: string;
  /**
   * A second local IP the WebRTC servers listen on (this machine's LAN address by default in dev
   * mode, for Firefox, which ignores loopback candidates); undefined: none. As given it may be
   * `auto` or `none`; {@link loadConfig} settles it to an address or undefined.
   */
  rtcLanIp: string | undefined;
  /** Address announced in ICE candidates (public IP or host name), if not the listen IP. */
  rtcAnnouncedAddress: string | undefined;
  /** First WebRTC port: worker i listens on UDP and TCP port `rtcPort + i`. */
  rtcPort: number;
  /**
   * Receive and send buffer of each worker's UDP socket, in bytes (0 = the kernel's default).
   * Every peer's packets of a worker arrive on its one socket, so bursts of acknowledgements
   * from a large fan-out overflow the kernel's usual 208 KiB.
   */
  rtcSocketBufferBytes: number;
  /** Largest data message accepted, in bytes. */
  maxMessageSize: number;
  /** Sustained data messages per second per peer. */
  messagesPerSecond: number;
  /** Data messages a peer may send in a burst above the sustained rate. */
  messageBurst: number;
  /** How long a dropped peer stays in its room waiting to resume, in seconds. */
  reconnectGraceSeconds: number;
  /** Bytes of recent reliable messages each room keeps for peers that resume. */
  replayBufferBytes: number;
  /** SCTP send buffer of each peer's receive transport, in bytes. */
  sctpSendBufferBytes: number;
  /** How long a data delivery may wait for others to the same receivers to share its SCTP message, in ms. */
  dataBatchWindowMs: number;
  /** Largest batch of data deliveries sent as one SCTP message, in bytes. */
  dataBatchMaxBytes: number;
  /** Most media a peer may send, in bits per second (0 = no limit). */
  maxIncomingBitrate: number;
  /** Bandwidth estimate each receive transport starts from, in bits per second. */
  initialOutgoingBitrate: number;
  /** Window in which key frame requests for one video track are merged into one, in ms. */
  keyFrameRequestDelayMs: number;
  /** Longest a new viewer's video waits to start with other viewers arriving at the same time, in ms. */
  videoStartHoldMs: number;
  /** How a room picks the worker for a new peer's transports. */
  workerPlacement: WorkerPlacement;
  /** How long a join or resume waits for a live mediasoup worker (e.g. while one respawns). */
  workerWaitSeconds: number;
  // Abuse limits (docs/security.md).
  /** Longest an access token may still be valid, in seconds: a later `exp` is refused. */
  maxTokenTtlSeconds: number;
  /** Seconds a signaling socket may stay open without joining. */
  joinTimeoutSeconds: number;
  /** Open signaling sockets per client IP address (0 = no limit). */
  maxConnectionsPerIp: number;
  /** Open signaling sockets in all; kept below the process's open-file limit. */
  maxConnections: number;
  /** Sustained signaling frames per second per connection. */
  requestsPerSecond: number;
  /** Signaling frames a connection may send in a burst. */
  requestBurst: number;
  /** Sustained room-changing requests (updateSelf, setTopics, kick) per second per connection. */
  updatesPerSecond: number;
  /** Room-changing requests a connection may send in a burst. */
  updateBurst: number;
  /** Sustained direct channel signals (directSignal) per second per connection. */
  directSignalsPerSecond: number;
  /** Direct channel signals a connection may send in a burst. */
  directSignalBurst: number;
  /** Largest name plus metadata of a peer, MessagePack bytes. */
  maxMetadataBytes: number;
  /** Notification bytes one peer's updates may make the server send to others, per second. */
  fanoutBytesPerSecond: number;
  /** Streams one peer may have open at once. */
  maxOpenStreams: number;
  /** Largest stream in bytes (0 = no limit). */
  maxStreamBytes: number;
  /** Sustained bytes per second of one peer's stream chunks. */
  streamBytesPerSecond: number;
  /** Stream chunk bytes one peer may send in a burst. */
  streamBurstBytes: number;
  /** Refusals within 10 seconds after which a peer is kicked (0 = never kick). */
  rateLimitKickAfter: number;

  // Cluster mode (docs/scaling.md): on with a Redis URL or sentinels; without either nothing needs Redis.
  /** `redis://host:port[/db]` of the cluster's Redis, or undefined for a single node. */
  redisUrl: string | undefined;
  /** Redis Sentinel instances that name the cluster's Redis primary (instead of `redisUrl`). */
  redisSentinels: { host: string; port: number }[] | undefined;
  /** The primary's name as the sentinels know it. */
  redisMasterName: string;
  /** How long a Redis command may go unanswered before it fails with `UNAVAILABLE`, in ms. */
  redisTimeoutMs: number;
  /** Replicas that must hold a reliable message before it is acknowledged (Redis WAIT). */
  redisWaitReplicas: number;
  /** This node's ID in the cluster, unique among the live nodes. */
  nodeId: string;
  /** How often this node tells the cluster it is alive, in ms. */
  clusterHeartbeatMs: number;
  /** A node silent for this long is dead and its peers leave their rooms, in ms. */
  clusterNodeTtlMs: number;
  /** Local IP of the PipeTransports that carry media between nodes; undefined: `rtcListenIp`. */
  pipeListenIp: string | undefined;
  /** Address other nodes reach this node's pipes at, if not the listen IP. */
  pipeAnnouncedAddress: string | undefined;

  // Production: browser access, TLS, ICE servers.
  /** Origins allowed to call the HTTP API and /dev/token from a browser (`*` = any); none = no CORS. */
  corsOrigins: string[];
  /** PEM certificate (chain) file: with `tlsKey`, the listener serves HTTPS and wss://. */
  tlsCert: string | undefined;
  /** PEM private key file of `tlsCert`. */
  tlsKey: string | undefined;
  /** STUN URLs handed to clients. */
  stunUrls: string[];
  /** TURN URLs handed to clients, with credentials made from `turnSecret`. */
  turnUrls: string[];
  /** The TURN server's shared secret (coturn `static-auth-secret`). */
  turnSecret: string | undefined;
  /** Lifetime of the TURN credentials handed to a joining peer, in seconds. */
  turnCredentialTtlSeconds: number;

  // Webhooks (docs/http-api.md).
  /** Receivers of room events; none = no webhooks. */
  webhookUrls: string[];
  /** HMAC key of the signature header; required with `webhookUrls`. */
  webhookSecret: string | undefined;
  /** Application message types also reported as `message` events. */
  webhookMessageTypes: string[];
  /** Events waiting per URL before the oldest is dropped. */
  webhookQueueLimit: number;
  /** Attempts per delivery. */
  webhookMaxAttempts: number;
  /** Delay before the first retry, ms (doubled each time). */
  webhookRetryDelayMs: number;
  /** Timeout of one POST, ms. */
  webhookTimeoutMs: number;

  // Room history (docs/http-api.md).
  /** Messages the default history policy keeps; 0: no default policy. */
  historyLimit: number;
  /** Types the default policy keeps; empty: any. */
  historyTypes: string[];
  /** Topics the default policy keeps; empty: any. */
  historyTopics: string[];
  /** Bytes the default policy keeps at most; undefined: `historyMaxBytes`. */
  historyBytes: number | undefined;
  /** Cap on any room's policy `limit`. */
  historyMaxLimit: number;
  /** Cap on any room's policy `maxBytes`. */
  historyMaxBytes: number;
}

/** Secrets used when the server runs with --dev and none are configured. Never for production. */
export const DEV_SECRETS = { tokenSecret: 'switchboard-dev-token-secret', apiSecret: 'switchboard-dev-api-secret' } as const;
