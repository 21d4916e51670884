import { readFileSync } from 'node:fs';
import { parseInteger, type AnyOptionSpec } from './option-spec.js';

/** Abuse limits (docs/security.md). */
export const LIMIT_OPTIONS: readonly AnyOptionSpec[] = [
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
    key: 'directSignalsPerSecond',
    flag: '--direct-signals-per-second',
    env: 'SWITCHBOARD_DIRECT_SIGNALS_PER_SECOND',
    help: 'sustained direct channel signals (offer, answer, ICE candidates) per second per connection',
    parse: (raw) => parseInteger(raw, '--direct-signals-per-second', 1, 100_000),
    fallback: () => 20,
  },
  {
    key: 'directSignalBurst',
    flag: '--direct-signal-burst',
    env: 'SWITCHBOARD_DIRECT_SIGNAL_BURST',
    help: 'direct channel signals a connection may send in a burst',
    parse: (raw) => parseInteger(raw, '--direct-signal-burst', 1, 100_000),
    fallback: () => 100,
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
    key: 'maxOpenStreams',
    flag: '--max-open-streams',
    env: 'SWITCHBOARD_MAX_OPEN_STREAMS',
    help: 'streams one peer may have open at once',
    parse: (raw) => parseInteger(raw, '--max-open-streams', 1, 10_000),
    fallback: () => 8,
  },
  {
    key: 'maxStreamBytes',
    flag: '--max-stream-bytes',
    env: 'SWITCHBOARD_MAX_STREAM_BYTES',
    help: 'largest stream in bytes (0 = no limit)',
    parse: (raw) => parseInteger(raw, '--max-stream-bytes', 0, Number.MAX_SAFE_INTEGER),
    fallback: () => 1 << 30,
  },
  {
    key: 'streamBytesPerSecond',
    flag: '--stream-bytes-per-second',
    env: 'SWITCHBOARD_STREAM_BYTES_PER_SECOND',
    help: "sustained bytes per second of one peer's stream chunks",
    parse: (raw) => parseInteger(raw, '--stream-bytes-per-second', 1024, 1 << 30),
    fallback: () => 16 << 20,
  },
  {
    key: 'streamBurstBytes',
    flag: '--stream-burst-bytes',
    env: 'SWITCHBOARD_STREAM_BURST_BYTES',
    help: 'stream chunk bytes one peer may send in a burst',
    parse: (raw) => parseInteger(raw, '--stream-burst-bytes', 65536, 1 << 30),
    fallback: () => 32 << 20,
  },
  {
    key: 'rateLimitKickAfter',
    flag: '--rate-limit-kick-after',
    env: 'SWITCHBOARD_RATE_LIMIT_KICK_AFTER',
    help: 'refusals within 10 s after which a peer is kicked (0 = never)',
    parse: (raw) => parseInteger(raw, '--rate-limit-kick-after', 0, 1_000_000),
    fallback: () => 50,
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
