import type { HttpResponse } from 'uWebSockets.js';
import { decode, SwitchboardError } from '@switchboard/sdk/protocol';
import { tooDeepField } from '../limits/nesting.js';

/** How a request body is encoded, from its `Content-Type`. */
export type BodyFormat = 'json' | 'msgpack' | 'form';

const FORMATS: Record<string, BodyFormat> = {
  'application/json': 'json',
  'application/msgpack': 'msgpack',
  'application/x-msgpack': 'msgpack',
  'application/x-www-form-urlencoded': 'form',
};

/**
 * Deepest nesting of arrays and objects in a body. Deeper values would overflow the stack when
 * encoded for delivery; no real message needs more.
 */
export const MAX_BODY_DEPTH = 32;

/**
 * Largest request body the API reads for a server whose data messages may be `maxMessageSize`
 * bytes: JSON or form encoding can take about twice the bytes of the MessagePack payload, plus
 * room for the other fields.
 */
export function bodyLimit(maxMessageSize: number): number {
  return maxMessageSize * 2 + 4096;
}

/** The format named by a `Content-Type` header (parameters such as `charset` ignored), if known. */
export function bodyFormat(contentType: string): BodyFormat | undefined {
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return FORMATS[mediaType];
}

/**
 * Reads a request body through uWS's `onData`, which must be attached before the route handler
 * returns: chunks that arrive with no listener are dropped. Each chunk is copied because uWS
 * neuters its buffer when the callback returns. Rejects with `MESSAGE_TOO_LARGE` as soon as
 * the declared or received length passes `maxBytes`, so an oversized body is never buffered;
 * rejects with `signal.reason` when the request is aborted.
 */
export function readBody(
  res: HttpResponse,
  options: { maxBytes: number; declaredLength: number | undefined; signal: AbortSignal },
): Promise<Uint8Array> {
  const { maxBytes, declaredLength, signal } = options;
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new SwitchboardError('MESSAGE_TOO_LARGE', `request body larger than the limit of ${maxBytes} bytes`);
    let done = false;
    const finish = (settle: () => void) => {
      done = true;
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort);
    if (declaredLength !== undefined && declaredLength > maxBytes) finish(() => reject(tooLarge()));

    const chunks: Uint8Array[] = [];
    let received = 0;
    res.onData((chunk, isLast) => {
      if (done) return;
      received += chunk.byteLength;
      if (received > maxBytes) {
        finish(() => reject(tooLarge()));
        return;
      }
      chunks.push(new Uint8Array(chunk.slice(0)));
      if (isLast) finish(() => resolve(concat(chunks, received)));
    });
  });
}

/**
 * Decodes a body: JSON (UTF-8), MessagePack, or a URL-encoded form (to an object of strings;
 * the first of repeated keys wins, as with `URLSearchParams.get`). Throws `MALFORMED`, naming
 * the field, for values nested deeper than {@link MAX_BODY_DEPTH}.
 */
export function decodeBody(bytes: Uint8Array, format: BodyFormat): unknown {
  const body = parseBody(bytes, format);
  const deep = tooDeepField(body, MAX_BODY_DEPTH);
  if (deep !== undefined) {
    const what = deep === '' ? 'the body' : `field "${deep}"`;
    throw new SwitchboardError('MALFORMED', `${what} nests deeper than ${MAX_BODY_DEPTH} levels of arrays and objects`);
  }
  return body;
}

function parseBody(bytes: Uint8Array, format: BodyFormat): unknown {
  // The decoder itself refuses nesting deeper than it can recurse (MAX_PAYLOAD_DEPTH).
  if (format === 'msgpack') return decode(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SwitchboardError('MALFORMED', 'request body is not valid UTF-8');
  }
  if (format === 'form') {
    // No prototype: a form key like "__proto__" must stay plain data.
    const fields = Object.create(null) as Record<string, string>;
    for (const [key, value] of new URLSearchParams(text)) {
      if (!Object.hasOwn(fields, key)) fields[key] = value;
    }
    return fields;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SwitchboardError('MALFORMED', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const whole = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
}
