/** Longest message type, topic or RPC method name, in characters. */
export const MAX_NAME_LENGTH = 128;

/**
 * The ASCII string of `length` bytes at `start`, or undefined if a byte is not ASCII (the caller
 * decodes those as UTF-8). Returns `cached` itself when it has the same characters: consecutive
 * messages mostly repeat their sender, type and topic, and handing out the same string spares
 * building one and lets event-name lookups reuse its hash.
 */
export function readAsciiName(bytes: Uint8Array, start: number, length: number, cached: string): string | undefined {
  const end = start + length;
  let same = cached.length === length;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) return undefined;
    if (same && cached.charCodeAt(i - start) !== byte) same = false;
  }
  if (same) return cached;
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}
