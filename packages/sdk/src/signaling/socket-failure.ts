import { ConnectionError, type ConnectionFailure } from '../errors.js';

/**
 * What a WebSocket's `error` event said. Node's `ws` passes the socket's error (with a `code`
 * such as `ECONNREFUSED`, or a message such as "Unexpected server response: 404"); a browser
 * passes a bare `Event` that says nothing.
 */
export interface SocketErrorDetail {
  error?: unknown;
  message?: string;
}

/** How long a probe may take at most, so that a failure is reported promptly. */
const PROBE_LIMIT_MS = 3000;

// Node's certificate verification failures (OpenSSL's names, and Node's for a wrong host name).
const CERTIFICATE_CODE = /CERT|^ERR_TLS_|^UNABLE_TO_(VERIFY|GET)_/;
const UNROUTABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * Tells why a WebSocket to `url` closed before it opened. Node's error says it for most causes.
 * Browsers report every failure alike (close code 1006, an error event without detail), so then
 * the same host and port are asked over HTTP(S) with `fetch`: an answer on the URL's own scheme
 * means an HTTP server that took no WebSocket there, an answer on the other scheme means the
 * wrong one was used, and no answer leaves it `unreachable`. `budgetMs` bounds the probes.
 */
export async function diagnoseSocketFailure(url: string, detail: SocketErrorDetail | undefined, budgetMs: number): Promise<ConnectionError> {
  const known = fromErrorDetail(url, detail);
  if (known !== undefined) return known;
  const target = new URL(url);
  const secure = target.protocol === 'wss:';
  const own = new URL(url);
  own.protocol = secure ? 'https:' : 'http:';
  const other = new URL(url);
  other.protocol = secure ? 'http:' : 'https:';
  const deadline = Date.now() + Math.min(budgetMs, PROBE_LIMIT_MS);
  const cause = detail?.error;
  const where = target.host;
  if (await answers(own, deadline)) {
    return failure('notWebSocket', url, `${own.origin} answers HTTP but accepted no WebSocket at ${target.pathname} (a wrong path, or a proxy that does not forward WebSocket upgrades)`, cause);
  }
  if (await answers(other, deadline)) {
    return secure
      ? failure('wrongScheme', url, `${where} does not speak TLS: use ws:// (or serve TLS there)`, cause)
      : failure('wrongScheme', url, `${where} speaks TLS: use wss://`, cause);
  }
  const socketSays = detail?.message ? ` (${detail.message})` : '';
  return failure('unreachable', url, `no connection to ${where}${socketSays}: nothing listening, a TLS certificate that is not trusted, or a network that blocks it (browsers do not say which)`, cause);
}

/** The failure Node's `ws` named, if its error says enough. */
function fromErrorDetail(url: string, detail: SocketErrorDetail | undefined): ConnectionError | undefined {
  const error = detail?.error;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const where = new URL(url).host;
  const secure = url.startsWith('wss:');
  if (code === 'ECONNREFUSED') return failure('refused', url, `nothing accepts connections at ${where} (connection refused)`, error);
  if (typeof code === 'string' && UNROUTABLE_CODES.has(code)) return failure('unreachable', url, `${where} cannot be reached (${code})`, error);
  // A TLS handshake answered with plain HTTP.
  if (secure && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(error.message))) {
    return failure('wrongScheme', url, `${where} does not speak TLS: use ws:// (or serve TLS there)`, error);
  }
  if (secure && typeof code === 'string' && CERTIFICATE_CODE.test(code)) {
    return failure('tls', url, `the TLS certificate of ${where} was rejected: ${error.message} (in Node, pass its CA as nodeEnvironment's tls.ca)`, error);
  }
  // A plain HTTP request answered with TLS bytes, which Node's HTTP parser cannot read.
  if (!secure && typeof code === 'string' && code.startsWith('HPE_')) return failure('wrongScheme', url, `${where} speaks TLS: use wss://`, error);
  const status = /^Unexpected server response: (\d+)/.exec(error.message)?.[1];
  if (status !== undefined) {
    return failure('notWebSocket', url, `the server answered HTTP ${status} instead of accepting a WebSocket (a wrong path, or a proxy that does not forward WebSocket upgrades)`, error);
  }
  return undefined;
}

/**
 * Whether anything answers an HTTP(S) GET of `url` before `deadline`, whatever its status. A
 * certificate Node's fetch rejects counts as an answer: a TLS server got that far.
 */
async function answers(url: URL, deadline: number): Promise<boolean> {
  const remaining = deadline - Date.now();
  if (typeof fetch !== 'function' || remaining <= 0) return false;
  try {
    // `no-cors`: a browser resolves with an opaque response from any origin that answers, and
    // rejects only when nothing did. Node's fetch has no CORS and takes the mode as it is.
    await fetch(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(remaining) });
    return true;
  } catch (error) {
    // Browsers say nothing more; Node's fetch names the socket's error as `cause`.
    const code = (error as { cause?: { code?: unknown } }).cause?.code;
    return url.protocol === 'https:' && typeof code === 'string' && CERTIFICATE_CODE.test(code);
  }
}

function failure(reason: ConnectionFailure, url: string, message: string, cause: unknown): ConnectionError {
  return new ConnectionError(reason, url, message, cause === undefined ? undefined : { cause });
}
