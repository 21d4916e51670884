import { ProtocolError } from './error-codes.js';
import { MAX_PAYLOAD_DEPTH } from './value-bounds.js';

// The cursor over the value being read. Decoding never calls out to other code, so one cursor
// serves every call.
let src: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
let floats: DataView | undefined;

const utf8 = new TextDecoder();

/**
 * Reads the MessagePack values that fill `bytes` from `from` to `to` and hands each to `visit`
 * (one value: {@link decodeOne}). Maps become plain objects (string keys; number, boolean and
 * nil keys as their text), `bin` a view of `bytes`, the timestamp extension a `Date`, 64-bit
 * integers a number when it is exact and a bigint otherwise. Throws {@link ProtocolError}
 * `MALFORMED` for anything else: truncated bytes, the reserved type 0xc1, an unknown extension,
 * a map key that is itself a map or array, nesting deeper than {@link MAX_PAYLOAD_DEPTH}.
 */
export function decodeValues(bytes: Uint8Array, from: number, to: number, visit: (value: unknown) => void): void {
  const values: unknown[] = [];
  begin(bytes, from, to);
  while (pos < end) values.push(read(0));
  for (const value of values) visit(value);
}

/** The one MessagePack value that fills `bytes` from `from` to `to` (see {@link decodeValues}). */
export function decodeOne(bytes: Uint8Array, from: number, to: number): unknown {
  if (from >= to) malformed('empty MessagePack frame');
  begin(bytes, from, to);
  const value = read(0);
  if (pos !== end) malformed('expected one MessagePack value, found more');
  return value;
}

function begin(bytes: Uint8Array, from: number, to: number): void {
  if (bytes !== src) floats = undefined;
  src = bytes;
  pos = from;
  end = Math.min(to, bytes.length);
}

function malformed(message: string): never {
  throw new ProtocolError('MALFORMED', `malformed MessagePack: ${message}`);
}

/** Moves past `count` bytes and returns where they start. */
function take(count: number): number {
  const at = pos;
  if (count > end - at) malformed('the bytes end inside a value');
  pos = at + count;
  return at;
}

function uint(width: number): number {
  const at = take(width);
  let value = 0;
  for (let i = 0; i < width; i++) value = value * 256 + src[at + i]!;
  return value;
}

function dataView(): DataView {
  return (floats ??= new DataView(src.buffer, src.byteOffset, src.byteLength));
}

function read(depth: number): unknown {
  const type = src[take(1)]!;
  if (type < 0x80) return type;
  if (type < 0x90) return readMap(type & 0x0f, depth);
  if (type < 0xa0) return readArray(type & 0x0f, depth);
  if (type < 0xc0) return readString(type & 0x1f);
  if (type >= 0xe0) return type - 0x100;
  switch (type) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
    case 0xc5:
    case 0xc6: {
      const length = uint(1 << (type - 0xc4));
      const at = take(length);
      return src.subarray(at, at + length);
    }
    case 0xc7:
    case 0xc8:
    case 0xc9:
      return readExtension(uint(1 << (type - 0xc7)));
    case 0xca:
      return dataView().getFloat32(take(4));
    case 0xcb:
      return dataView().getFloat64(take(8));
    case 0xcc:
    case 0xcd:
    case 0xce:
      return uint(1 << (type - 0xcc));
    case 0xcf:
      return exact(dataView().getBigUint64(take(8)));
    case 0xd0:
      return dataView().getInt8(take(1));
    case 0xd1:
      return dataView().getInt16(take(2));
    case 0xd2:
      return dataView().getInt32(take(4));
    case 0xd3:
      return exact(dataView().getBigInt64(take(8)));
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return readExtension(1 << (type - 0xd4));
    case 0xd9:
    case 0xda:
    case 0xdb:
      return readString(uint(1 << (type - 0xd9)));
    case 0xdc:
    case 0xdd:
      return readArray(uint(type === 0xdc ? 2 : 4), depth);
    case 0xde:
    case 0xdf:
      return readMap(uint(type === 0xde ? 2 : 4), depth);
    default:
      return malformed('the reserved type 0xc1');
  }
}

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function exact(value: bigint): number | bigint {
  return value <= MAX_EXACT && value >= -MAX_EXACT ? Number(value) : value;
}

function readString(length: number): string {
  const at = take(length);
  return length <= SHORT_STRING ? shortString(at, length) : utf8.decode(src.subarray(at, pos));
}

// Strings this short (keys, names, IDs) are built in place when ASCII: cheaper than a
// TextDecoder call.
const SHORT_STRING = 16;

function shortString(at: number, length: number): string {
  const end = at + length;
  let text = '';
  for (let i = at; i < end; i++) {
    const c = src[i]!;
    if (c >= 0x80) return utf8.decode(src.subarray(at, end));
    text += String.fromCharCode(c);
  }
  return text;
}

// Map keys repeat from frame to frame: the last string read for each of these slots (by a hash
// of its bytes) is handed out again when the bytes match, instead of building the string anew.
const KEY_SLOTS = 4096;
const keyBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KEY_SLOTS);
const keyTexts: string[] = new Array<string>(KEY_SLOTS);

function readKeyString(length: number): string {
  const at = take(length);
  if (length > SHORT_STRING) return utf8.decode(src.subarray(at, pos));
  let hash = length;
  for (let i = at; i < pos; i++) hash = (hash * 31 + src[i]!) | 0;
  const slot = hash & (KEY_SLOTS - 1);
  const cached = keyBytes[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached[i] === src[at + i]) i++;
    if (i === length) return keyTexts[slot]!;
  }
  const text = shortString(at, length);
  keyBytes[slot] = src.slice(at, pos);
  keyTexts[slot] = text;
  return text;
}

function enter(depth: number, count: number, perItem: number): void {
  if (depth === MAX_PAYLOAD_DEPTH) malformed(`nested deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  // Every value takes a byte at least: a count beyond what is left is refused before any work.
  if (count * perItem > end - pos) malformed('the bytes end inside a value');
}

function readArray(length: number, depth: number): unknown[] {
  enter(depth, length, 1);
  const items = new Array<unknown>(length);
  for (let i = 0; i < length; i++) items[i] = read(depth + 1);
  return items;
}

function readMap(size: number, depth: number): Record<string, unknown> {
  enter(depth, size, 2);
  const record: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = readKey(depth);
    const value = read(depth + 1);
    // An own field, never the prototype: a payload must not be able to change what objects inherit.
    if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
    else record[key] = value;
  }
  return record;
}

function readKey(depth: number): string {
  const type = src[pos]!;
  if (type >= 0xa0 && type < 0xc0 && pos < end) {
    pos++;
    return readKeyString(type & 0x1f);
  }
  const key = read(depth + 1);
  if (typeof key === 'object' && key !== null) malformed('a map key that is a map, an array or bytes');
  return String(key);
}

/** An extension of `length` data bytes after its type byte: only timestamps (type -1) are known. */
function readExtension(length: number): Date {
  const type = src[take(1)]!;
  const at = take(length);
  if (type !== 0xff) malformed(`unknown extension type ${type << 24 >> 24}`);
  const bytes = dataView();
  if (length === 4) return new Date(bytes.getUint32(at) * 1000);
  if (length === 8) {
    const high = bytes.getUint32(at);
    const seconds = (high & 0x3) * 2 ** 32 + bytes.getUint32(at + 4);
    return new Date(seconds * 1000 + Math.floor(high / 4 / 1e6));
  }
  if (length === 12) return new Date(Number(bytes.getBigInt64(at + 4)) * 1000 + Math.floor(bytes.getUint32(at) / 1e6));
  return malformed(`a timestamp of ${length} bytes`);
}
