import { availableParallelism } from 'node:os';
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
  /** Start even if uWebSockets.js fell back to its slow JavaScript implementation. */
  allowUwsFallback: boolean;
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
    key: 'allowUwsFallback',
    flag: '--allow-uws-fallback',
    env: 'SWITCHBOARD_ALLOW_UWS_FALLBACK',
    help: 'start on the slow JavaScript uWebSockets.js fallback (true | false)',
    parse: (raw) => parseBoolean(raw, '--allow-uws-fallback'),
    fallback: () => false,
    boolean: true,
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
  return withSecrets(checkPairs(config as ServerConfig));
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
  const rows = OPTIONS.map((o) => `  ${o.flag.padEnd(22)} ${o.env.padEnd(32)} ${o.help}`);
  const file = `  ${`${CONFIG_FLAG} FILE`.padEnd(22)} ${CONFIG_ENV.padEnd(32)} settings from a .json or .yaml file: flags without "--" as keys (flags and environment win)`;
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
