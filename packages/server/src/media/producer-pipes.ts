import type { Producer, Router } from 'mediasoup/types';

interface Pipe {
  readonly ready: Promise<Producer>;
  /** Consumers (and the speaker observer) on the destination router that use it. */
  users: number;
}

/** Lets go of a pipe once its user is gone; calling it again does nothing. */
export type PipeRelease = () => void;

/**
 * Pipes between a room's routers: a producer on one worker played by a peer on another worker
 * is piped there with `router.pipeToRouter`, once per producer per destination router, shared by
 * every consumer there and closed when the last one goes.
 */
export class ProducerPipes {
  private readonly pipes = new Map<string, Pipe>();

  /**
   * Makes `producer` (on `from`) consumable on `to`, under the same ID, until the returned
   * release is called. Nothing to do when both are the same router.
   */
  async hold(producer: Producer, from: Router, to: Router): Promise<PipeRelease> {
    if (from === to) return () => undefined;
    const key = `${producer.id}>${to.id}`;
    let pipe = this.pipes.get(key);
    if (!pipe) {
      const ready = from.pipeToRouter({ producerId: producer.id, router: to }).then(({ pipeProducer }) => {
        if (!pipeProducer) throw new Error('pipeToRouter returned no producer');
        // The origin producer or either router closing ends the pipe.
        pipeProducer.observer.once('close', () => this.pipes.get(key) === created && this.pipes.delete(key));
        return pipeProducer;
      });
      const created: Pipe = { ready, users: 0 };
      ready.catch(() => this.pipes.get(key) === created && this.pipes.delete(key));
      this.pipes.set(key, created);
      pipe = created;
    }
    const held = pipe;
    held.users++;
    try {
      await held.ready;
    } catch (error) {
      held.users--;
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      if (this.pipes.get(key) === held) this.pipes.delete(key);
      void held.ready.then((pipeProducer) => pipeProducer.close());
    };
  }

  /** Open pipes, for `/metrics` and tests. */
  get size(): number {
    return this.pipes.size;
  }
}
