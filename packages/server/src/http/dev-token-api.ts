import { randomUUID } from 'node:crypto';
import type { TemplatedApp } from 'uWebSockets.js';
import { DEFAULT_GRANTS, SwitchboardError, type Grants, type PeerMetadata } from '@switchboard/sdk/protocol';
import { mintToken, verifyToken } from '../auth/token.js';
import type { Logger } from '../log.js';
import type { Counter, Metrics } from '../metrics/metrics.js';
import { addRoute, refuseOtherMethods, requestCounter, type RouteContext } from './api-route.js';
import type { Exchange } from './exchange.js';
import { bodyFormat, decodeBody } from './request-body.js';

/** What {@link registerDevTokenApi} needs. */
export interface DevTokenApiDeps {
  /** The key access tokens are signed with. */
  tokenSecret: string;
  /** The server's `--max-token-ttl`: no longer lifetime may be asked for. */
  maxTokenTtlSeconds: number;
  logger: Logger;
  /** Where to count requests; not counted without it. */
  metrics?: Metrics;
}

/** A token request, checked, before signing. */
interface TokenRequest {
  room: string;
  identity: string;
  name?: string;
  metadata?: PeerMetadata;
  /** Absent: the token carries no grants claim and gets the default grants. */
  grants?: Partial<Grants>;
  ttlSeconds: number;
}

const PATH = '/dev/token';
const FIELDS = ['room', 'identity', 'name', 'grants', 'ttl', 'metadata'] as const;
const GRANT_NAMES = Object.keys(DEFAULT_GRANTS) as (keyof Grants)[];
const DEFAULT_TTL_SECONDS = 3600;
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
  };
  const handler = async (exchange: Exchange) => {
    const fields = exchange.method === 'post' ? await bodyFields(exchange) : queryFields(exchange.query);
    const request = parseTokenRequest(fields, Math.min(MAX_TTL_SECONDS, deps.maxTokenTtlSeconds));
    const token = await mintToken(
      {
        room: request.room,
        sub: request.identity,
        ...(request.name === undefined ? {} : { name: request.name }),
        ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
        ...(request.grants === undefined ? {} : { grants: request.grants }),
      },
      deps.tokenSecret,
      request.ttlSeconds,
    );
    // Verified with the same code that checks tokens at join, so this endpoint never hands out
    // a token the server would refuse (a room name too long, say), and reports its real expiry.
    const verified = await verifyToken(token, deps.tokenSecret, { maxTtlSeconds: deps.maxTokenTtlSeconds }).catch((error: SwitchboardError) => {
      throw new SwitchboardError('MALFORMED', error.message);
    });
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

function parseTokenRequest(fields: Record<string, unknown>, maxTtlSeconds: number): TokenRequest {
  for (const key of Object.keys(fields)) {
    if (!(FIELDS as readonly string[]).includes(key)) malformed(`unknown field "${key}"; expected ${FIELDS.join(', ')}`);
  }
  const { room, identity, name, grants, ttl, metadata } = fields;
  if (typeof room !== 'string' || room.length === 0) malformed('"room" is required');
  if (identity !== undefined && (typeof identity !== 'string' || identity.length === 0)) {
    malformed('"identity" must be a non-empty string');
  }
  if (name !== undefined && typeof name !== 'string') malformed('"name" must be a string');
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    malformed('"metadata" must be an object');
  }
  return {
    room,
    identity: (identity as string | undefined) ?? `dev-${randomUUID().slice(0, 8)}`,
    ...(name === undefined ? {} : { name }),
    ...(metadata === undefined ? {} : { metadata: metadata as PeerMetadata }),
    ...(grants === undefined ? {} : { grants: parseGrants(grants) }),
    ttlSeconds: ttl === undefined ? Math.min(DEFAULT_TTL_SECONDS, maxTtlSeconds) : parseTtl(ttl, maxTtlSeconds),
  };
}

// A comma-separated list ("publish,sendData") or, in JSON, a list of names; grants not named
// are false, so "grants=" asks for a token that may do nothing.
function parseGrants(value: unknown): Partial<Grants> {
  const names = typeof value === 'string' ? value.split(',').map((n) => n.trim()).filter((n) => n !== '') : value;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    malformed('"grants" must be a comma-separated string or a list of grant names');
  }
  const grants: Partial<Grants> = {};
  for (const grant of names as string[]) {
    if (!(GRANT_NAMES as string[]).includes(grant)) malformed(`unknown grant "${grant}"; grants are ${GRANT_NAMES.join(', ')}`);
    grants[grant as keyof Grants] = true;
  }
  return grants;
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
