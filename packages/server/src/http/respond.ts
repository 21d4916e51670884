import type { HttpResponse } from 'uWebSockets.js';

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  413: '413 Payload Too Large',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** Writes a whole response in one corked batch (one syscall); uWS requires cork off its callbacks. */
export function sendBody(
  res: HttpResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  res.cork(() => {
    res.writeStatus(STATUS_TEXT[status] ?? String(status));
    res.writeHeader('Content-Type', contentType);
    for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
    res.end(body);
  });
}

/** Sends `body` as JSON. */
export function sendJson(res: HttpResponse, status: number, body: unknown): void {
  sendBody(res, status, 'application/json; charset=utf-8', JSON.stringify(body), { 'Cache-Control': 'no-store' });
}

/**
 * Runs an async handler for a uWS response. uWS forbids touching a response after the client
 * went away, so the handler gets `isAborted()` to check before it answers; a thrown error
 * becomes a 500 instead of an unhandled rejection.
 */
export function handleAsync(
  res: HttpResponse,
  handler: (isAborted: () => boolean) => Promise<void>,
  onError: (error: unknown) => void,
): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  handler(() => aborted).catch((error: unknown) => {
    onError(error);
    if (!aborted) sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal server error' } });
  });
}
