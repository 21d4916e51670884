import { AccessToken } from '@switchboard/server';
import type { GrantName } from '@switchboard/sdk/data';
import { LoadError } from './errors.js';
import type { TokenSourceOptions } from './options.js';

/** Mints the token of one load peer. */
export type TokenSource = (room: string, identity: string, grants: readonly GrantName[]) => Promise<string>;

const ENDPOINT_TIMEOUT_MS = 10_000;
// Tokens outlive the longest join retry sequence; the server's default --max-token-ttl is a day.
const TOKEN_TTL_SECONDS = 3600;

/**
 * A token source from the options: signed locally with the server's secret (the server package's
 * `AccessToken`, so the claims are exactly what the server checks), or fetched from an endpoint
 * answering `GET ?room=&identity=&grants=` with `{ "token": "..." }`. Throws {@link LoadError}:
 * `BAD_OPTION` for a secret the server could never accept, `UNREACHABLE` or `AUTH_FAILED` for
 * an endpoint that does not answer or refuses.
 */
export function tokenSource(options: TokenSourceOptions): TokenSource {
  if (options.kind === 'secret') {
    const { secret } = options;
    return async (room, identity, grants) => {
      try {
        return await new AccessToken(secret, { room, identity, grants, ttlSeconds: TOKEN_TTL_SECONDS }).toJwt();
      } catch (error) {
        throw new LoadError('BAD_OPTION', `cannot sign a token: ${(error as Error).message}`, { cause: error });
      }
    };
  }
  const { url } = options;
  return async (room, identity, grants) => {
    const target = new URL(url);
    target.searchParams.set('room', room);
    target.searchParams.set('identity', identity);
    target.searchParams.set('grants', grants.join(','));
    let response: Response;
    try {
      response = await fetch(target, { signal: AbortSignal.timeout(ENDPOINT_TIMEOUT_MS) });
    } catch (error) {
      throw new LoadError('UNREACHABLE', `the token endpoint ${url} did not answer: ${causeOf(error)}`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) throw new LoadError('AUTH_FAILED', `the token endpoint ${url} answered ${response.status}: ${text.slice(0, 200)}`);
    let token: unknown;
    try {
      token = (JSON.parse(text) as { token?: unknown }).token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') throw new LoadError('AUTH_FAILED', `the token endpoint ${url} did not answer JSON with a "token" string`);
    return token;
  };
}

/** The innermost reason of a failed fetch (`ECONNREFUSED`, a timeout), for messages. */
export function causeOf(error: unknown): string {
  let current = error as { cause?: unknown; code?: unknown; message?: unknown; name?: unknown } | undefined;
  while (current?.cause !== undefined) current = current.cause as typeof current;
  if (current?.name === 'TimeoutError') return 'timed out';
  return typeof current?.code === 'string' ? current.code : String(current?.message ?? error);
}
