/** Application payload size of every benchmark message, in bytes. */
export const PAYLOAD_BYTES = 200;

/**
 * A 200-byte binary payload whose first 8 bytes are `performance.now()` at the call, so a
 * receiver in the same process can compute one-way latency on one clock. Through the SDK it
 * travels as MessagePack binary inside the envelope; peer-to-peer it is sent as is.
 */
export function stampedPayload(): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(PAYLOAD_BYTES);
  new DataView(bytes.buffer).setFloat64(0, performance.now());
  return bytes;
}

/** When `payload` was stamped by {@link stampedPayload} (`performance.now()` then). */
export function stampOf(payload: Uint8Array): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getFloat64(0);
}
