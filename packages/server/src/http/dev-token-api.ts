import { randomUUID } from 'node:crypto';
import type { TemplatedApp } from 'uWebSockets.js';
import { SwitchboardError, type GrantName, type PeerMetadata } from '@switchboard/sdk/protocol';
import { AccessToken, DEFAULT_TOKEN_TTL_SECONDS } from '../auth/access-token.js';
import { verifyToken } from '../auth/token.js';
import type { Logger } from '../log.js';
import type { CorsPolicy } from './cors.js';
import type { Counter, Metrics } from '../metrics/metrics.js';
import { addRoute, refuseOtherMethods, requestCounter, type RouteContext } from './api-route.js';
import type { Exchange } from './exchange.js';
import { bodyFormat, decodeBody } from './request-body.js';

/** What {@link registerDevTokenApi} needs. */
export interface DevTokenApiDeps {
  /** The key access tokens are signed with. */
  tokenSecret: string;
  logger: Logger;
  /** Where to count requests; not counted without it. */
  metrics?: Metrics;
  /** The server's `--max-token-ttl`: no longer lifetime may be asked for. */
  maxTokenTtlSeconds: number;
  /** Browser origins allowed to ask for tokens; no CORS headers without it. */
  cors?: CorsPolicy;
}

const PATH = '/dev/token';
const FIELDS = ['room', 'identity', 'name', 'grants', 'ttl', 'metadata'] as const;
const MAX_TTL_SECONDS = 7 * 24 * 3600;
const BODY_LIMIT = 16 * 1024;
const NOT_COUNTED: Counter = { inc: () => undefined };

/**
 * Registers `GET|POST /dev/token`, which signs an access token for anyone who asks. Only for
 * development (the server registers it in dev mode only): it lets the demo and local tests
 * join rooms without a backend that mints tokens.
 */
export function registerDevTokenApi(app: TemplatedApp, deps: DevTokenApiDeps): void {
  const context: RouteContext = {
    requests: deps.metrics ? requestCounter(deps.metrics) : NOT_COUNTED,
    logger: deps.logger,
    ...(deps.cors ? { cors: deps.cors } : {}),
  };
  const handler = async (exchange: Exchange) => {
    const fields = exchange.method === 'post' ? await bodyFields(exchange) : queryFields(exchange.query);
    const token = await tokenFor(fields, deps.tokenSecret, Math.min(MAX_TTL_SECONDS, deps.maxTokenTtlSeconds)).toJwt();
    // Read back with the code that checks tokens at join, to report the real grants and expiry.
    const verified = await verifyToken(token, deps.tokenSecret, { maxTtlSeconds: deps.maxTokenTtlSeconds });
    exchange.reply(200, {
      token,
      room: verified.room,
      identity: verified.identity,
      grants: verified.grants,
      expiresAt: verified.expiresAt,
    });
  };
  addRoute(app, 'get', PATH, context, {}, handler);
  addRoute(app, 'post', PATH, context, { maxBodyBytes: BODY_LIMIT }, handler);
  refuseOtherMethods(app, PATH, ['GET', 'POST'], context);
}

function queryFields(query: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === 'metadata') malformed('metadata can only be sent in a POST JSON body');
    fields[key] = value;
  }
  return fields;
}

async function bodyFields(exchange: Exchange): Promise<Record<string, unknown>> {
  if (bodyFormat(exchange.header('content-type')) !== 'json') {
    malformed('POST /dev/token takes a JSON body (Content-Type: application/json)');
  }
  const body = decodeBody(await exchange.body(), 'json');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) malformed('the body must be a JSON object');
  return body as Record<string, unknown>;
}

// The fields are those of AccessToken, which checks them and throws MALFORMED; only what a
// query string cannot say directly (a list, a number) is converted here.
function tokenFor(fields: Record<string, unknown>, secret: string, maxTtlSeconds: number): AccessToken {
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(key)) malformed(`unknown field "${key}"; expected ${FIELDS.join(', ')}`);
  }
  const { room, identity, name, grants, ttl, metadata } = fields;
  if (typeof room !== 'string' || room.length === 0) malformed('"room" is required');
  return new AccessToken(secret, {
    room,
    identity: identity === undefined ? `dev-${randomUUID().slice(0, 8)}` : (identity as string),
    ...(name === undefined ? {} : { name: name as string }),
    ...(metadata === undefined ? {} : { metadata: metadata as PeerMetadata }),
    ...(grants === undefined ? {} : { grants: grantList(grants) }),
    ttlSeconds: ttl === undefined ? Math.min(DEFAULT_TOKEN_TTL_SECONDS, maxTtlSeconds) : parseTtl(ttl, maxTtlSeconds),
  });
}

// A comma-separated string in a query; a JSON body sends the list itself. "grants=" (empty)
// asks for a token that may do nothing.
function grantList(value: unknown): GrantName[] {
  const names = typeof value === 'string' ? value.split(',').map((n) => n.trim()).filter((n) => n !== '') : value;
  if (!Array.isArray(names)) malformed('"grants" must be a list of grant names (a comma-separated string in a query)');
  return names as GrantName[];
}

function parseTtl(value: unknown, maxTtlSeconds: number): number {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > maxTtlSeconds) {
    malformed(`"ttl" must be a whole number of seconds from 1 to ${maxTtlSeconds}`);
  }
  return seconds;
}

function malformed(message: string): never {
  throw new SwitchboardError('MALFORMED', message);
}
