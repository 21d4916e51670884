import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import { SwitchboardError } from '@switchboard/sdk/protocol';
import type { Counter } from '../metrics/metrics.js';
import type { CorsPolicy } from './cors.js';
import { readBody } from './request-body.js';
import { sendBody } from './respond.js';

/** Request headers the HTTP API reads; only these are copied out of the short-lived request. */
export type ApiHeader = 'authorization' | 'x-api-secret' | 'content-type' | 'content-length' | 'transfer-encoding' | 'origin';

const API_HEADERS: readonly ApiHeader[] = [
  'authorization',
  'x-api-secret',
  'content-type',
  'content-length',
  'transfer-encoding',
  'origin',
];

/** How an {@link Exchange} is set up for one route. */
export interface ExchangeOptions {
  /** Route pattern, used as the `route` label of the request counter. */
  route: string;
  /** Number of `:name` parameters in the pattern. */
  paramCount: number;
  /** Read a body of at most this many bytes; absent for routes that take no body. */
  maxBodyBytes?: number;
  /** `switchboard_http_requests_total`, counted once per answered request. */
  requests: Counter;
  /** Adds CORS headers to every answer; none without it. */
  cors?: CorsPolicy;
}

/**
 * One HTTP request and its response. uWS's request object is only valid until the handler
 * returns and its response must not be touched once the client is gone, so an exchange copies
 * what handlers need up front, tracks the abort, starts reading the body at once (uWS drops
 * body chunks that arrive with no listener), and answers at most once.
 */
export class Exchange {
  /** Lower-case HTTP method. */
  readonly method: string;
  /** Route parameters as sent, still percent-encoded. */
  readonly params: readonly string[];
  /** Raw query string (without `?`), empty if none. */
  readonly query: string;
  private readonly headers = new Map<ApiHeader, string>();
  private readonly abort = new AbortController();
  private readonly bodyRead: Promise<Uint8Array> | undefined;
  private bodyPending: boolean;
  private answered = false;

  constructor(
    private readonly res: HttpResponse,
    req: HttpRequest,
    private readonly options: ExchangeOptions,
  ) {
    this.method = req.getMethod();
    this.params = Array.from({ length: options.paramCount }, (_, i) => req.getParameter(i) ?? '');
    // getQuery() returns undefined, not '', when the URL has no query string.
    this.query = (req.getQuery() as string | undefined) ?? '';
    for (const name of API_HEADERS) this.headers.set(name, req.getHeader(name));
    res.onAborted(() => this.abort.abort(new SwitchboardError('DISCONNECTED', 'the client went away before the answer')));

    const declaredLength = this.header('content-length') === '' ? undefined : Number(this.header('content-length'));
    this.bodyPending = (declaredLength !== undefined && declaredLength > 0) || this.header('transfer-encoding') !== '';
    if (options.maxBodyBytes !== undefined) {
      this.bodyRead = readBody(res, { maxBytes: options.maxBodyBytes, declaredLength, signal: this.abort.signal }).then(
        (bytes) => {
          this.bodyPending = false;
          return bytes;
        },
      );
      // Failures reach whoever awaits body(); this only keeps a handler that answered without
      // reading the body from leaving an unhandled rejection behind.
      this.bodyRead.catch(() => undefined);
    }
  }

  /** The route pattern this request matched. */
  get route(): string {
    return this.options.route;
  }

  /** True once the client went away; nothing may be sent after that. */
  get aborted(): boolean {
    return this.abort.signal.aborted;
  }

  /** A request header's value, or '' if absent. */
  header(name: ApiHeader): string {
    return this.headers.get(name) ?? '';
  }

  /** The whole request body; see {@link readBody} for its errors. */
  body(): Promise<Uint8Array> {
    if (!this.bodyRead) throw new SwitchboardError('INTERNAL', `route ${this.options.route} was registered without a body limit`);
    return this.bodyRead;
  }

  /**
   * Sends `body` as JSON, unless the client is gone or an answer was already sent. An answer
   * given before the body was fully read closes the connection: the rest of the body would
   * otherwise still have to be received, and for an oversized one that is what we refuse to do.
   */
  reply(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.aborted || this.answered) return;
    this.answered = true;
    this.options.requests.inc({ route: this.options.route, status: String(status) });
    const json = JSON.stringify(body);
    const allHeaders = { 'Cache-Control': 'no-store', ...this.options.cors?.headersFor(this.header('origin')), ...headers };
    if (!this.bodyPending) {
      sendBody(this.res, status, JSON_TYPE, json, allHeaders);
      return;
    }
    this.res.cork(() => {
      this.res.writeStatus(`${status} ${STATUS_CODES[status] ?? ''}`);
      this.res.writeHeader('Content-Type', JSON_TYPE);
      for (const [name, value] of Object.entries(allHeaders)) this.res.writeHeader(name, value);
      this.res.end(json, true);
    });
  }

  /** Answers `204 No Content` with `headers` (a CORS preflight), unless already answered. */
  replyEmpty(headers: Record<string, string>): void {
    if (this.aborted || this.answered) return;
    this.answered = true;
    this.options.requests.inc({ route: this.options.route, status: '204' });
    this.res.cork(() => {
      this.res.writeStatus('204 No Content');
      for (const [name, value] of Object.entries(headers)) this.res.writeHeader(name, value);
      this.res.endWithoutBody();
    });
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';
