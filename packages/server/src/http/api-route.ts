import type { TemplatedApp } from 'uWebSockets.js';
import { SwitchboardError, type ErrorCode, type WireError } from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import type { Counter, Metrics } from '../metrics/metrics.js';
import type { CorsPolicy } from './cors.js';
import { Exchange } from './exchange.js';

/** What all routes of the HTTP API share. */
export interface RouteContext {
  /** Counts answered requests by route and status. */
  requests: Counter;
  logger: Logger;
  /** Which browser origins may call these routes; no CORS headers without it. */
  cors?: CorsPolicy;
}

/** Handles one request; may answer synchronously or later. Thrown errors become error answers. */
export type RouteHandler = (exchange: Exchange) => void | Promise<void>;

/** The body of every error answer of the HTTP API. */
interface ErrorBody {
  error: WireError;
}

/** A refusal whose HTTP status is not the one its code usually maps to. */
export class HttpError extends SwitchboardError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'HttpError';
  }
}

// Error codes a handler or a room may raise on purpose, and how HTTP says them; any other
// failure is a fault of ours and answers 500. PERMISSION_DENIED from a room (a target that may
// not receive data) is 403; a bad API secret is a 401 HttpError.
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  MALFORMED: 400,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  UNKNOWN_TARGET: 404,
  MESSAGE_TOO_LARGE: 413,
  UNAVAILABLE: 503,
};

/** The request counter `switchboard_http_requests_total{route, status}`. */
export function requestCounter(metrics: Metrics): Counter {
  return metrics.counter('switchboard_http_requests_total', 'HTTP API requests answered, by route pattern and status.');
}

function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Registers `handler` for `method` requests on `pattern` (uWS syntax, `:name` parameters).
 * With `maxBodyBytes` the body is read as the request arrives, up to that size.
 */
export function addRoute(
  app: TemplatedApp,
  method: 'get' | 'post' | 'put' | 'patch' | 'any',
  pattern: string,
  context: RouteContext,
  options: { maxBodyBytes?: number },
  handler: RouteHandler,
): void {
  const paramCount = pattern.split('/').filter((segment) => segment.startsWith(':')).length;
  app[method](pattern, (res, req) => {
    const exchange = new Exchange(res, req, {
      route: pattern,
      paramCount,
      requests: context.requests,
      ...(context.cors ? { cors: context.cors } : {}),
      ...options,
    });
    const fail = (error: unknown) => answerError(exchange, error, context.logger);
    try {
      handler(exchange)?.catch(fail);
    } catch (error) {
      fail(error);
    }
  });
}

/**
 * Answers 405 on `pattern` for every method not registered there (uWS prefers method-specific
 * handlers over `any`), naming the allowed ones in `Allow`. `OPTIONS` is answered 204 with the
 * same `Allow`, plus the CORS preflight headers when the context's policy allows the origin.
 */
export function refuseOtherMethods(app: TemplatedApp, pattern: string, allowed: readonly string[], context: RouteContext): void {
  const refuse: RouteHandler = (exchange) => {
    if (exchange.method === 'options') {
      const cors = context.cors?.preflightHeaders(exchange.header('origin'), allowed) ?? {};
      exchange.replyEmpty({ Allow: allowed.join(', '), ...cors });
      return;
    }
    const message = `${exchange.method.toUpperCase()} is not allowed here; use ${allowed.join(' or ')}`;
    exchange.reply(405, errorBody('UNSUPPORTED', message), { Allow: allowed.join(', ') });
  };
  addRoute(app, 'any', pattern, context, {}, refuse);
  // uWS (v20.51) tries every method-specific route, however general, before any `any` route: a
  // GET would reach the static files' `GET /*` instead of this refusal without its own GET route.
  if (!allowed.includes('GET')) addRoute(app, 'get', pattern, context, {}, refuse);
}

/**
 * Path parameter `index` of the request, percent-decoded (room names may contain `/`, sent as
 * `%2F`); `what` names it in the error. Throws `MALFORMED`.
 */
export function decodeParam(exchange: Exchange, index: number, what: string): string {
  try {
    return decodeURIComponent(exchange.params[index] ?? '');
  } catch {
    throw new SwitchboardError('MALFORMED', `${what} in the path is not valid percent-encoding`);
  }
}

function answerError(exchange: Exchange, error: unknown, logger: Logger): void {
  if (exchange.aborted) return;
  const status =
    error instanceof HttpError ? error.status : error instanceof SwitchboardError ? STATUS_BY_CODE[error.code] : undefined;
  if (error instanceof SwitchboardError && status !== undefined) {
    exchange.reply(status, errorBody(error.code, error.message));
    return;
  }
  logger.error('HTTP API request failed', { route: exchange.route, error });
  exchange.reply(500, errorBody('INTERNAL', 'internal server error'));
}
