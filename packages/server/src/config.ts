import { ServerError } from './errors.js';
import { readConfigFile } from './config/config-file.js';
import { CLUSTER_OPTIONS } from './config/cluster-options.js';
import { CORE_OPTIONS } from './config/core-options.js';
import { defaultHistoryPolicy, HISTORY_OPTIONS } from './config/history-options.js';
import { LIMIT_OPTIONS } from './config/limit-options.js';
import { configError, type AnyOptionSpec } from './config/option-spec.js';
import { PRODUCTION_OPTIONS } from './config/production-options.js';
import { withRtcLanIp } from './config/rtc-addresses.js';
import { DEV_SECRETS, type ServerConfig } from './config/server-config.js';
import { WEBHOOK_OPTIONS } from './config/webhook-options.js';

export { DEV_SECRETS, type ServerConfig, type WorkerPlacement } from './config/server-config.js';

// Every setting, in the order `--help` lists them; each group lives in config/.
const OPTIONS: readonly AnyOptionSpec[] = [...CORE_OPTIONS, ...LIMIT_OPTIONS, ...CLUSTER_OPTIONS, ...PRODUCTION_OPTIONS, ...WEBHOOK_OPTIONS, ...HISTORY_OPTIONS];

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
  return withRtcLanIp(withClusterTiming(withSecrets(checkPairs(config as ServerConfig))));
}

// Options that only work together: a certificate needs its key, TURN URLs and webhooks a secret.
function checkPairs(config: ServerConfig): ServerConfig {
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) {
    throw configError('--tls-cert and --tls-key go together: give both to serve TLS, or neither');
  }
  if (config.turnUrls.length > 0 && config.turnSecret === undefined) {
    throw configError('--turn-urls needs --turn-secret (the TURN server\'s static-auth-secret) to make credentials');
  }
  if (config.webhookUrls.length > 0 && config.webhookSecret === undefined) {
    throw configError('--webhook-urls needs --webhook-secret: receivers must be able to check who sent an event');
  }
  defaultHistoryPolicy(config);
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

// One late heartbeat must not make a live node look dead; one Redis is named one way.
function withClusterTiming(config: ServerConfig): ServerConfig {
  if (config.redisUrl !== undefined && config.redisSentinels !== undefined) {
    throw configError('--redis-url and --redis-sentinels name the cluster\'s Redis twice: give one of them');
  }
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
