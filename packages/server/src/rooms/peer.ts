import { randomBytes } from 'node:crypto';
import type { DataProducer, WebRtcTransport } from 'mediasoup/types';
import type {
  CloseReason,
  DataChannelKind,
  Grants,
  NotificationName,
  PeerInfo,
  PeerMetadata,
  ServerNotifications,
  WireError,
} from '@switchboard/sdk/protocol';
import { TokenBucket } from '../data/rate-limiter.js';
import type { PlacedRouter } from '../media/router-set.js';

// How often a leave looks whether the peer's last messages have arrived.
const SETTLE_POLL_MS = 5;

/** The signaling connection a peer is reachable through. */
export interface PeerConnection {
  /** Pushes a notification to the client. */
  notify<N extends NotificationName>(method: N, data: ServerNotifications[N]): void;
  /** Pushes a notification encoded once for several peers (`encodeNotification`). */
  notifyEncoded(frame: Uint8Array): void;
  /** Tells the client the session is over (a `closed` notification) and closes the socket. */
  end(reason: CloseReason, message: string): void;
  /** Closes the socket without a word, e.g. when a newer connection of the same session took over. */
  drop(): void;
}

/** Media-side objects of one connection; all of them die with the connection. */
export interface PeerTransports {
  /** Absent for a peer that may neither send data nor publish (a viewer). */
  send: WebRtcTransport | undefined;
  recv: WebRtcTransport;
  /** The peer's own DataChannels on the send transport, by kind. */
  producers: Partial<Record<DataChannelKind, DataProducer>>;
}

/** Options for a new peer. */
export interface PeerOptions {
  identity: string;
  name?: string | undefined;
  metadata?: PeerMetadata | undefined;
  grants: Grants;
  subchannel: number;
  rate: { messagesPerSecond: number; burst: number };
  /** An existing session this node takes over (its node died); otherwise a new one. */
  session?: { id: string; resumeKey: string; joinedAt: number } | undefined;
}

/**
 * One session of one participant in a room. It outlives its connections: when the network
 * drops, the peer waits (suspended) for the client to resume, keeping its ID, its place in the
 * room and the sequence numbers that make resumption exact.
 */
export class Peer {
  /** Unique, unguessable session ID. */
  readonly id: string;
  /** Secret the client presents to resume this session. */
  readonly resumeKey: string;
  readonly identity: string;
  name: string | undefined;
  metadata: PeerMetadata | undefined;
  /** What it may do; an admin or the HTTP API may change them while it is in the room. */
  grants: Grants;
  readonly joinedAt: number;
  /** This peer's mediasoup subchannel: targeted messages to it are sent on it. */
  readonly subchannel: number;
  readonly rateLimiter: TokenBucket;
  /** Topics whose broadcasts it receives; null = all. */
  topics: ReadonlySet<string> | null = null;
  /** Highest reliable sequence number of its own messages the server has processed. */
  lastAcceptedSeq = 0;
  /** Its reliable messages on their way to the bus: acks stop short of the oldest (it may still be refused). */
  readonly publishing = new Set<number>();
  /**
   * Its latest refusals of reliable messages, oldest first (at most MAX_REMEMBERED_REJECTIONS):
   * a resume repeats them, as their notifications may have been lost with the connection.
   */
  readonly rejections: { seq: number; error: WireError }[] = [];
  /** Lossy messages are numbered too, for rejections; the highest seen. */
  lastLossySeq = 0;
  /** Data messages read from the peer's channels (every envelope, refused ones too) and their bytes, for the HTTP API. */
  readonly sent = { messages: 0, bytes: 0 };
  /** The room sequence number up to which it has everything (replay starts after it). */
  replayFrom = 0;
  /**
   * Set on joining: the room's history (delivered envelopes), read at the join, goes to it first,
   * once (cleared as soon as it is taken, so a resume never repeats it).
   */
  pendingHistory: readonly Uint8Array[] | undefined;
  /** The room sequence number its session started from: a resume never replays before it. */
  joinedAtSeq = 0;
  /**
   * True once its join result is built. Until then it gets no room notifications: the result's
   * peer and track lists, built last, already include whatever they would have said.
   */
  announced = false;
  /** True once its receive DataChannels are open and subscribed. */
  receiving = false;
  /**
   * Room sequence number up to which its SCTP send buffer accepted every live delivery: where it
   * went live, then each checkpoint (see ReceiverCheckpoints) moves it on.
   */
  liveSince = 0;
  /**
   * A live reliable delivery to it was dropped (receive buffer overflow): the next resume
   * replays from `liveSince`, not from the last number it saw, which may lie past the gap.
   */
  overflowed = false;
  connection: PeerConnection | undefined;
  transports: PeerTransports | undefined;
  /** The router (and worker) its current transports are on. */
  home: PlacedRouter | undefined;
  /** Set while suspended: when it fires the peer leaves. */
  graceTimer: NodeJS.Timeout | undefined;

  constructor(options: PeerOptions) {
    this.id = options.session?.id ?? randomBytes(9).toString('base64url');
    this.resumeKey = options.session?.resumeKey ?? randomBytes(18).toString('base64url');
    this.joinedAt = options.session?.joinedAt ?? Date.now();
    this.identity = options.identity;
    this.name = options.name;
    this.metadata = options.metadata;
    this.grants = options.grants;
    this.subchannel = options.subchannel;
    this.rateLimiter = new TokenBucket(options.rate.messagesPerSecond, options.rate.burst, Date.now());
  }

  /** Whether it has a live signaling connection. */
  get connected(): boolean {
    return this.connection !== undefined;
  }

  /** The public view other peers get. */
  info(): PeerInfo {
    const info: PeerInfo = { id: this.id, identity: this.identity, joinedAt: this.joinedAt };
    if (this.name !== undefined) info.name = this.name;
    if (this.metadata !== undefined) info.metadata = this.metadata;
    return info;
  }

  /** The highest sequence number an ack may report: everything up to it is settled, accepted or refused. */
  get settledSeq(): number {
    let settled = this.lastAcceptedSeq;
    for (const seq of this.publishing) settled = Math.min(settled, seq - 1);
    return settled;
  }

  /**
   * Resolves once its messages up to `seq` are settled, or its transports are gone (nothing
   * more can arrive), or after `ms`.
   */
  async settled(seq: number, ms: number): Promise<void> {
    for (const deadline = Date.now() + ms; this.settledSeq < seq && this.transports !== undefined && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }

  /** Closes the media-side objects of the current connection, if any. */
  closeTransports(): void {
    closeTransports(this.takeTransports());
  }

  /** Lets go of the current connection's transports without closing them; the caller closes them. */
  takeTransports(): PeerTransports | undefined {
    this.receiving = false;
    const transports = this.transports;
    this.transports = undefined;
    return transports;
  }
}

/** Closes both transports (and so everything on them). */
export function closeTransports(transports: PeerTransports | undefined): void {
  transports?.send?.close();
  transports?.recv.close();
}
