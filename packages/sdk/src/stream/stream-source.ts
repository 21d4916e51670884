import { MessageError } from '../errors.js';

/** What a stream can be made of: bytes, text, a Blob or File, a ReadableStream or an (async) iterable of chunks. */
export type StreamSource =
  | Uint8Array
  | ArrayBuffer
  | string
  | Blob
  | ReadableStream<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

/** A source made ready to send: its chunks and what is known about it. */
export interface PreparedSource {
  /** Total bytes, when known in advance. */
  size?: number;
  /** File name (a `File`'s). */
  name?: string;
  /** MIME type (a `Blob`'s). */
  mime?: string;
  chunks: AsyncIterable<Uint8Array>;
}

// A Blob is read this much at a time, so a large file is never held in memory whole.
const BLOB_READ_BYTES = 1 << 20;

const encoder = new TextEncoder();

/** Prepares `source` for sending; throws {@link MessageError} `MALFORMED` for anything else. */
export function prepareSource(source: StreamSource): PreparedSource {
  if (typeof source === 'string') return whole(encoder.encode(source));
  if (source instanceof Uint8Array) return whole(source);
  if (source instanceof ArrayBuffer) return whole(new Uint8Array(source));
  if (typeof Blob !== 'undefined' && source instanceof Blob) return blob(source);
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return { chunks: readStream(source) };
  if (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source)) {
    return { chunks: iterate(source) };
  }
  throw new MessageError('MALFORMED', 'a stream source is bytes, a string, a Blob, a ReadableStream or an iterable of chunks');
}

function whole(bytes: Uint8Array): PreparedSource {
  return {
    size: bytes.byteLength,
    chunks: (async function* () {
      if (bytes.byteLength > 0) yield bytes;
    })(),
  };
}

function blob(source: Blob): PreparedSource {
  const prepared: PreparedSource = {
    size: source.size,
    chunks: (async function* () {
      for (let offset = 0; offset < source.size; offset += BLOB_READ_BYTES) {
        yield new Uint8Array(await source.slice(offset, offset + BLOB_READ_BYTES).arrayBuffer());
      }
    })(),
  };
  if (source.type !== '') prepared.mime = source.type;
  const name = (source as Partial<File>).name;
  if (typeof name === 'string' && name !== '') prepared.name = name;
  return prepared;
}

async function* readStream(source: ReadableStream<Uint8Array | string>): AsyncIterable<Uint8Array> {
  const reader = source.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield chunk(value);
    }
    finished = true;
  } finally {
    // Stopped early (cancelled, or a bad chunk): the source need not produce more.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

async function* iterate(source: Iterable<Uint8Array | string> | AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array> {
  for await (const value of source) yield chunk(value);
}

function chunk(value: unknown): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new MessageError('MALFORMED', 'a stream chunk must be a Uint8Array, an ArrayBuffer or a string');
}
