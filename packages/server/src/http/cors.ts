import { ServerError } from '../errors.js';

/** Request headers a browser may send to the HTTP API (the API secret and the body's type). */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Api-Secret';
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';

/**
 * Which web origins may call the HTTP API and `/dev/token` from a browser (CORS). Without any
 * configured origin no CORS header is sent, so browsers keep their same-origin rule.
 */
export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;

  /** `origins` are exact origins (`https://app.example.com`) or `*` for any origin. */
  constructor(origins: readonly string[]) {
    this.anyOrigin = origins.includes('*');
    this.origins = new Set(origins);
  }

  /** True if some origin is allowed at all. */
  get enabled(): boolean {
    return this.origins.size > 0;
  }

  /** Headers for an answer to a request that came with `origin` ('' when it sent none). */
  headersFor(origin: string): Record<string, string> {
    if (!this.enabled) return {};
    if (this.anyOrigin) return { 'Access-Control-Allow-Origin': '*' };
    // Vary even when refused: a cache must not serve one origin's answer to another.
    if (!this.origins.has(origin)) return { Vary: 'Origin' };
    return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
  }

  /** Headers for a preflight (`OPTIONS`) on a path that takes `methods`. */
  preflightHeaders(origin: string, methods: readonly string[]): Record<string, string> {
    const headers = this.headersFor(origin);
    if (!('Access-Control-Allow-Origin' in headers)) return headers;
    return {
      ...headers,
      'Access-Control-Allow-Methods': methods.join(', '),
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
    };
  }
}

/**
 * Parses a comma-separated origin list (`--cors-origins`): `*`, or origins such as
 * `https://app.example.com` or `http://localhost:5173` (scheme, host, port; no path).
 */
export function parseCorsOrigins(raw: string): string[] {
  const origins = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of origins) {
    if (origin !== '*' && !isOrigin(origin)) {
      throw new ServerError(
        'CONFIG_INVALID',
        `--cors-origins: "${origin}" is not an origin; write it as scheme://host[:port] (e.g. https://app.example.com) or *`,
      );
    }
  }
  return origins;
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}
