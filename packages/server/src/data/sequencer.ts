import type { DataChannelKind } from '@switchboard/sdk/protocol';
import { ReplayLog, type LoggedMessage } from './replay-log.js';

/** A message with its room-wide number (0 if lossy) and final bytes, ready for fan-out. */
export interface StampedMessage extends LoggedMessage {
  readonly channel: DataChannelKind;
}

/** What the data plane knows of a message before it is numbered. */
export interface MessageDraft {
  readonly channel: DataChannelKind;
  readonly from: string;
  readonly targets: readonly string[] | undefined;
  readonly topic: string | undefined;
  /** Encodes the delivered envelope once its number and server time are known. */
  encode(seq: number, serverTime: number): Uint8Array;
}

/**
 * The room's reliable order: assigns each reliable message the next room-wide sequence number
 * and logs it for replay. This is the first of the two steps a message takes (number and log,
 * then fan out to this node's workers); a cluster-wide sequencer plugs in here.
 */
export interface Sequencer {
  /** The newest reliable sequence number: a joining peer has everything up to it. */
  readonly lastSeq: number;
  /** Numbers (if reliable), stamps and logs a message. */
  stamp(draft: MessageDraft): StampedMessage;
  /** The logged messages after `seq`, or undefined when some were evicted. */
  since(seq: number): LoggedMessage[] | undefined;
}

/** The sequencer of a room served by this node alone: a counter and an in-memory log. */
export class LocalSequencer implements Sequencer {
  private readonly log: ReplayLog;
  private seq = 0;

  constructor(replayBufferBytes: number, replayMaxAgeMs: number) {
    this.log = new ReplayLog(replayBufferBytes, replayMaxAgeMs);
  }

  get lastSeq(): number {
    return this.seq;
  }

  stamp(draft: MessageDraft): StampedMessage {
    const reliable = draft.channel === 'reliable';
    const seq = reliable ? ++this.seq : 0;
    const at = Date.now();
    const message = { channel: draft.channel, seq, from: draft.from, targets: draft.targets, topic: draft.topic, bytes: draft.encode(seq, at), at };
    if (reliable) this.log.append(message);
    return message;
  }

  since(seq: number): LoggedMessage[] | undefined {
    return this.log.since(seq, Date.now());
  }
}
