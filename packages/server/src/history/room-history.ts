import { decode, decodeOutgoing, encodeDelivered, type RoomHistoryClaim } from '@switchboard/sdk/protocol';
import type { HistorySnapshot, RoomChannel } from '../cluster/room-bus.js';
import type { Logger } from '../log.js';
import type { Peer } from '../rooms/peer.js';
import { keptUpTo, parseHistoryPolicy, type HistoryCaps, type HistoryPolicy } from './history-policy.js';

/** What a room's history needs from the server. */
export interface RoomHistoryOptions {
  room: string;
  /** The server's default policy (`--history-*`); undefined: none. */
  defaultPolicy: HistoryPolicy | undefined;
  caps: HistoryCaps;
  logger: Logger;
}

/** A kept message as the HTTP API lists it. */
export interface HistoryEntry {
  seq: number;
  from: string;
  type: string;
  topic?: string;
  serverTime: number;
  data: unknown;
}

/**
 * One room's history on this node: which policy it has (set on the bus, so every node agrees),
 * and the kept messages a joining peer gets before live traffic. The bus keeps the messages, in
 * the step that numbers them, so history and the room's order never disagree.
 */
export class RoomHistory {
  private channel: RoomChannel | undefined;
  /** Whether the room's policy is known to be chosen (later joiners' claims cannot change it). */
  private chosen = false;

  constructor(private readonly options: RoomHistoryOptions) {}

  attach(channel: RoomChannel): void {
    this.channel = channel;
  }

  /**
   * A peer joins with `claim` (its token's `room_history`, undefined if none): if the room has
   * no policy yet, the claim becomes it, else the server's default does. Throws `MALFORMED` for
   * a claim above this server's caps, `UNAVAILABLE` when the bus is down.
   */
  async joining(claim: RoomHistoryClaim | null | undefined): Promise<void> {
    if (this.chosen) return;
    const wanted = claim === undefined ? this.options.defaultPolicy : parseHistoryPolicy(claim, this.options.caps, 'claim "room_history"');
    if (wanted === undefined) return;
    await this.bus().setHistoryPolicy(wanted, 'ifUnset');
    this.chosen = true;
  }

  /** Replaces the room's policy (HTTP API); `value` is checked against the server's caps. */
  async replace(value: unknown): Promise<HistoryPolicy | null> {
    const policy = parseHistoryPolicy(value, this.options.caps, 'body');
    this.chosen = true;
    return this.bus().setHistoryPolicy(policy, 'replace');
  }

  /** The room's policy (null: none). */
  policy(): Promise<HistoryPolicy | null> {
    return this.bus().historyPolicy();
  }

  /** Every kept message, oldest first, decoded for the HTTP API. */
  async entries(): Promise<HistoryEntry[]> {
    const kept = keptUpTo(await this.bus().history(), Number.MAX_SAFE_INTEGER);
    return kept.flatMap((message) => {
      try {
        const envelope = decodeOutgoing(message.body);
        const entry: HistoryEntry = { seq: message.seq, from: message.from, type: envelope.type, serverTime: message.at, data: decode(envelope.data) };
        if (message.topic !== undefined) entry.topic = message.topic;
        return [entry];
      } catch {
        return [];
      }
    });
  }

  /**
   * The history as a peer joining now finds it; undefined when the bus cannot answer (which
   * costs the peer its history, not its join).
   */
  async snapshot(): Promise<HistorySnapshot | undefined> {
    try {
      return await this.bus().history();
    } catch (error) {
      this.options.logger.warn('room history unavailable; the peer joins without it', { room: this.options.room, error });
      return undefined;
    }
  }

  /**
   * What `peer` gets of the history on joining: the kept broadcasts numbered up to `upToSeq`
   * (where its live traffic starts) that its topic filter admits, oldest first, as delivered
   * envelopes marked history.
   */
  deliveries(peer: Peer, snapshot: HistorySnapshot, upToSeq: number): Uint8Array[] {
    return keptUpTo(snapshot, upToSeq).flatMap((message) => {
      if (message.targets !== undefined || (message.topic !== undefined && peer.topics !== null && !peer.topics.has(message.topic))) return [];
      try {
        const envelope = decodeOutgoing(message.body);
        return [
          encodeDelivered({
            kind: envelope.kind,
            seq: message.seq,
            from: message.from,
            serverTime: message.at,
            type: envelope.type,
            targeted: false,
            history: true,
            data: envelope.data,
            ...(message.topic === undefined ? {} : { topic: message.topic }),
          }),
        ];
      } catch {
        return [];
      }
    });
  }

  private bus(): RoomChannel {
    if (!this.channel) throw new Error(`room "${this.options.room}" has no bus channel yet`);
    return this.channel;
  }
}
