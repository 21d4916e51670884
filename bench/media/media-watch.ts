import * as mediasoup from 'mediasoup';
import type { Consumer, ConsumerTraceEventData, Producer, ProducerTraceEventData, Worker } from 'mediasoup/types';

/** When something happened: this process's clock (ms) and the worker's trace timestamp (ms). */
export interface Moment {
  node: number;
  worker: number;
}

/** A video track's key frame traffic at the server: requests sent to the publisher, key frames from it. */
export interface WatchedProducer {
  producer: Producer;
  /** PLIs and FIRs the worker sent the publisher. */
  plis: Moment[];
  /** Key frames that arrived from the publisher (one per layer and frame). */
  keyFrames: Moment[];
}

/** A viewer's video consumer: when it was created and resumed, and its first key frame sent. */
export interface WatchedConsumer {
  consumer: Consumer;
  created: number;
  resumed: number;
  keyFrameOut: number;
}

/**
 * The video producers and consumers of every mediasoup worker in this process, through
 * mediasoup's observer API and trace events, for the media start probe.
 */
export class MediaWatch {
  readonly producers: WatchedProducer[] = [];
  private readonly consumers = new Map<string, WatchedConsumer>();

  attach(): void {
    mediasoup.observer.on('newworker', (worker: Worker) =>
      worker.observer.on('newrouter', (router) =>
        router.observer.on('newtransport', (transport) => {
          transport.observer.on('newproducer', (producer) => producer.kind === 'video' && this.watchProducer(producer));
          transport.observer.on('newconsumer', (consumer) => consumer.kind === 'video' && this.watchConsumer(consumer));
        }),
      ),
    );
  }

  /** The newest video producer (the publisher's camera in the current room). */
  latestProducer(): WatchedProducer | undefined {
    return this.producers.at(-1);
  }

  /** The video consumer of peer `peerId`, if it has one. */
  consumerOf(peerId: string): WatchedConsumer | undefined {
    return this.consumers.get(peerId);
  }

  private watchProducer(producer: Producer): void {
    const watched: WatchedProducer = { producer, plis: [], keyFrames: [] };
    this.producers.push(watched);
    producer.on('trace', (trace: ProducerTraceEventData) => {
      const moment = { node: performance.now(), worker: trace.timestamp };
      if (trace.direction === 'out' && (trace.type === 'pli' || trace.type === 'fir')) watched.plis.push(moment);
      if (trace.direction === 'in' && trace.type === 'keyframe') watched.keyFrames.push(moment);
    });
    void producer.enableTraceEvent(['pli', 'fir', 'keyframe']).catch(() => undefined);
  }

  private watchConsumer(consumer: Consumer): void {
    const watched: WatchedConsumer = { consumer, created: performance.now(), resumed: NaN, keyFrameOut: NaN };
    this.consumers.set((consumer.appData as { peerId: string }).peerId, watched);
    consumer.observer.once('resume', () => (watched.resumed = performance.now()));
    consumer.on('trace', (trace: ConsumerTraceEventData) => {
      if (trace.type === 'keyframe' && Number.isNaN(watched.keyFrameOut)) watched.keyFrameOut = performance.now();
    });
    void consumer.enableTraceEvent(['keyframe']).catch(() => undefined);
  }
}
