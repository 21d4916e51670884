import type { ConnectionState, DisconnectedEvent } from './connection/connection.js';
import type { LossyDropReason } from './data-channel/lossy-sender.js';
import type { DirectEvents } from './direct/direct-channels.js';
import type { DecryptionFailedEvent } from './e2ee/e2ee-error.js';
import type { MessageRejectedError } from './errors.js';
import type { AnyMessages, AnyReceivedMessage, MessageMap, TypedMessageEvents } from './messages/message-types.js';
import type { CloseReason, Grants, PeerInfo } from './protocol/index.js';
import type { IncomingStream } from './stream/incoming-stream.js';
import type { TrackEvents } from './track/track-events.js';

/** A peer entered the room. */
export interface PeerJoinedEvent {
  peer: PeerInfo;
}

/** A peer left the room. */
export interface PeerLeftEvent {
  peer: PeerInfo;
  /** Why, as the server said; absent when the departure was noticed on resuming after a drop. */
  reason?: CloseReason | 'timeout';
}

/** A peer changed its name or metadata. */
export interface PeerUpdatedEvent {
  peer: PeerInfo;
  previous: PeerInfo;
}

/** An admin or the server changed this peer's grants; they apply from now on. */
export interface GrantsChangedEvent {
  grants: Grants;
  previous: Grants;
}

/** An admin or the server changed another peer's grants. */
export interface PeerGrantsChangedEvent {
  peerId: string;
  grants: Grants;
}

/** A lossy message was dropped before it was sent (also counted in `stats.lossyDropped`). */
export interface LossyDroppedEvent {
  /** The message's type. */
  type: string;
  /** No open channel (connecting, reconnecting), or its buffer above the high watermark. */
  reason: LossyDropReason;
}

/** The room's connection changed state. */
/** Which of the room's reliable messages are lost (see {@link RoomEvents.messagesLost}). */
export interface MessagesLostEvent {
  fromSeq: number;
  toSeq: number;
}

export interface ConnectionStateChange {
  state: ConnectionState;
  previous: ConnectionState;
}

/**
 * Events of a {@link Room}: peers, messages, connection, media ({@link TrackEvents}), and
 * `message:<type>` ones typed by the room's message map.
 */
export type RoomEvents<M extends MessageMap> = {
  peerJoined: PeerJoinedEvent;
  peerLeft: PeerLeftEvent;
  peerUpdated: PeerUpdatedEvent;
  /** Our grants changed (`room.grants` has the new ones). */
  grantsChanged: GrantsChangedEvent;
  /** Another peer's grants changed. */
  peerGrantsChanged: PeerGrantsChangedEvent;
  /** A message of any type. */
  message: AnyReceivedMessage<M>;
  /** A peer started sending a stream (`room.sendStream`); read it or `cancel()` it. */
  stream: IncomingStream;
  connectionStateChanged: ConnectionStateChange;
  /** The room is over for good: left, kicked, or the connection could not be restored. */
  disconnected: DisconnectedEvent;
  /** The server did not deliver one of our messages (its `seq` is the sender's number). */
  messageRejected: MessageRejectedError;
  /** End-to-end encryption is on and a payload did not decrypt; it was dropped. */
  decryptionFailed: DecryptionFailedEvent;
  /** One of our lossy messages was dropped before it was sent. */
  lossyDropped: LossyDroppedEvent;
  /**
   * Reliable messages of others, numbered `fromSeq`..`toSeq` in the room, that we have not
   * received never will be (the cluster's Redis lost them): resynchronise state that depends on them.
   */
  messagesLost: MessagesLostEvent;
} & TrackEvents &
  DirectEvents &
  TypedMessageEvents<M>;

/** Any event name of a room, whatever its message map. */
export type AnyRoomEvent = keyof RoomEvents<AnyMessages>;
