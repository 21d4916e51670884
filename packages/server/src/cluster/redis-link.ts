import { Redis, ReplyError, type RedisOptions } from 'ioredis';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import { asBuffer } from '../buffers.js';

/** The error every bus operation fails with while Redis cannot be reached. */
export function unavailable(cause?: unknown): SwitchboardError {
  return new SwitchboardError('UNAVAILABLE', 'the cluster is unavailable (Redis cannot be reached); retry later', { cause });
}

/** Where the cluster's Redis is: one URL, or a primary that Redis Sentinel names and follows. */
export type RedisEndpoint = { url: string } | { sentinels: readonly { host: string; port: number }[]; masterName: string };

/** The endpoint of a cluster-mode configuration, or undefined for a single node. */
export function redisEndpointOf(config: {
  redisUrl: string | undefined;
  redisSentinels: readonly { host: string; port: number }[] | undefined;
  redisMasterName: string;
}): RedisEndpoint | undefined {
  if (config.redisSentinels !== undefined) return { sentinels: config.redisSentinels, masterName: config.redisMasterName };
  return config.redisUrl === undefined ? undefined : { url: config.redisUrl };
}

/**
 * A connection to Redis as the bus uses it: commands fail at once while disconnected (no
 * offline queue, so nothing piles up or runs late), reconnection goes on forever with a capped
 * delay. Through Sentinel, every (re)connection asks the sentinels for the current primary, so
 * the node follows a failover. Commands get no timeout here: {@link RedisLink} times them.
 */
export function connectRedis(endpoint: RedisEndpoint, name: string): Redis {
  const options: RedisOptions = {
    connectionName: name,
    // RESP2: replies (XREAD's above all) keep the array shapes the bus parses, whatever the server speaks.
    protocol: 2,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    lazyConnect: false,
  };
  const client =
    'url' in endpoint
      ? new Redis(endpoint.url, options)
      : new Redis({
          ...options,
          sentinels: endpoint.sentinels.map((s) => ({ host: s.host, port: s.port })),
          name: endpoint.masterName,
          role: 'master',
          sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 1000),
          // A primary demoted to replica (a failover it missed) answers READONLY: reconnect to the new one.
          reconnectOnError: (error) => error.message.startsWith('READONLY'),
        });
  // ioredis reports connection errors as events too; the bus reports state through health().
  client.on('error', () => undefined);
  return client;
}

/** Whether `error` is Redis refusing a command as such (a bug in a script or a command), not the link failing. */
function isReplyError(error: unknown): boolean {
  if (!(error instanceof ReplyError)) return false;
  const text = String((error as Error).message);
  return !text.startsWith('LOADING') && !text.startsWith('READONLY') && !text.startsWith('MASTERDOWN');
}

/** A command that got no answer within the link's timeout. */
export class RedisTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
  }
}

/**
 * One Redis connection with a time limit on every command: an answer that does not come within
 * `timeoutMs` fails the command with `UNAVAILABLE` and tells `stalled` (a frozen Redis keeps its
 * connections open, so only time shows it). A connection failure becomes `UNAVAILABLE` too; a
 * Redis reply error (a bug in a script or a command) stays what it is.
 */
export class RedisLink {
  constructor(
    readonly client: Redis,
    readonly timeoutMs: number,
    private readonly stalled: () => void = () => undefined,
  ) {}

  /** Runs `operation` on the client within the time limit. */
  async run<T>(operation: (client: Redis) => Promise<T>): Promise<T> {
    let settled = false;
    const running = operation(this.client).finally(() => (settled = true));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A blocked event loop runs due timers before reading the socket: give an answer that
        // already arrived one turn to be read, so it is not taken for a timeout.
        setImmediate(() => {
          if (settled) return;
          this.stalled();
          reject(new RedisTimeout(this.timeoutMs));
        });
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([running, timedOut]);
    } catch (error) {
      if (isReplyError(error)) throw error;
      throw unavailable(error);
    } finally {
      clearTimeout(timer);
      running.catch(() => undefined);
    }
  }
}

/**
 * A Lua script, sent whole with every call (EVAL; Redis keeps it compiled by its SHA1). Not
 * EVALSHA with a fallback: when the script is missing (first use, a restarted Redis), calls
 * already in flight would fail with NOSCRIPT and be sent again after later ones that found it
 * loaded by another node meanwhile, so one sender's messages could be numbered out of order.
 */
export class Script {
  constructor(private readonly source: string) {}

  /** Runs the script with `args` (no declared keys), results with bulk strings as Buffers. */
  async runBuffer(link: RedisLink, args: readonly (string | number | Buffer | Uint8Array)[]): Promise<unknown> {
    // ioredis sends a Uint8Array that is not a Buffer as its text.
    const argv = args.map((a) => (a instanceof Uint8Array ? asBuffer(a) : a));
    return link.run((client) => client.callBuffer('EVAL', this.source, 0, ...argv));
  }

  /** Runs the script with `args`, results with bulk strings as strings. */
  async run(link: RedisLink, args: readonly (string | number)[]): Promise<unknown> {
    return link.run((client) => client.call('EVAL', this.source, 0, ...args));
  }
}
