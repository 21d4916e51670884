import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { ServerError } from './errors.js';
import { parseCorsOrigins } from './http/cors.js';
import { parseIceUrls } from './ice/ice-servers.js';
import { readConfigFile } from './config-file.js';
import type { LogLevel } from './log.js';

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
  /** Development mode: default secrets and the token-minting endpoint `/dev/token`. */
  dev: boolean;
  /** HS256 key that access tokens are signed with. */
  tokenSecret: string;
  /** Secret a backend presents to the HTTP API. */
  apiSecret: string;
  /** Local IP the WebRTC servers listen on. */
  rtcListenIp: string;
  /** Address announced in ICE candidates (public IP or host name), if not the listen IP. */
  rtcAnnouncedAddress: string | undefined;
  /** First WebRTC port: worker i listens on UDP and TCP port `rtcPort + i`. */
  rtcPort: number;
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
  /** Most media a peer may send, in bits per second (0 = no limit). */
  maxIncomingBitrate: number;
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
  /** Largest name plus metadata of a peer, MessagePack bytes. */
  maxMetadataBytes: number;
  /** Notification bytes one peer's updates may make the server send to others, per second. */
  fanoutBytesPerSecond: number;
  /** Refusals within 10 seconds after which a peer is kicked (0 = never kick). */
  rateLimitKickAfter: number;

  // Cluster mode (docs/scaling.md): on with a Redis URL; without one nothing needs Redis.
  /** `redis://host:port[/db]` of the cluster's Redis, or undefined for a single node. */
  redisUrl: string | undefined;
  /** This node's ID in the cluster, unique among the live nodes. */
  nodeId: string;
  /** How often this node tells the cluster it is alive, in ms. */
  clusterHeartbeatMs: number;
  /** A node silent for this long is dead and its peers leave their rooms, in ms. */
  clusterNodeTtlMs: number;

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
}

/** Secrets used when the server runs with --dev and none are configured. Never for production. */
export const DEV_SECRETS = { tokenSecret: 'switchboard-dev-token-secret', apiSecret: 'switchboard-dev-api-secret' } as const;

interface OptionSpec<K extends keyof ServerConfig> {
  key: K;
  flag: string;
  env: string;
  help: string;
  parse: (raw: string) => ServerConfig[K];
  fallback: () => ServerConfig[K];
  /** A flag given alone means true. */
  boolean?: true;
}

type AnyOptionSpec = { [K in keyof ServerConfig]: OptionSpec<K> }[keyof ServerConfig];

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * `least-loaded`: the live worker with the fewest transports and consumers. `spread`: each room
 * takes its workers in turn, so consecutive peers of a room land on different workers (tests,
 * benchmarks).
 */
export type WorkerPlacement = 'least-loaded' | 'spread';
const PLACEMENTS: readonly WorkerPlacement[] = ['least-loaded', 'spread'];

const OPTIONS: readonly AnyOptionSpec[] = [
  {
    key: 'host',
    flag: '--host',
    env: 'SWITCHBOARD_HOST',
    help: 'address to listen on',
    parse: (raw) => raw,
    fallback: () => '127.0.0.1',
  },
  {
    key: 'port',
    flag: '--port',
    env: 'SWITCHBOARD_PORT',
    help: 'HTTP/WebSocket port (0 = any free port)',
    parse: (raw) => parseInteger(raw, '--port', 0, 65535),
    fallback: () => 8080,
  },
  {
    key: 'workers',
    flag: '--workers',
    env: 'SWITCHBOARD_WORKERS',
    help: 'mediasoup worker processes (default: one per core)',
    parse: (raw) => parseInteger(raw, '--workers', 1, 256),
    fallback: () => availableParallelism(),
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'SWITCHBOARD_LOG_LEVEL',
    help: LOG_LEVELS.join(' | '),
    parse: (raw) => {
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
        throw configError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
      }
      return raw as LogLevel;
    },
    fallback: () => 'info',
  },
  {
    key: 'staticDir',
    flag: '--static-dir',
    env: 'SWITCHBOARD_STATIC_DIR',
    help: 'directory of static files served at / (the built demo)',
    parse: (raw) => raw,
    fallback: () => undefined,
  },

  {
    key: 'dev',
    flag: '--dev',
    env: 'SWITCHBOARD_DEV',
    help: 'development mode: default secrets and /dev/token (true | false)',
    parse: (raw) => parseBoolean(raw, '--dev'),
    fallback: () => false,
    boolean: true,
  },
  {
    key: 'tokenSecret',
    flag: '--token-secret',
    env: 'SWITCHBOARD_TOKEN_SECRET',
    help: 'HS256 key for access tokens (required unless --dev)',
    parse: (raw) => parseSecret(raw, '--token-secret'),
    fallback: () => '',
  },
  {
    key: 'apiSecret',
    flag: '--api-secret',
    env: 'SWITCHBOARD_API_SECRET',
    help: 'secret for the HTTP API (required unless --dev)',
    parse: (raw) => parseSecret(raw, '--api-secret'),
    fallback: () => '',
  },
  {
    key: 'rtcListenIp',
    flag: '--rtc-ip',
    env: 'SWITCHBOARD_RTC_IP',
    help: 'local IP for WebRTC (UDP/TCP)',
    parse: (raw) => raw,
    fallback: () => '127.0.0.1',
  },
  {
    key: 'rtcAnnouncedAddress',
    flag: '--rtc-announced-address',
    env: 'SWITCHBOARD_RTC_ANNOUNCED_ADDRESS',
    help: 'public IP or host name put in ICE candidates',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'rtcPort',
    flag: '--rtc-port',
    env: 'SWITCHBOARD_RTC_PORT',
    help: 'first WebRTC port; worker i uses rtc-port + i (0 = any free ports)',
    parse: (raw) => parseInteger(raw, '--rtc-port', 0, 65535),
    fallback: () => 40000,
  },
  {
    key: 'maxMessageSize',
    flag: '--max-message-size',
    env: 'SWITCHBOARD_MAX_MESSAGE_SIZE',
    help: 'largest data message in bytes',
    parse: (raw) => parseInteger(raw, '--max-message-size', 256, 262144),
    fallback: () => 65536,
  },
  {
    key: 'messagesPerSecond',
    flag: '--messages-per-second',
    env: 'SWITCHBOARD_MESSAGES_PER_SECOND',
    help: 'sustained data messages per second per peer',
    parse: (raw) => parseInteger(raw, '--messages-per-second', 1, 10_000_000),
    fallback: () => 200,
  },
  {
    key: 'messageBurst',
    flag: '--message-burst',
    env: 'SWITCHBOARD_MESSAGE_BURST',
    help: 'data messages a peer may send in a burst',
    parse: (raw) => parseInteger(raw, '--message-burst', 1, 10_000_000),
    fallback: () => 400,
  },
  {
    key: 'reconnectGraceSeconds',
    flag: '--reconnect-grace',
    env: 'SWITCHBOARD_RECONNECT_GRACE',
    help: 'seconds a dropped peer may take to resume',
    parse: (raw) => parseInteger(raw, '--reconnect-grace', 0, 3600),
    fallback: () => 30,
  },
  {
    key: 'replayBufferBytes',
    flag: '--replay-buffer-bytes',
    env: 'SWITCHBOARD_REPLAY_BUFFER_BYTES',
    help: 'bytes of recent reliable messages a room keeps for resuming peers',
    parse: (raw) => parseInteger(raw, '--replay-buffer-bytes', 0, 1 << 30),
    fallback: () => 8 * 1024 * 1024,
  },
  {
    key: 'sctpSendBufferBytes',
    flag: '--sctp-send-buffer',
    env: 'SWITCHBOARD_SCTP_SEND_BUFFER',
    help: 'SCTP send buffer per receiving peer, bytes (a reliable message that overflows it makes the peer resume)',
    parse: (raw) => parseInteger(raw, '--sctp-send-buffer', 65536, 1 << 28),
    fallback: () => 2 * 1024 * 1024,
  },
  {
    key: 'maxIncomingBitrate',
    flag: '--max-incoming-bitrate',
    env: 'SWITCHBOARD_MAX_INCOMING_BITRATE',
    help: 'most media one peer may send, bits/s (0 = no limit)',
    parse: (raw) => parseInteger(raw, '--max-incoming-bitrate', 0, 1_000_000_000),
    fallback: () => 5_000_000,
  },
  // Scale-out over the workers of this node.
  {
    key: 'workerPlacement',
    flag: '--worker-placement',
    env: 'SWITCHBOARD_WORKER_PLACEMENT',
    help: `worker for a new peer: ${PLACEMENTS.join(' | ')}`,
    parse: (raw) => {
      if (!(PLACEMENTS as readonly string[]).includes(raw)) {
        throw configError(`--worker-placement must be one of ${PLACEMENTS.join(', ')}, got "${raw}"`);
      }
      return raw as WorkerPlacement;
    },
    fallback: () => 'least-loaded',
  },
  {
    key: 'workerWaitSeconds',
    flag: '--worker-wait',
    env: 'SWITCHBOARD_WORKER_WAIT',
    help: 'seconds a join waits for a live mediasoup worker before failing with UNAVAILABLE',
    parse: (raw) => parseInteger(raw, '--worker-wait', 0, 300),
    fallback: () => 10,
  },
  // Abuse limits (docs/security.md).
  {
    key: 'maxTokenTtlSeconds',
    flag: '--max-token-ttl',
    env: 'SWITCHBOARD_MAX_TOKEN_TTL',
    help: 'longest remaining validity of an access token, seconds (later exp is refused)',
    parse: (raw) => parseInteger(raw, '--max-token-ttl', 60, 366 * 24 * 3600),
    fallback: () => 24 * 3600,
  },
  {
    key: 'joinTimeoutSeconds',
    flag: '--join-timeout',
    env: 'SWITCHBOARD_JOIN_TIMEOUT',
    help: 'seconds a signaling socket may stay open without joining',
    parse: (raw) => parseInteger(raw, '--join-timeout', 1, 600),
    fallback: () => 10,
  },
  {
    key: 'maxConnectionsPerIp',
    flag: '--max-connections-per-ip',
    env: 'SWITCHBOARD_MAX_CONNECTIONS_PER_IP',
    help: 'open signaling sockets per client IP (0 = no limit)',
    parse: (raw) => parseInteger(raw, '--max-connections-per-ip', 0, 1_000_000),
    fallback: () => 256,
  },
  {
    key: 'maxConnections',
    flag: '--max-connections',
    env: 'SWITCHBOARD_MAX_CONNECTIONS',
    help: 'open signaling sockets in all (default: 3/4 of the open-file limit)',
    parse: (raw) => parseInteger(raw, '--max-connections', 1, Math.max(1, openFileLimit() - FILE_RESERVE)),
    fallback: () => Math.max(1, Math.floor(openFileLimit() * 0.75)),
  },
  {
    key: 'requestsPerSecond',
    flag: '--requests-per-second',
    env: 'SWITCHBOARD_REQUESTS_PER_SECOND',
    help: 'sustained signaling frames per second per connection',
    parse: (raw) => parseInteger(raw, '--requests-per-second', 1, 100_000),
    fallback: () => 50,
  },
  {
    key: 'requestBurst',
    flag: '--request-burst',
    env: 'SWITCHBOARD_REQUEST_BURST',
    help: 'signaling frames a connection may send in a burst',
    parse: (raw) => parseInteger(raw, '--request-burst', 1, 100_000),
    fallback: () => 200,
  },
  {
    key: 'updatesPerSecond',
    flag: '--updates-per-second',
    env: 'SWITCHBOARD_UPDATES_PER_SECOND',
    help: 'sustained updateSelf/setTopics/kick requests per second per connection',
    parse: (raw) => parseInteger(raw, '--updates-per-second', 1, 100_000),
    fallback: () => 5,
  },
  {
    key: 'updateBurst',
    flag: '--update-burst',
    env: 'SWITCHBOARD_UPDATE_BURST',
    help: 'updateSelf/setTopics/kick requests a connection may send in a burst',
    parse: (raw) => parseInteger(raw, '--update-burst', 1, 100_000),
    fallback: () => 20,
  },
  {
    key: 'maxMetadataBytes',
    flag: '--max-metadata-bytes',
    env: 'SWITCHBOARD_MAX_METADATA_BYTES',
    help: 'largest peer name plus metadata, MessagePack bytes',
    parse: (raw) => parseInteger(raw, '--max-metadata-bytes', 64, 1 << 20),
    fallback: () => 4096,
  },
  {
    key: 'fanoutBytesPerSecond',
    flag: '--fanout-bytes-per-second',
    env: 'SWITCHBOARD_FANOUT_BYTES_PER_SECOND',
    help: "notification bytes per second one peer's updates may send to the others",
    parse: (raw) => parseInteger(raw, '--fanout-bytes-per-second', 1024, 1 << 30),
    fallback: () => 256 * 1024,
  },
  {
    key: 'rateLimitKickAfter',
    flag: '--rate-limit-kick-after',
    env: 'SWITCHBOARD_RATE_LIMIT_KICK_AFTER',
    help: 'refusals within 10 s after which a peer is kicked (0 = never)',
    parse: (raw) => parseInteger(raw, '--rate-limit-kick-after', 0, 1_000_000),
    fallback: () => 50,
  },
  // Cluster mode (docs/scaling.md).
  {
    key: 'redisUrl',
    flag: '--redis-url',
    env: 'SWITCHBOARD_REDIS_URL',
    help: 'cluster mode: redis://host:port of the Redis all nodes share (default: single node, no Redis)',
    parse: (raw) => {
      if (!/^rediss?:\/\/[^/]+/.test(raw)) throw configError(`--redis-url must look like redis://host:port, got "${raw}"`);
      return raw;
    },
    fallback: () => undefined,
  },
  {
    key: 'nodeId',
    flag: '--node-id',
    env: 'SWITCHBOARD_NODE_ID',
    help: 'this node\'s ID in the cluster (default: host name and process ID)',
    parse: (raw) => {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(raw)) throw configError(`--node-id must be 1-64 letters, digits, ".", "_" or "-", got "${raw}"`);
      return raw;
    },
    fallback: () => `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 48)}-${process.pid}`,
  },
  {
    key: 'clusterHeartbeatMs',
    flag: '--cluster-heartbeat-ms',
    env: 'SWITCHBOARD_CLUSTER_HEARTBEAT_MS',
    help: 'how often a node tells the cluster it is alive, ms',
    parse: (raw) => parseInteger(raw, '--cluster-heartbeat-ms', 50, 60_000),
    fallback: () => 1000,
  },
  {
    key: 'clusterNodeTtlMs',
    flag: '--cluster-node-ttl-ms',
    env: 'SWITCHBOARD_CLUSTER_NODE_TTL_MS',
    help: 'a node silent this long is dead and its peers leave, ms (at least 2 heartbeats)',
    parse: (raw) => parseInteger(raw, '--cluster-node-ttl-ms', 100, 600_000),
    fallback: () => 5000,
  },
  // Production: browser access, TLS, ICE servers.
  {
    key: 'corsOrigins',
    flag: '--cors-origins',
    env: 'SWITCHBOARD_CORS_ORIGINS',
    help: 'comma-separated origins (or *) that may call the HTTP API and /dev/token from a browser',
    parse: (raw) => parseCorsOrigins(raw),
    fallback: () => [],
  },
  {
    key: 'tlsCert',
    flag: '--tls-cert',
    env: 'SWITCHBOARD_TLS_CERT',
    help: 'PEM certificate file; with --tls-key serves https:// and wss://',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'tlsKey',
    flag: '--tls-key',
    env: 'SWITCHBOARD_TLS_KEY',
    help: 'PEM private key file of --tls-cert',
    parse: (raw) => raw,
    fallback: () => undefined,
  },
  {
    key: 'stunUrls',
    flag: '--stun-urls',
    env: 'SWITCHBOARD_STUN_URLS',
    help: 'comma-separated STUN URLs handed to clients (stun:host:3478)',
    parse: (raw) => parseIceUrls(raw, '--stun-urls', ['stun:', 'stuns:']),
    fallback: () => [],
  },
  {
    key: 'turnUrls',
    flag: '--turn-urls',
    env: 'SWITCHBOARD_TURN_URLS',
    help: 'comma-separated TURN URLs handed to clients (turn:host:3478, turns:host:443?transport=tcp)',
    parse: (raw) => parseIceUrls(raw, '--turn-urls', ['turn:', 'turns:']),
    fallback: () => [],
  },
  {
    key: 'turnSecret',
    flag: '--turn-secret',
    env: 'SWITCHBOARD_TURN_SECRET',
    help: "the TURN server's shared secret (coturn static-auth-secret), for short-lived credentials",
    parse: (raw) => parseSecret(raw, '--turn-secret'),
    fallback: () => undefined,
  },
  {
    key: 'turnCredentialTtlSeconds',
    flag: '--turn-credential-ttl',
    env: 'SWITCHBOARD_TURN_CREDENTIAL_TTL',
    help: 'seconds the TURN credentials handed to a joining peer stay valid',
    parse: (raw) => parseInteger(raw, '--turn-credential-ttl', 60, 7 * 24 * 3600),
    fallback: () => 86400,
  },
];

// File descriptors kept free for everything besides signaling sockets (HTTP, logs, pipes to
// the mediasoup workers).
const FILE_RESERVE = 256;

/** The soft open-file limit of this process (Linux), or a common default where unknown. */
function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
    if (soft !== undefined) return soft === 'unlimited' ? 1 << 20 : Number(soft);
  } catch {
    // Not Linux: fall through to the default.
  }
  return 1024;
}


/** The flag naming a configuration file, and its environment variable. */
const CONFIG_FLAG = '--config';
const CONFIG_ENV = 'SWITCHBOARD_CONFIG';

/**
 * Builds the configuration: command-line flags win over environment variables, which win over
 * the configuration file (`--config`, see {@link readConfigFile}), which wins over defaults
 * chosen to run locally with no setup. Flags take `--name value` or `--name=value`; a boolean
 * flag given alone means true.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const fromFlags = parseFlags(argv);
  const file = fromFlags.get(CONFIG_FLAG) ?? env[CONFIG_ENV];
  const fromFile = file ? readConfigFile(file, OPTIONS.map((o) => o.flag.slice(2))) : new Map<string, string>();
  const config: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const option of OPTIONS) {
    const given = fromFlags.get(option.flag) ?? env[option.env];
    const raw = given === undefined || given === '' ? fromFile.get(option.flag.slice(2)) : given;
    config[option.key] = raw === undefined || raw === '' ? option.fallback() : parseFrom(option, raw, raw === given ? undefined : file);
  }
  return withClusterTiming(withSecrets(checkPairs(config as ServerConfig)));
}

// Options that only work together: a certificate needs its key, TURN URLs need the secret.
function checkPairs(config: ServerConfig): ServerConfig {
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw configError('--tls-cert and --tls-key go together: give both to serve TLS, or neither');
  }
  if (config.turnUrls.length > 0 && config.turnSecret === undefined) {
    throw configError('--turn-urls needs --turn-secret (the TURN server\'s static-auth-secret) to make credentials');
  }
  return config;
}

// A value from the file is checked as its flag would be; the message then names the file.
function parseFrom(option: AnyOptionSpec, raw: string, file: string | undefined): unknown {
  try {
    return option.parse(raw);
  } catch (error) {
    if (file === undefined || !(error instanceof ServerError)) throw error;
    throw new ServerError('CONFIG_INVALID', `config file ${file}: ${error.message}`);
  }
}

// One late heartbeat must not make a live node look dead.
function withClusterTiming(config: ServerConfig): ServerConfig {
  if (config.clusterNodeTtlMs < 2 * config.clusterHeartbeatMs) {
    throw configError(
      `--cluster-node-ttl-ms (${config.clusterNodeTtlMs}) must be at least twice --cluster-heartbeat-ms (${config.clusterHeartbeatMs})`,
    );
  }
  return config;
}

// Outside dev mode a missing secret is an error: a server with a guessable secret would accept
// anyone's tokens.
function withSecrets(config: ServerConfig): ServerConfig {
  if (config.dev) {
    return {
      ...config,
      tokenSecret: config.tokenSecret || DEV_SECRETS.tokenSecret,
      apiSecret: config.apiSecret || DEV_SECRETS.apiSecret,
    };
  }
  for (const [key, flag, env] of [
    ['tokenSecret', '--token-secret', 'SWITCHBOARD_TOKEN_SECRET'],
    ['apiSecret', '--api-secret', 'SWITCHBOARD_API_SECRET'],
  ] as const) {
    if (!config[key]) throw configError(`${flag} (or ${env}) is required; for local development use --dev`);
  }
  return config;
}

/** Text for `--help`: every flag with its environment variable. */
export function configHelp(): string {
  const rows = OPTIONS.map((o) => `  ${o.flag.padEnd(26)} ${o.env.padEnd(36)} ${o.help}`);
  const file = `  ${`${CONFIG_FLAG} FILE`.padEnd(26)} ${CONFIG_ENV.padEnd(36)} settings from a .json or .yaml file: flags without "--" as keys (flags and environment win)`;
  return ['Options (flag, environment variable, meaning):', file, ...rows].join('\n');
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const known = new Map<string, { boolean?: true }>([[CONFIG_FLAG, {}], ...OPTIONS.map((o) => [o.flag, o] as const)]);
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const option = known.get(flag);
    if (!option) throw configError(`unknown option "${arg}"; see --help`);
    if (eq !== -1) {
      values.set(flag, arg.slice(eq + 1));
    } else if (option.boolean) {
      values.set(flag, 'true');
    } else {
      const next = argv[++i];
      if (next === undefined) throw configError(`${flag} needs a value`);
      values.set(flag, next);
    }
  }
  return values;
}

function parseInteger(raw: string, name: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseBoolean(raw: string, name: string): boolean {
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw configError(`${name} must be true or false, got "${raw}"`);
}

function parseSecret(raw: string, name: string): string {
  if (raw.length < 16) throw configError(`${name} must be at least 16 characters`);
  return raw;
}

function configError(message: string): ServerError {
  return new ServerError('CONFIG_INVALID', message);
}
