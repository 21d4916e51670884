import type { Grants, PeerMetadata, TrackInfo } from '@switchboard/sdk/protocol';
import type { HistoryPolicy } from '../history/history-policy.js';

/**
 * What the room bus carries of a data message: the sender, the addressing the receiving node
 * needs to route it, and the body, opaque to the bus (the data plane's encoding).
 */
export interface BusMessage {
  /** Sender's peer ID (or the server's sender ID). */
  readonly from: string;
  /** Explicit recipients, or undefined for a broadcast. */
  readonly targets: readonly string[] | undefined;
  readonly topic: string | undefined;
  readonly body: Uint8Array;
  /** The message type, for the room's history policy (absent: never kept). */
  readonly type?: string | undefined;
}

/** A reliable message with its place in the room's one total order. */
export interface SequencedMessage extends BusMessage {
  /** Room sequence number: 1, 2, 3… with no gaps, the same on every node. */
  readonly seq: number;
  /** When it was sequenced (ms since epoch). */
  readonly at: number;
}

/** What {@link RoomChannel.history} answers. */
export interface HistorySnapshot {
  readonly policy: HistoryPolicy | null;
  readonly kept: readonly SequencedMessage[];
  /** The room's highest sequence number when the snapshot was taken. */
  readonly lastSeq: number;
}

/** A room member as every node sees it. */
export interface BusPeer {
  readonly id: string;
  readonly identity: string;
  readonly name?: string | undefined;
  readonly metadata?: PeerMetadata | undefined;
  readonly grants: Grants;
  /** ID of the node whose signaling connection the peer uses. */
  readonly node: string;
  readonly joinedAt: number;
  /** Tracks it publishes. */
  readonly tracks: readonly TrackInfo[];
  /** Hash of its resume key: another node can check a resume without knowing the key. */
  readonly resumeKeyHash: string;
  /** Sequence number of the last reliable message accepted from it (for exactly-once sends). */
  readonly lastSenderSeq: number;
}

/** Why a peer left, as the bus reports it. */
export type BusLeaveReason = 'left' | 'kicked' | 'timeout' | 'nodeLost';

/** What a node does with the room's traffic; the bus calls these on every node with the room open. */
export interface RoomBusHandlers {
  /** The next reliable message, in sequence order: each exactly once per node. */
  reliable(message: SequencedMessage): void;
  /**
   * The reliable messages of one read of the room's log were all handed over: the node sends
   * what they make it send now rather than at the end of the event-loop turn (a bus that hands
   * messages over one by one, as the local one does, need not call it).
   */
  readDone(): void;
  /** A lossy message: at most once per node, in no guaranteed order. */
  lossy(message: BusMessage): void;
  /** Messages `fromSeq`..`toSeq` were trimmed from the log before this node read them. */
  gap(fromSeq: number, toSeq: number): void;
  /** A peer appeared (on any node, this one included). */
  peerJoined(peer: BusPeer): void;
  /** A peer's record changed (tracks, metadata, last sender seq…). */
  peerUpdated(peer: BusPeer): void;
  /** A peer is gone: exactly once per peer per node; `message` is a kick's reason, for the peer. */
  peerLeft(peer: BusPeer, reason: BusLeaveReason, message?: string): void;
}

/** One room as this node takes part in it. Every method may fail with `UNAVAILABLE`. */
export interface RoomChannel {
  readonly room: string;
  /**
   * Gives the message the room's next sequence number and logs it; every node with the room
   * open (this one too) then gets it through `reliable`, in order. Resolves with the number.
   */
  publishReliable(message: BusMessage): Promise<number>;
  /** Sends to every node with the room open (this one at once); dropped, never delayed, when the bus is down. */
  publishLossy(message: BusMessage): void;
  /**
   * The logged messages after `seq`, oldest first, or undefined when some of them were already
   * trimmed (the caller cannot replay completely).
   */
  replay(afterSeq: number): Promise<SequencedMessage[] | undefined>;
  /** The highest sequence number given so far (0: none). */
  lastSeq(): Promise<number>;
  /**
   * Sets the room's history policy (null: none): `replace` always, `ifUnset` only if the room
   * has none yet. Resolves with the policy in force. From then on `publishReliable` keeps the
   * messages it matches, in the same step that numbers them.
   */
  setHistoryPolicy(policy: HistoryPolicy | null, mode: 'replace' | 'ifUnset'): Promise<HistoryPolicy | null>;
  /** The room's history policy (null: none). */
  historyPolicy(): Promise<HistoryPolicy | null>;
  /**
   * The room's history at one instant: its policy, the messages kept under it (oldest first;
   * up to twice the policy's limit and bytes, see {@link keptUpTo}) and the room's newest
   * sequence number then.
   */
  history(): Promise<HistorySnapshot>;
  /**
   * Adds or replaces a member (a replacement is reported as `peerUpdated`). A member of this
   * node added or removed while the bus is unavailable fails with `UNAVAILABLE`, and is still
   * added or removed once the bus is back: the node is the authority on its own members.
   */
  putPeer(peer: BusPeer): Promise<void>;
  /**
   * Removes a member; resolves false if it was not there (someone else removed it first).
   * `message` (a kick's reason) reaches the member's node with the removal.
   */
  removePeer(peerId: string, reason: BusLeaveReason, message?: string): Promise<boolean>;
  /** Current members, as last seen by this node. */
  peers(): ReadonlyMap<string, BusPeer>;
  /** Stops taking part: no more handler calls. This node's peers must have been removed first. */
  close(): Promise<void>;
}

/** A node's view of the bus. */
export interface BusHealth {
  mode: 'local' | 'redis';
  /** Whether the bus works right now (always true for the local bus). */
  reachable: boolean;
  /** IDs of the nodes alive, this one included. */
  nodes: string[];
}

/**
 * How the rooms of one node reach the rest of the cluster: a local implementation (one node,
 * in memory) and a Redis one (many nodes). The data plane and the room registry talk only to this.
 */
export interface RoomBus {
  /** This node's ID. */
  readonly nodeId: string;
  /** Opens `room` on this node; its traffic goes to `handlers` until the channel is closed. */
  openRoom(room: string, handlers: RoomBusHandlers): Promise<RoomChannel>;
  /** Names of the rooms that have members anywhere in the cluster. */
  rooms(): Promise<string[]>;
  /** Members of `room` anywhere in the cluster, whether or not this node has it open. */
  roomPeers(room: string): Promise<BusPeer[]>;
  health(): BusHealth;
  /** Leaves the cluster: this node's peers are removed (reason `nodeLost`), connections closed. */
  close(): Promise<void>;
}
