import { parseHistoryPolicy, type HistoryPolicy } from '../history/history-policy.js';
import { configError, parseInteger, parseList, type AnyOptionSpec } from './option-spec.js';
import type { ServerConfig } from './server-config.js';

/** Room history for late joiners (docs/http-api.md, "Room history"). */
export const HISTORY_OPTIONS: readonly AnyOptionSpec[] = [
  {
    key: 'historyLimit',
    flag: '--history-limit',
    env: 'SWITCHBOARD_HISTORY_LIMIT',
    help: 'messages every room keeps for late joiners unless its token or the HTTP API chose otherwise (0: none)',
    parse: (raw) => parseInteger(raw, '--history-limit', 0, 100_000),
    fallback: () => 0,
  },
  {
    key: 'historyTypes',
    flag: '--history-types',
    env: 'SWITCHBOARD_HISTORY_TYPES',
    help: 'comma-separated message types the default history keeps (none given: any type)',
    parse: (raw) => parseList(raw),
    fallback: () => [],
  },
  {
    key: 'historyTopics',
    flag: '--history-topics',
    env: 'SWITCHBOARD_HISTORY_TOPICS',
    help: 'comma-separated topics the default history keeps (none given: any topic or none)',
    parse: (raw) => parseList(raw),
    fallback: () => [],
  },
  {
    key: 'historyBytes',
    flag: '--history-bytes',
    env: 'SWITCHBOARD_HISTORY_BYTES',
    help: 'bytes of messages the default history keeps at most (default: --history-max-bytes)',
    parse: (raw) => parseInteger(raw, '--history-bytes', 1, 256 * 1024 * 1024),
    fallback: () => undefined,
  },
  {
    key: 'historyMaxLimit',
    flag: '--history-max-limit',
    env: 'SWITCHBOARD_HISTORY_MAX_LIMIT',
    help: 'most messages any room\'s history policy may keep (tokens and the HTTP API are held to it)',
    parse: (raw) => parseInteger(raw, '--history-max-limit', 1, 100_000),
    fallback: () => 1000,
  },
  {
    key: 'historyMaxBytes',
    flag: '--history-max-bytes',
    env: 'SWITCHBOARD_HISTORY_MAX_BYTES',
    help: 'most bytes any room\'s history may hold',
    parse: (raw) => parseInteger(raw, '--history-max-bytes', 1024, 256 * 1024 * 1024),
    fallback: () => 1024 * 1024,
  },
];

/**
 * The server's default history policy from its settings: undefined when `--history-limit` is 0
 * (rooms then keep none unless a token or the HTTP API asks). Throws `CONFIG_INVALID` for a
 * default above the caps.
 */
export function defaultHistoryPolicy(config: ServerConfig): HistoryPolicy | undefined {
  if (config.historyLimit === 0) return undefined;
  const given = {
    limit: config.historyLimit,
    ...(config.historyBytes === undefined ? {} : { maxBytes: config.historyBytes }),
    ...(config.historyTypes.length === 0 ? {} : { types: config.historyTypes }),
    ...(config.historyTopics.length === 0 ? {} : { topics: config.historyTopics }),
  };
  try {
    return parseHistoryPolicy(given, { maxLimit: config.historyMaxLimit, maxBytes: config.historyMaxBytes }, '(server default)') ?? undefined;
  } catch (error) {
    throw configError((error as Error).message);
  }
}
