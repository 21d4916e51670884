import { ProtocolError } from './error-codes.js';

/** Deepest nesting of arrays and maps a payload may have (a decoder recurses once per level). */
export const MAX_PAYLOAD_DEPTH = 256;

/**
 * Checks that `bytes` hold exactly one well-formed MessagePack value, without decoding it: a walk
 * over the type headers that builds nothing. The server splices a sender's payload bytes into
 * each delivery as they are (see `encodeDelivered`), so it checks them here once to answer a
 * sender with a clear error rather than hand receivers an envelope they cannot read. Throws
 * {@link ProtocolError} `MALFORMED`.
 */
export function checkOneValue(bytes: Uint8Array): void {
  const end = bytes.length;
  // Values still to read at each open level of nesting; the innermost is `left`.
  const outer: number[] = [];
  let left = 1;
  let pos = 0;
  for (;;) {
    if (left === 0) {
      if (outer.length === 0) break;
      left = outer.pop()!;
      continue;
    }
    left--;
    if (pos >= end) malformed('payload ends inside a value');
    const type = bytes[pos]!;
    const { size, children } = header(bytes, pos, type);
    pos += size;
    if (pos > end) malformed('payload ends inside a value');
    if (children > 0) {
      // Every value takes at least one byte: a count beyond what is left cannot be satisfied.
      if (children > end - pos) malformed('payload ends inside a value');
      if (outer.length === MAX_PAYLOAD_DEPTH) malformed(`payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
      outer.push(left);
      left = children;
    }
  }
  if (pos !== end) malformed('payload holds more than one MessagePack value');
}

/** The byte size of a value's header plus any inline content, and how many values it contains. */
function header(bytes: Uint8Array, pos: number, type: number): { size: number; children: number } {
  if (type <= 0x7f || type >= 0xe0) return scalar(1);
  if (type <= 0x8f) return { size: 1, children: (type & 0x0f) * 2 };
  if (type <= 0x9f) return { size: 1, children: type & 0x0f };
  if (type <= 0xbf) return scalar(1 + (type & 0x1f));
  switch (type) {
    case 0xc0:
    case 0xc2:
    case 0xc3:
      return scalar(1);
    case 0xc4: // bin 8, bin 16, bin 32
    case 0xd9: // str 8, 16, 32
      return scalar(2 + length(bytes, pos, 1));
    case 0xc5:
    case 0xda:
      return scalar(3 + length(bytes, pos, 2));
    case 0xc6:
    case 0xdb:
      return scalar(5 + length(bytes, pos, 4));
    case 0xc7: // ext 8, 16, 32: length, type byte, data
      return scalar(3 + length(bytes, pos, 1));
    case 0xc8:
      return scalar(4 + length(bytes, pos, 2));
    case 0xc9:
      return scalar(6 + length(bytes, pos, 4));
    case 0xcc:
    case 0xd0:
      return scalar(2);
    case 0xcd:
    case 0xd1:
      return scalar(3);
    case 0xca:
    case 0xce:
    case 0xd2:
      return scalar(5);
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return scalar(9);
    case 0xd4: // fixext 1, 2, 4, 8, 16: type byte, data
      return scalar(3);
    case 0xd5:
      return scalar(4);
    case 0xd6:
      return scalar(6);
    case 0xd7:
      return scalar(10);
    case 0xd8:
      return scalar(18);
    case 0xdc:
      return { size: 3, children: length(bytes, pos, 2) };
    case 0xdd:
      return { size: 5, children: length(bytes, pos, 4) };
    case 0xde:
      return { size: 3, children: length(bytes, pos, 2) * 2 };
    case 0xdf:
      return { size: 5, children: length(bytes, pos, 4) * 2 };
    default:
      return malformed('payload uses the reserved MessagePack type 0xc1');
  }
}

// Shared: sizes are read far more often than containers, and this spares an object per value.
const SCALAR = { size: 0, children: 0 };

function scalar(size: number): { size: number; children: number } {
  SCALAR.size = size;
  return SCALAR;
}

/** The big-endian length of `width` bytes after the type byte at `pos`. */
function length(bytes: Uint8Array, pos: number, width: number): number {
  if (pos + width >= bytes.length) malformed('payload ends inside a value');
  let value = 0;
  for (let i = 1; i <= width; i++) value = value * 256 + bytes[pos + i]!;
  return value;
}

function malformed(message: string): never {
  throw new ProtocolError('MALFORMED', message);
}
