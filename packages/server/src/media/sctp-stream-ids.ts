import type { Transport } from 'mediasoup/types';

/** SCTP stream IDs run from 0 to 65534. */
const STREAM_ID_SPACE = 65535;

/** The one member of mediasoup's Transport this module replaces (private in its typings). */
interface StreamIdAllocator {
  allocateSctpStreamId?: () => number;
}

/**
 * Makes `transport` pick its DataConsumers' SCTP stream IDs from a set of the IDs in use instead
 * of mediasoup's map of all 65,535 (mediasoup 3.27 to 3.32 allocate and zero-fill a 64 KiB
 * Buffer per transport on its first `consumeData()`). A Switchboard peer's receive transport
 * carries two or three DataConsumers, and that map was half of what a connected viewer costs
 * the server's Node process (docs/benchmarks.md, "Node memory per viewer").
 *
 * An ID is free again when its DataConsumer closes, for whatever reason. Returns the transport's
 * IDs, or undefined, leaving mediasoup's allocation in place, when mediasoup no longer has the
 * method (its test then fails).
 */
export function useCompactSctpStreamIds(transport: Transport): SctpStreamIds | undefined {
  const allocating = transport as unknown as StreamIdAllocator;
  if (typeof allocating.allocateSctpStreamId !== 'function') return undefined;
  const ids = new SctpStreamIds();
  allocating.allocateSctpStreamId = () => ids.take();
  transport.observer.on('newdataconsumer', (consumer) => {
    const id = consumer.sctpStreamParameters?.streamId;
    if (id !== undefined) consumer.observer.once('close', () => ids.release(id));
  });
  return ids;
}

/**
 * The SCTP stream IDs of one transport's DataConsumers, in mediasoup's order: the next after the
 * last one handed out, wrapping around, skipping those in use; so an ID whose stream is still
 * being reset is not handed out again at once.
 */
export class SctpStreamIds {
  private readonly inUse = new Set<number>();
  private next = 0;

  /** IDs in use. */
  get size(): number {
    return this.inUse.size;
  }

  take(): number {
    for (let step = 0; step < STREAM_ID_SPACE; step++) {
      const id = (this.next + step) % STREAM_ID_SPACE;
      if (this.inUse.has(id)) continue;
      this.inUse.add(id);
      this.next = id + 1;
      return id;
    }
    // mediasoup's own words for the same condition.
    throw new Error('no sctpStreamId available');
  }

  release(id: number): void {
    this.inUse.delete(id);
  }
}
