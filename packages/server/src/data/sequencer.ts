import { decodeOutgoing, encodeDelivered, type DataChannelKind, type OutgoingEnvelope } from '@switchboard/sdk/protocol';
import type { BusMessage, SequencedMessage } from '../cluster/room-bus.js';
import { ReplayLog, type LoggedMessage } from './replay-log.js';

/** A message with its room-wide number (0 if lossy) and final bytes, ready for fan-out. */
export interface StampedMessage extends LoggedMessage {
  readonly channel: DataChannelKind;
}

/**
 * The second half of the room's order on this node. The room bus numbers reliable messages
 * (a counter on one node, Redis in a cluster) and hands each back to every node with the room
 * open; here it becomes the envelope receivers get, with its number, and enters this node's log
 * for the replays of peers that resume here. The bus body is the sender's outgoing envelope.
 */
export class Sequencer {
  private readonly log: ReplayLog;
  private seq = 0;

  constructor(replayBufferBytes: number, replayMaxAgeMs: number) {
    this.log = new ReplayLog(replayBufferBytes, replayMaxAgeMs);
  }

  /** The newest reliable sequence number this node has: a peer joining here has everything up to it. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Stamps a message the bus handed back (`seq` 0 for lossy ones); reliable ones are logged.
   * Throws the protocol's `MALFORMED` if the body is not an outgoing envelope.
   */
  stamp(channel: DataChannelKind, message: BusMessage, seq: number, at: number): StampedMessage {
    const stamped = this.stampOnly(channel, message, seq, at);
    if (seq > 0) {
      this.seq = seq;
      this.log.append(stamped);
    }
    return stamped;
  }

  private stampOnly(channel: DataChannelKind, message: BusMessage, seq: number, at: number): StampedMessage {
    const envelope = decodeOutgoing(message.body);
    return { channel, seq, from: message.from, targets: message.targets, topic: message.topic, bytes: deliveredBytes(envelope, message, seq, at), at };
  }

  /** The logged messages after `seq`, or undefined when some were evicted or never reached this node. */
  since(seq: number): LoggedMessage[] | undefined {
    return this.log.since(seq, Date.now());
  }

  /**
   * Fills this node's log back to `afterSeq` with messages fetched from the room's shared log
   * (a peer resuming here after its node died may need more than this node has seen). Only
   * what precedes the messages already held is taken: the rest reaches this node in order anyway.
   */
  backfill(messages: readonly SequencedMessage[], afterSeq: number): void {
    const bound = (this.log.oldestSeq ?? this.seq + 1) - 1;
    const older = messages.filter((m) => m.seq <= bound).map((m) => this.stampOnly('reliable', m, m.seq, m.at));
    if (bound > afterSeq && older[older.length - 1]?.seq !== bound) return;
    this.log.prepend(older, afterSeq);
  }

  /**
   * The bus trimmed messages up to `toSeq` before this node read them: they can never be replayed
   * from here, so a replay that needs them is refused rather than silently incomplete.
   */
  skipTo(toSeq: number): void {
    this.log.skipTo(toSeq);
    this.seq = Math.max(this.seq, toSeq);
  }
}

function deliveredBytes(envelope: OutgoingEnvelope, message: BusMessage, seq: number, serverTime: number): Uint8Array {
  return encodeDelivered({
    kind: envelope.kind,
    seq,
    from: message.from,
    serverTime,
    type: envelope.type,
    targeted: message.targets !== undefined,
    data: envelope.data,
    ...(message.topic === undefined ? {} : { topic: message.topic }),
    ...(envelope.callId === undefined ? {} : { callId: envelope.callId }),
  });
}
