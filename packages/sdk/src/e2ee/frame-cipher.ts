import type { EncryptionKey, KeyProvider } from './key-provider.js';
import { openPayload, sealPayload } from './payload-cipher.js';

/** An encoded media frame as the encoded-transform APIs hand it over. */
export interface EncodedFrame {
  data: ArrayBuffer;
  /** Video only: `key` for a keyframe. */
  type?: string;
}

/** The codecs whose frames the SDK encrypts: what stays in clear depends on it. */
export type FrameCodec = 'opus' | 'vp8' | 'vp9';

// Bytes of a VP8 frame's payload header the SFU reads (keyframe flag, and on keyframes the
// frame size) and the receiver's depacketizer needs: 10 on keyframes, 3 otherwise. Opus keeps
// its one TOC byte. As LiveKit does; they stay in clear and are authenticated. VP9 keeps none:
// what the SFU and the depacketizer read of it (layers, keyframes, sizes) is in its RTP payload
// descriptor, which the packetizer writes from the encoder's side information, not from the frame.
const VP8_KEYFRAME_CLEAR = 10;
const VP8_DELTA_CLEAR = 3;
const OPUS_CLEAR = 1;

/** How many leading bytes of `frame` stay in clear. */
export function clearBytes(codec: FrameCodec, frame: EncodedFrame): number {
  if (codec === 'opus') return OPUS_CLEAR;
  if (codec === 'vp9') return 0;
  return frame.type === 'key' ? VP8_KEYFRAME_CLEAR : VP8_DELTA_CLEAR;
}

/**
 * Encrypts a frame's data in place of the frame's: its leading `clear` bytes, then the sealed
 * rest (ciphertext, tag, IV, key ID), bound to the clear bytes. A frame no longer than its
 * clear part is returned as it is: nothing in it to hide.
 */
export async function sealFrame(data: ArrayBuffer, clear: number, key: EncryptionKey): Promise<ArrayBuffer> {
  if (data.byteLength <= clear) return data;
  const bytes = new Uint8Array(data);
  const header = bytes.subarray(0, clear);
  const sealed = await sealPayload(bytes.subarray(clear), key, header);
  const out = new Uint8Array(clear + sealed.byteLength);
  out.set(header);
  out.set(sealed, clear);
  return out.buffer;
}

/** Decrypts what {@link sealFrame} made; rejects with `OpenFailure` as `openPayload` does. */
export async function openFrame(data: ArrayBuffer, clear: number, keys: KeyProvider, identity: string): Promise<ArrayBuffer> {
  if (data.byteLength <= clear) return data;
  const bytes = new Uint8Array(data);
  const header = bytes.subarray(0, clear);
  const plain = await openPayload(bytes.subarray(clear), keys, identity, header);
  const out = new Uint8Array(clear + plain.byteLength);
  out.set(header);
  out.set(plain, clear);
  return out.buffer;
}
