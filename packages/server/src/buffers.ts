/**
 * `bytes` as a Buffer, sharing its memory (no copy). Node-side APIs that take bytes want a
 * Buffer: mediasoup's `DataProducer.send()` refuses anything else, and ioredis sends any other
 * Uint8Array as its text.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
