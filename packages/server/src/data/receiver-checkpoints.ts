import type { Peer } from '../rooms/peer.js';

/**
 * How many room sequence numbers the SDK tells apart when it drops duplicates (its `SeqWindow`):
 * a replayed number at or below `highest - DUPLICATE_WINDOW` counts as seen. A replay after an
 * overflow must bring the dropped message within that distance of the newest the receiver got.
 */
export const DUPLICATE_WINDOW = 65536;

/**
 * When a round of checkpoints starts, counting the room's reliable traffic since the last one:
 * whichever bound comes first. A round costs one worker request per live receiver, about what
 * one delivery to each costs.
 */
export interface CheckpointBounds {
  /** ms after the first reliable message since the last round (one room timer, set only while traffic flows). */
  everyMs: number;
  /** Deliveries, per live receiver: keeps the requests a small share of the deliveries. */
  deliveriesPerReceiver: number;
  /** Messages: keeps a checkpoint far within the SDK's duplicate window. */
  everyMessages: number;
  /** Bytes of those messages: keeps a checkpoint far within the room's replay log. */
  everyBytes: number;
}

/**
 * Whether a receiver that overflowed with `newest` handed to the workers can resume from its
 * checkpoint: the replay resends what came after it, and the SDK must still tell the dropped
 * message from those. Half the window, since more may still get through before the cut.
 */
export function resumableAfterOverflow(newest: number, checkpoint: number): boolean {
  return newest - checkpoint < DUPLICATE_WINDOW / 2;
}

/** The bounds of a room whose replay log holds `replayBufferBytes`; see docs/decisions.md. */
export function checkpointBounds(replayBufferBytes: number): CheckpointBounds {
  return { everyMs: 1000, deliveriesPerReceiver: 1024, everyMessages: DUPLICATE_WINDOW / 8, everyBytes: replayBufferBytes / 4 };
}

/** What a checkpoint asks of a receiver's reliable DataConsumer: any request the worker answers in order. */
export interface CheckpointedConsumer {
  getBufferedAmount(): Promise<number>;
}

/** What a checkpoint needs from the room's delivery. */
export interface CheckpointSource {
  /** Hands everything waiting in the batcher to the workers. */
  flush(): void;
  /** The newest reliable room sequence number handed to the workers (after a flush). */
  handedSeq(): number;
}

interface Watched {
  readonly consumer: CheckpointedConsumer;
  /** A checkpoint request is in flight: at most one per receiver. */
  pending: boolean;
  /** A round passed it by while its request was in flight: the answer starts the next check. */
  missed: boolean;
  /** Its send buffer was full once: nothing sent after that is known to have been accepted. */
  overflowed: boolean;
}

/**
 * Keeps each live receiver's `liveSince` recent, so that the resume after a receive-buffer
 * overflow replays from there, not from where the receiver went live (the log may no longer
 * reach that far back). A round records the newest room number S handed to the workers, then
 * asks each receiver's reliable DataConsumer for its buffered amount: the worker handles data
 * sends and requests in order, so when the answer comes every delivery up to S has been offered
 * to that receiver's SCTP send buffer, and a drop would have raised `sctpsendbufferfull` first.
 * No such event seen by then means everything up to S was accepted: `liveSince` moves to S.
 *
 * Rounds cost one worker request per receiver and none per message: they start on room-wide
 * counts (see {@link CheckpointBounds}) or on one room timer, never on a timer or promise per message.
 */
export class ReceiverCheckpoints {
  private readonly watched = new Map<Peer, Watched>();
  private messages = 0;
  private deliveries = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: CheckpointSource,
    private readonly bounds: CheckpointBounds,
  ) {}

  /** `peer` went live on `consumer` (its `liveSince` is set): checkpoints follow its deliveries. */
  watch(peer: Peer, consumer: CheckpointedConsumer): void {
    this.watched.set(peer, { consumer, pending: false, missed: false, overflowed: false });
  }

  /** Its connection went away: an answer still on its way changes nothing. */
  unwatch(peer: Peer): void {
    this.watched.delete(peer);
    if (this.watched.size === 0) this.reset();
  }

  /** `consumer`, the reliable one of `peer`, dropped a delivery: its checkpoints stop here. */
  overflowed(peer: Peer, consumer: CheckpointedConsumer): void {
    const watched = this.watched.get(peer);
    if (watched?.consumer === consumer) watched.overflowed = true;
  }

  /** One reliable message of `bytes` went to the batcher for `deliveries` receivers; may start a round. */
  handed(bytes: number, deliveries: number): void {
    if (this.watched.size === 0) return;
    this.messages++;
    this.deliveries += deliveries;
    this.bytes += bytes;
    const { everyMessages, everyBytes, deliveriesPerReceiver, everyMs } = this.bounds;
    if (this.messages >= everyMessages || this.bytes >= everyBytes || this.deliveries >= deliveriesPerReceiver * this.watched.size) this.round();
    else this.timer ??= setTimeout(() => this.round(), everyMs);
  }

  /** Stops the timer (the room is closing). */
  close(): void {
    this.watched.clear();
    this.reset();
  }

  private round(): void {
    this.reset();
    const seq = this.handedSeq();
    for (const [peer, watched] of this.watched) {
      if (watched.pending) watched.missed = true;
      else if (!watched.overflowed && peer.liveSince < seq) this.check(peer, watched, seq);
    }
  }

  private handedSeq(): number {
    this.source.flush();
    return this.source.handedSeq();
  }

  private check(peer: Peer, watched: Watched, seq: number): void {
    watched.pending = true;
    const settle = (): void => {
      watched.pending = false;
      if (this.watched.get(peer) !== watched || watched.overflowed) return;
      peer.liveSince = Math.max(peer.liveSince, seq);
      // Under load the answer can take longer than a round: without this, the checkpoint would
      // lag by up to two rounds plus the wait, not one round plus the wait.
      if (!watched.missed) return;
      watched.missed = false;
      const next = this.handedSeq();
      if (peer.liveSince < next) this.check(peer, watched, next);
    };
    // mediasoup emits a notification one setImmediate after reading it, but resolves a response
    // at once: an overflow the worker reported before this answer is seen after one more turn.
    watched.consumer.getBufferedAmount().then(
      () => setImmediate(settle),
      // Closed with its connection: the next connection starts from its own replay.
      () => (watched.pending = false),
    );
  }

  private reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.messages = 0;
    this.deliveries = 0;
    this.bytes = 0;
  }
}
