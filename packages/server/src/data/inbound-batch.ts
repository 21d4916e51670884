import { isBatch, unpackBatch } from '@switchboard/sdk/protocol';

/** What {@link readInbound} found in one DataChannel message from a peer. */
export interface InboundHandler {
  /** One envelope's bytes; `size` is what counts against the size limit (its own, or its batch's). */
  envelope(bytes: Uint8Array, size: number): void;
  /** A batch that cannot be read: none of its envelopes can be told apart. */
  malformed(reason: string): void;
}

/**
 * Reads one DataChannel message from a peer: one envelope, or a batch of them (protocol version
 * 4), handed on one by one, in order, so that each is treated exactly as if it had come alone. A
 * batch above `maxMessageSize` has every element count as that large, so each is refused under
 * its own number (the SDK never sends one), rather than the whole losing its numbers.
 */
export function readInbound(bytes: Uint8Array, maxMessageSize: number, handler: InboundHandler): void {
  if (!isBatch(bytes)) {
    handler.envelope(bytes, bytes.byteLength);
    return;
  }
  let elements: Uint8Array[];
  try {
    elements = unpackBatch(bytes);
  } catch (error) {
    handler.malformed((error as Error).message);
    return;
  }
  const tooLarge = bytes.byteLength > maxMessageSize;
  for (const element of elements) handler.envelope(element, tooLarge ? bytes.byteLength : element.byteLength);
}
