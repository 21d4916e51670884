import { DEFAULT_WATERMARKS } from '../../packages/sdk/src/data-channel/channel.js';
import { DataPlane } from '../../packages/sdk/src/data-channel/data-plane.js';
import { Emitter, Holdback } from '../../packages/sdk/src/events.js';
import type { ReceivedMessage } from '../../packages/sdk/src/messages/message-types.js';
import { RoomMessaging } from '../../packages/sdk/src/messages/room-messaging.js';
import { encode, encodeBatch, encodeDelivered, EnvelopeKind, type Grants, type Limits } from '../../packages/sdk/src/protocol/index.js';

/** Messages per timed pass. */
export const RECEIVE_PATH_MESSAGES = 20_000;
/** Deliveries per batch envelope in the batched rows (the server's batches of one turn). */
const BATCH = 8;
const PASSES = 7;

/** µs per message of the SDK's receive path and of `JSON.parse` of the same content, one run. */
export interface ReceivePathResult {
  /** How the deliveries arrive: one per DataChannel message, or batches of {@link BATCH}. */
  shape: string;
  sdkMicros: number;
  jsonMicros: number;
}

type Events = Record<string, ReceivedMessage>;

// A chat message of about 200 bytes as JSON: what an application sends, not opaque bytes, so
// that both decoders build the same objects.
function chatPayload(i: number): unknown {
  return { text: `message ${i} `.padEnd(120, 'lorem ipsum '), at: 1_700_000_000_000 + i, author: { name: 'Alice', color: '#3366ff' } };
}

/**
 * Times the SDK's receive path (what a room does with the DataChannel messages a session hands
 * it, ArrayBuffers: `RoomMessaging.received`, i.e. the Receiver's batch unpack, envelope and
 * payload decode and duplicate check, then the dispatch to the `message` event with one listener,
 * and to `message:<type>`, which has none) against a plain client doing `JSON.parse` of the same
 * content (the payload and the envelope's fields) and calling one listener. Alternating passes;
 * the median of each.
 */
export function receivePath(): ReceivePathResult[] {
  const envelopes = Array.from({ length: RECEIVE_PATH_MESSAGES }, (_, i) =>
    encodeDelivered({ kind: EnvelopeKind.message, seq: i + 1, from: 'peer-alice', serverTime: Date.now(), type: 'chat', targeted: false, data: encode(chatPayload(i)) }),
  );
  const json = Array.from({ length: RECEIVE_PATH_MESSAGES }, (_, i) =>
    JSON.stringify({ seq: i + 1, from: 'peer-alice', serverTime: Date.now(), type: 'chat', targeted: false, data: chatPayload(i) }),
  );
  const batched: Uint8Array[] = [];
  for (let i = 0; i < envelopes.length; i += BATCH) batched.push(encodeBatch(envelopes.slice(i, i + BATCH)));
  return [
    measure('one delivery per message', envelopes.map(toArrayBuffer), json),
    measure(`batches of ${BATCH}`, batched.map(toArrayBuffer), json),
  ];
}

function measure(shape: string, frames: ArrayBuffer[], json: string[]): ReceivePathResult {
  const sdk: number[] = [];
  const plain: number[] = [];
  // The first pass of each warms up the JIT and is not counted.
  for (let pass = 0; pass <= PASSES; pass++) {
    const s = timeSdk(frames);
    const j = timeJson(json);
    if (pass === 0) continue;
    sdk.push(s);
    plain.push(j);
  }
  return { shape, sdkMicros: median(sdk), jsonMicros: median(plain) };
}

function timeSdk(frames: ArrayBuffer[]): number {
  // A fresh room's messaging per pass: the same sequence numbers must not count as duplicates.
  const events = new Emitter<Events>();
  const messaging = new RoomMessaging(
    {
      data: new DataPlane(DEFAULT_WATERMARKS, false),
      holdback: new Holdback(),
      grants: () => ({}) as Grants,
      limits: () => ({}) as Limits,
      inRoom: () => true,
    identityOf: () => undefined,
      emit: (event, payload) => events.emit(event, payload as ReceivedMessage),
      listens: (event) => events.has(event),
      relayed: () => undefined,
    },
    10_000,
  );
  let received = 0;
  events.on('message', () => received++);
  const started = performance.now();
  for (const frame of frames) messaging.received(frame);
  const micros = ((performance.now() - started) * 1000) / received;
  if (received !== RECEIVE_PATH_MESSAGES) throw new Error(`the SDK dispatched ${received} of ${RECEIVE_PATH_MESSAGES} messages`);
  return micros;
}

function timeJson(json: string[]): number {
  let received = 0;
  const listener = (message: unknown): void => {
    if (message !== null) received++;
  };
  const started = performance.now();
  for (const text of json) listener(JSON.parse(text));
  return ((performance.now() - started) * 1000) / received;
}

// A copy of its own, as a DataChannel hands it over (the encoder returns views of a shared buffer).
function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return new Uint8Array(bytes).buffer;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
