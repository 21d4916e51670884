import type { Receiver } from '../../src/data-channel/receiver.js';
import type { ReceivedEnvelope } from '../../src/protocol/index.js';

/** The deliveries `receiver` accepts from one DataChannel message, in order. */
export function receiveAll(receiver: Receiver, data: unknown): ReceivedEnvelope[] {
  const got: ReceivedEnvelope[] = [];
  receiver.receive(data, (envelope) => got.push(envelope));
  return got;
}

/** The one delivery `receiver` accepts from `data`, a single envelope; undefined if none. */
export function receiveOne(receiver: Receiver, data: unknown): ReceivedEnvelope | undefined {
  const got = receiveAll(receiver, data);
  if (got.length > 1) throw new Error(`expected at most one delivery, got ${got.length}`);
  return got[0];
}
