import { Redis, ReplyError } from 'ioredis';
import { SwitchboardError } from '@switchboard/sdk/protocol';

/** The error every bus operation fails with while Redis cannot be reached. */
export function unavailable(cause?: unknown): SwitchboardError {
  return new SwitchboardError('UNAVAILABLE', 'the cluster is unavailable (Redis cannot be reached); retry later', { cause });
}

/**
 * A connection to Redis as the bus uses it: commands fail at once while disconnected (no
 * offline queue, so nothing piles up or runs late), reconnection goes on forever with a capped
 * delay, and a connection error becomes a typed `UNAVAILABLE`. A Redis reply error (a bug in a
 * script or a command) stays what it is.
 */
export function connectRedis(url: string, name: string, options: { blocking?: boolean } = {}): Redis {
  const client = new Redis(url, {
    connectionName: name,
    // RESP2: replies (XREAD's above all) keep the array shapes the bus parses, whatever the server speaks.
    protocol: 2,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    // A reply never given (a frozen Redis) must fail too, except on a client made for blocking reads.
    ...(options.blocking ? {} : { commandTimeout: 5000 }),
    lazyConnect: false,
  });
  // ioredis reports connection errors as events too; the bus reports state through health().
  client.on('error', () => undefined);
  return client;
}

/** Runs `operation`, turning connection failures into `UNAVAILABLE`. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ReplyError && !String((error as Error).message).startsWith('LOADING')) throw error;
    throw unavailable(error);
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
  async runBuffer(client: Redis, args: readonly (string | number | Buffer | Uint8Array)[]): Promise<unknown> {
    const argv = args.map((a) => (a instanceof Uint8Array && !Buffer.isBuffer(a) ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : a) as string | number | Buffer);
    return guarded(() => client.callBuffer('EVAL', this.source, 0, ...argv));
  }

  /** Runs the script with `args`, results with bulk strings as strings. */
  async run(client: Redis, args: readonly (string | number)[]): Promise<unknown> {
    return guarded(() => client.call('EVAL', this.source, 0, ...args));
  }
}
