import { availableParallelism } from 'node:os';
import { ServerError } from './errors.js';
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
}

interface OptionSpec<K extends keyof ServerConfig> {
  key: K;
  flag: string;
  env: string;
  help: string;
  parse: (raw: string) => ServerConfig[K];
  fallback: () => ServerConfig[K];
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
  },
];

/**
 * Builds the configuration: command-line flags win over environment variables, which win over
 * defaults chosen to run locally with no setup. Flags take `--name value` or `--name=value`;
 * a boolean flag given alone means true.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const fromFlags = parseFlags(argv);
  const config: Partial<Record<keyof ServerConfig, unknown>> = {};
  for (const option of OPTIONS) {
    const raw = fromFlags.get(option.flag) ?? env[option.env];
    config[option.key] = raw === undefined || raw === '' ? option.fallback() : option.parse(raw);
  }
  return config as ServerConfig;
}

/** Text for `--help`: every flag with its environment variable. */
export function configHelp(): string {
  const rows = OPTIONS.map((o) => `  ${o.flag.padEnd(22)} ${o.env.padEnd(32)} ${o.help}`);
  return ['Options (flag, environment variable, meaning):', ...rows].join('\n');
}

function parseFlags(argv: readonly string[]): Map<string, string> {
  const known = new Map(OPTIONS.map((o) => [o.flag, o] as const));
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const option = known.get(flag);
    if (!option) throw configError(`unknown option "${arg}"; see --help`);
    if (eq !== -1) {
      values.set(flag, arg.slice(eq + 1));
    } else if (option.key === 'allowUwsFallback') {
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

function configError(message: string): ServerError {
  return new ServerError('CONFIG_INVALID', message);
}
