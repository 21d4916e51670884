import type { DataConsumer, DataProducer, DirectTransport, Router } from 'mediasoup/types';
import { SwitchboardError, type DataChannelKind } from '@switchboard/sdk/protocol';

/** The room's data-plane objects on one router: where its senders are read and its receivers fed. */
interface Lane {
  readonly direct: DirectTransport;
  readonly producers: Record<DataChannelKind, DataProducer>;
  /** Receivers on this router per subchannel, to skip routers nobody on them listens to. */
  readonly listeners: Map<number, number>;
}

/**
 * A room's data plane on each of its routers: one DirectTransport per router with a reliable
 * and a lossy DataProducer. A message goes into the worker once per router that has receivers
 * for it; the worker fans it out to them by subchannel.
 */
export class WorkerLanes {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly maxMessageSize: number) {}

  /** Creates the room's objects on a new router. */
  async add(router: Router): Promise<void> {
    const direct = await router.createDirectTransport({
      maxSendMessageSize: this.maxMessageSize * 2 + 1024,
      maxReceiveMessageSize: this.maxMessageSize * 2 + 1024,
    });
    const reliable = await direct.produceData({ label: 'reliable' });
    const lossy = await direct.produceData({ label: 'lossy' });
    this.lanes.set(router.id, { direct, producers: { reliable, lossy }, listeners: new Map() });
    // The router closing (unused, or its worker died) takes the lane with it.
    direct.observer.once('close', () => this.lanes.delete(router.id));
  }

  /** The DataProducer receivers on `routerId` consume, for their DataConsumers. */
  producer(routerId: string, kind: DataChannelKind): DataProducer {
    return this.lane(routerId).producers[kind];
  }

  /** Reads a sender's DataChannel on its router. */
  async read(routerId: string, producer: DataProducer, onMessage: (bytes: Buffer) => void): Promise<DataConsumer> {
    const reader = await this.lane(routerId).direct.consumeData({ dataProducerId: producer.id });
    reader.on('message', onMessage);
    return reader;
  }

  /** Counts a receiver on `routerId` listening on `list`. */
  listen(routerId: string, list: readonly number[]): void {
    const listeners = this.lanes.get(routerId)?.listeners;
    if (!listeners) return;
    for (const id of list) listeners.set(id, (listeners.get(id) ?? 0) + 1);
  }

  /** Undoes one {@link listen}. */
  unlisten(routerId: string, list: readonly number[]): void {
    const listeners = this.lanes.get(routerId)?.listeners;
    if (!listeners) return;
    for (const id of list) {
      const left = (listeners.get(id) ?? 1) - 1;
      if (left > 0) listeners.set(id, left);
      else listeners.delete(id);
    }
  }

  /**
   * Sends once into every router with a receiver on one of `list`, skipping the receiver that
   * listens on `ignored` (the sender of a broadcast); returns how many routers.
   */
  send(kind: DataChannelKind, bytes: Buffer, list: number[], ignored?: number): number {
    let routers = 0;
    for (const lane of this.lanes.values()) {
      if (!list.some((id) => lane.listeners.has(id))) continue;
      // mediasoup only reads `list` to serialize it: no defensive copy.
      lane.producers[kind].send(bytes, undefined, list, undefined, ignored);
      routers++;
    }
    return routers;
  }

  /** Sends into one router only (a replay to one receiver). */
  sendOn(routerId: string, kind: DataChannelKind, bytes: Buffer, list: number[]): void {
    this.lane(routerId).producers[kind].send(bytes, undefined, list);
  }

  /** Whether the room's objects exist on `routerId`. */
  has(routerId: string): boolean {
    return this.lanes.has(routerId);
  }

  /** Closes every lane (the room is closing). */
  close(): void {
    for (const lane of [...this.lanes.values()]) lane.direct.close();
  }

  private lane(routerId: string): Lane {
    const lane = this.lanes.get(routerId);
    // The router closed under a request in flight (its worker died): the client resumes.
    if (!lane) throw new SwitchboardError('UNAVAILABLE', 'the media worker of this connection went away; resume');
    return lane;
  }
}
