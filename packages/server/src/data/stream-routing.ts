import {
  encodeOutgoing,
  encodeStreamFrame,
  EnvelopeKind,
  SwitchboardError,
  targetList,
  type DataChannelKind,
  type OutgoingEnvelope,
  type StreamLimits,
} from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import type { Peer } from '../rooms/peer.js';
import { StreamGuard, type OpenStream } from './stream-guard.js';

/** What {@link StreamRouting} needs from the room's data plane. */
export interface StreamRoutingHost {
  /** Hands a checked message to the room bus; throws SwitchboardError when a target cannot receive. */
  publish(from: string, channel: DataChannelKind, envelope: OutgoingEnvelope, body: Uint8Array): Promise<unknown>;
  /** Whether a peer (of any node) is still in the room. */
  inRoom(peerId: string): boolean;
  logger: Logger;
}

/**
 * The data plane's handling of stream envelopes: each frame is checked by the {@link StreamGuard}
 * and published unchanged like any reliable message. When a stream breaks (a refused frame, a
 * target gone, the sender gone) the server publishes a `cancel` in the sender's name, in the
 * room's order, so every receiver learns it after the last chunk it got.
 */
export class StreamRouting {
  private readonly guard: StreamGuard;

  constructor(limits: StreamLimits, private readonly host: StreamRoutingHost) {
    this.guard = new StreamGuard(limits);
  }

  /**
   * Checks and publishes one stream envelope; throws SwitchboardError when it is refused (and
   * then ends the stream it belonged to). Opens, stops and cancels of untracked streams count
   * as messages for the sender's message rate; chunks are paced by the stream byte rate instead.
   */
  route(sender: Peer, channel: DataChannelKind, envelope: OutgoingEnvelope, bytes: Uint8Array): Promise<unknown> {
    if (channel !== 'reliable') throw new SwitchboardError('MALFORMED', 'streams go on the reliable channel');
    const now = Date.now();
    const verdict = this.guard.check(sender.id, envelope, now);
    if (!verdict.ok) {
      if (verdict.aborted) this.cancel(sender.id, verdict.aborted, verdict.error);
      throw verdict.error;
    }
    const { frame } = verdict;
    if (verdict.message === true && !sender.rateLimiter.take(now)) {
      if (frame.op === 'open') this.guard.forget(sender.id, frame.id);
      throw new SwitchboardError('RATE_LIMITED', 'too many messages; slow down');
    }
    let published: Promise<unknown>;
    try {
      published = this.host.publish(sender.id, channel, envelope, bytes);
    } catch (error) {
      this.broken(sender.id, frame.op === 'stop' ? undefined : frame.id, error);
      throw error;
    }
    if (frame.op !== 'stop') published.catch((error: unknown) => this.broken(sender.id, frame.id, error));
    return published;
  }

  /** The sender left the room: its open streams end with `PEER_LEFT`. */
  removeSender(senderId: string): void {
    const error = new SwitchboardError('PEER_LEFT', 'the sender left the room before the stream ended');
    for (const stream of this.guard.removeSender(senderId)) this.cancel(senderId, stream, error);
  }

  // A frame of an open stream could not be forwarded: the rest of the stream would be useless.
  private broken(senderId: string, id: number | undefined, error: unknown): void {
    const stream = id === undefined ? undefined : this.guard.forget(senderId, id);
    if (!stream) return;
    const typed = error instanceof SwitchboardError ? error : new SwitchboardError('UNAVAILABLE', 'the stream could not be forwarded');
    this.cancel(senderId, stream, typed);
  }

  // Tells the stream's receivers that are still in the room that it ended with `error`.
  private cancel(senderId: string, stream: OpenStream, error: SwitchboardError): void {
    const envelope: OutgoingEnvelope = {
      kind: EnvelopeKind.stream,
      seq: 0,
      type: stream.envelope.type,
      data: encodeStreamFrame({ op: 'cancel', id: stream.id, error: { code: error.code, message: error.message } }),
    };
    if (stream.envelope.to !== undefined) {
      const targets = targetList(stream.envelope.to).filter((id) => this.host.inRoom(id));
      if (targets.length === 0) return;
      envelope.to = targets;
    }
    // Addressed by identity: to those identities, never to the whole room.
    if (stream.envelope.toIdentities !== undefined) envelope.toIdentities = stream.envelope.toIdentities;
    if (stream.envelope.topic !== undefined) envelope.topic = stream.envelope.topic;
    try {
      this.host.publish(senderId, 'reliable', envelope, encodeOutgoing(envelope)).catch((failure: unknown) => this.lost(senderId, stream, failure));
    } catch (failure) {
      this.lost(senderId, stream, failure);
    }
  }

  private lost(senderId: string, stream: OpenStream, error: unknown): void {
    this.host.logger.warn('could not tell the receivers of a broken stream', { from: senderId, stream: stream.id, error });
  }
}
