import type { Connection, ConnectionState, DisconnectedEvent } from './connection/connection.js';
import type { DataPlane, DataStats } from './data-channel/data-plane.js';
import type { DirectChannel } from './direct/direct-channel.js';
import { DirectChannels, type DirectEvents } from './direct/direct-channels.js';
import type { DirectChannelOptions, DirectOptions } from './direct/direct-options.js';
import type { DecryptionFailedEvent } from './e2ee/e2ee-error.js';
import { DisconnectedError } from './errors.js';
import { Emitter, Holdback, type Listener, type Unsubscribe } from './events.js';
import type { AnyMessages, MessageMap, MessageType, SendOptions } from './messages/message-types.js';
import { RoomMessaging } from './messages/room-messaging.js';
import { grantChangeParams, type GrantChangeRequest } from './participant/grant-change-request.js';
import { Participants } from './participant/participants.js';
import { GRANT_NAMES, type Grants, type Limits, type PeerInfo, type PeerMetadata } from './protocol/index.js';
import type { RpcCallOptions, RpcHandler } from './rpc/rpc-endpoint.js';
import type { AnyRoomEvent, RoomEvents } from './room-events.js';
import type { AnyNotification, JoinResult } from './signaling/server-frame.js';
import type { LocalTrack } from './track/local-track.js';
import type { MediaFactory, RoomMedia } from './track/room-media.js';
import type { PublishOptions } from './track/publish-options.js';
import type { RemoteTrack } from './track/remote-track.js';
import type { StreamHandle } from './stream/outgoing-stream.js';
import type { SendStreamOptions } from './stream/room-streams.js';
import type { StreamSource } from './stream/stream-source.js';
import type { TrackEventEmitter, TrackEvents } from './track/track-events.js';

/** What {@link Room.updateSelf} may change. */
export interface SelfUpdate {
  name?: string;
  metadata?: PeerMetadata;
}

/** Direct channel settings of a room, from `connect`. */
export interface RoomDirectSettings extends DirectOptions {
  /** The RTCPeerConnection class of the environment, if it has one. */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** `connect`'s `iceServers`, which replace the server's. */
  roomIceServers?: RTCIceServer[];
}

// Room envelope header around a relayed direct frame: kind, seq, type, target.
const RELAY_ENVELOPE_OVERHEAD = 128;

/**
 * A joined room: its peers, messages, RPC, audio/video tracks and connection. Get one from
 * {@link connect}. The type parameter is the message map given to `connect` as `messages`.
 */
export class Room<M extends MessageMap = AnyMessages> {
  // Typed for any message map: the public methods narrow it to M, which the compiler cannot
  // resolve inside this generic class.
  private readonly events = new Emitter<RoomEvents<AnyMessages>>();
  private readonly participants = new Participants();
  private readonly messaging: RoomMessaging;
  private readonly media: RoomMedia;
  private readonly direct: DirectChannels;
  // Set by the first `join`, which completes before `connect` hands the room out.
  private session!: JoinResult;
  // Deliveries and media events that come before the application can listen (see `hold`).
  private readonly holdback = new Holdback();

  /** @internal Rooms are made by {@link connect}. */
  constructor(
    private readonly connection: Connection,
    private readonly data: DataPlane,
    rpcTimeoutMs: number,
    createMedia: MediaFactory,
    direct: RoomDirectSettings = {},
  ) {
    const { RTCPeerConnection: peerConnectionClass, roomIceServers, ...directOptions } = direct;
    this.messaging = new RoomMessaging(
      {
        data,
        holdback: this.holdback,
        grants: () => this.grants,
        limits: () => this.limits,
        inRoom: (peerId) => this.peers.has(peerId),
        identityOf: (peerId) => this.identityOf(peerId),
        emit: (event, payload) => this.events.emit(event as AnyRoomEvent, payload as never),
        listens: (event) => this.events.has(event as AnyRoomEvent),
        relayed: (from, payload) => this.direct.relayed(from, payload),
      },
      rpcTimeoutMs,
    );
    this.direct = new DirectChannels(
      {
        grants: () => this.grants,
        peer: (peerId) => this.peers.get(peerId),
        iceServers: () => roomIceServers ?? this.session.iceServers ?? [],
        signal: async (to, channelId, signal) => {
          await connection.request('directSignal', { to, channelId, signal });
        },
        relay: (peerId, bytes, reliable) => this.messaging.relay(peerId, bytes, reliable),
        maxFrameSize: () => this.limits.maxMessageSize - RELAY_ENVELOPE_OVERHEAD,
        encryptionFor: (peerId) =>
          data.encryption && { encryption: data.encryption, peerIdentity: () => this.identityOf(peerId), failed: (event) => this.events.emit('decryptionFailed', event) },
        // The room's events include DirectEvents; the emitter is typed for any message map.
        emitter: this.events as unknown as Emitter<DirectEvents>,
      },
      directOptions,
      peerConnectionClass,
    );
    const emit: TrackEventEmitter = (event, payload) => this.holdback.run(() => this.events.emit<keyof TrackEvents>(event, payload));
    const room = {
      grants: () => this.grants,
      selfId: () => this.peerId,
      inRoom: (peerId: string) => this.peers.has(peerId),
      identityOf: (peerId: string) => this.identityOf(peerId),
      decryptionFailed: (event: DecryptionFailedEvent) => this.holdback.run(() => this.events.emit('decryptionFailed', event)),
      emit,
    };
    this.media = createMedia(room);
    const events = connection.events;
    events.on('joined', (result) => this.joined(result));
    events.on('ready', (session) => {
      if (session.channels !== undefined) data.attach(session.channels);
      this.media.ready(session);
    });
    events.on('lost', () => {
      data.detach();
      this.media.lost();
    });
    events.on('notification', (notification) => this.notified(notification));
    events.on('data', (bytes) => this.messaging.received(bytes));
    events.on('state', (change) => this.events.emit('connectionStateChanged', change));
    events.on('closed', (event) => this.closed(event));
  }

  /** This peer, as the others see it. */
  get self(): PeerInfo {
    return this.participants.self;
  }

  /** This peer's ID (stable across reconnects). */
  get peerId(): string {
    return this.participants.self.id;
  }

  /** The room's name. */
  get roomName(): string {
    return this.session.room;
  }

  /** What this peer's token allows. */
  get grants(): Grants {
    return this.session.grants;
  }

  /** The server's limits on data messages. */
  get limits(): Limits {
    return this.session.limits;
  }

  /** The other peers in the room, by ID. */
  get peers(): ReadonlyMap<string, PeerInfo> {
    return this.participants.peers;
  }

  /** Where the connection stands. */
  get connectionState(): ConnectionState {
    return this.connection.state;
  }

  /** Counters of the data channels. */
  get stats(): DataStats {
    return this.data.stats;
  }

  /** The other peers' tracks, by their current ID. */
  get tracks(): ReadonlyMap<string, RemoteTrack> {
    return this.media.tracks;
  }

  /** This peer's published tracks, by name. */
  get localTracks(): ReadonlyMap<string, LocalTrack> {
    return this.media.localTracks;
  }

  /** Listens to `event` until the returned function is called. */
  on<K extends keyof RoomEvents<M>>(event: K, listener: Listener<RoomEvents<M>[K]>): Unsubscribe {
    return this.events.on(event as AnyRoomEvent, listener as Listener<unknown>);
  }

  /** Listens to the next `event` only. */
  once<K extends keyof RoomEvents<M>>(event: K, listener: Listener<RoomEvents<M>[K]>): Unsubscribe {
    return this.events.once(event as AnyRoomEvent, listener as Listener<unknown>);
  }

  /** Stops `listener` from getting `event`. */
  off<K extends keyof RoomEvents<M>>(event: K, listener: Listener<RoomEvents<M>[K]>): void {
    this.events.off(event as AnyRoomEvent, listener as Listener<unknown>);
  }

  /**
   * Sends a message to the room, or to the recipients in `options.to` (peer IDs or identities).
   * A reliable message resolves once it is handed to the data channel: at once, or when the
   * channel's buffer has room (backpressure) or the connection is back (it is queued meanwhile,
   * and replayed exactly once). A refusal by the server then comes as a `messageRejected` event;
   * with `receipt: true` it resolves once the server accepted the message and rejects with its
   * refusal ({@link MessageRejectedError}) instead. A lossy one resolves at once, even if dropped
   * (a `lossyDropped` event says so). Rejects with {@link MessageError} (nothing sent: too large,
   * malformed, no grant) or {@link DisconnectedError}.
   */
  send<T extends MessageType<M>>(type: T, data: M[T], options: SendOptions = {}): Promise<void> {
    return this.messaging.send(type, data, options);
  }

  /**
   * Sends bytes, text, a Blob/File, a ReadableStream or an (async) iterable of chunks as a stream
   * of `type` to the room or to `options.to`, chunked over the reliable channel at the pace the
   * channel and the server's stream limits allow. Receivers get a `stream` event. Returns at once
   * with a {@link StreamHandle} (progress, `cancel()`, `done`); throws {@link MessageError}
   * when it cannot start (no `sendData` grant, a bad type, topic, target list or source).
   */
  sendStream(type: MessageType<M>, source: StreamSource, options?: SendStreamOptions): StreamHandle {
    return this.messaging.sendStream(type, source, options);
  }

  /**
   * Calls `method` on peer `peerId` and resolves with what its handler returned. Rejects with
   * {@link RpcError}. The result type is the caller's assertion; it is not validated.
   */
  rpc<R = unknown>(peerId: string, method: string, payload?: unknown, options?: RpcCallOptions): Promise<R> {
    return this.messaging.rpc(peerId, method, payload, options) as Promise<R>;
  }

  /** Answers other peers' calls of `method`; replaces an earlier handler. Returns the way to stop. */
  handle(method: string, handler: RpcHandler): Unsubscribe {
    return this.messaging.handle(method, handler);
  }

  /**
   * Opens a direct peer-to-peer channel to `peerId` (both tokens need the `direct` grant; its
   * offer, answer and ICE candidates go through the server). Resolves once the peer accepted and
   * the channel carries messages: peer to peer, or through the server if ICE did not connect
   * within `fallbackMs`. Rejects with {@link DirectChannelError} (`REFUSED`, `PERMISSION_DENIED`,
   * `UNKNOWN_TARGET`, `PEER_LEFT`, `TIMEOUT`, `DISCONNECTED`). The type parameter is the
   * channel's message map (default: the room's).
   */
  openDirect<DM extends MessageMap = M>(peerId: string, options?: DirectChannelOptions): Promise<DirectChannel<DM>> {
    return this.direct.open<DM>(peerId, options);
  }

  /** Receives only broadcasts without a topic or with one of `topics`; `null` receives all. */
  async setTopics(topics: readonly string[] | null): Promise<void> {
    await this.connection.request('setTopics', { topics: topics === null ? null : [...topics] });
  }

  /** Changes this peer's name and/or metadata; the others get `peerUpdated`. */
  async updateSelf(update: SelfUpdate): Promise<PeerInfo> {
    const { self } = await this.connection.request('updateSelf', update);
    this.participants.updateSelf(self);
    return self;
  }

  /** Removes a peer from the room (needs the `admin` grant). */
  async kick(peerId: string, reason?: string): Promise<void> {
    await this.connection.request('kick', { peerId, reason });
  }

  /**
   * Changes another peer's grants, effective at once (needs `admin`; docs/sdk.md, Moderation).
   * Resolves with its new grants; rejects with {@link RequestError} (`PERMISSION_DENIED`, `NOT_FOUND`, `MALFORMED`).
   */
  async setGrants(peerId: string, change: GrantChangeRequest): Promise<Grants> {
    const { grants } = await this.connection.request('setGrants', { peerId, ...grantChangeParams(change) });
    return grants;
  }

  /**
   * Publishes an audio or video track (e.g. from {@link openCamera}) once the server has it; it
   * stays published across reconnects until `stop()`. Rejects with {@link TrackError} (e.g.
   * `PERMISSION_DENIED`), {@link RequestError} (the server's refusal) or {@link DisconnectedError}.
   */
  publish(track: MediaStreamTrack, options: PublishOptions = {}): Promise<LocalTrack> {
    return this.media.publish(track, options);
  }

  /** Leaves the room; `disconnected` follows with reason `left`. */
  async leave(): Promise<void> {
    // The server closes our channels when it gets `leave`, so nothing is handed to them from
    // then on: with wrtc (Node), a send racing a close from the other end can crash the process.
    const unacked = this.data.stopSending();
    await this.connection.leave(unacked > 0 ? { sent: unacked } : {});
  }

  /**
   * @internal Keeps received messages, RPC requests and media events from being emitted until
   * {@link release}. `connect` holds them while it joins: the receive channels may open before
   * the send channels, and what arrives then would otherwise be emitted before anyone could add
   * a listener.
   */
  hold(): void {
    this.holdback.hold();
  }

  /**
   * @internal Emits what was held, on the next task: after the code awaiting `connect` has run
   * its synchronous part, which is where it adds its listeners and RPC handlers.
   */
  release(): void {
    this.holdback.release();
  }

  private identityOf(peerId: string): string | undefined {
    return peerId === this.peerId ? this.self.identity : this.peers.get(peerId)?.identity;
  }

  private joined(result: JoinResult): void {
    const previous = this.session;
    const resumed = previous !== undefined;
    this.session = result;
    this.messaging.joined(result);
    this.direct.joined(result.grants);
    if (previous !== undefined && GRANT_NAMES.some((name) => previous.grants[name] !== result.grants[name])) {
      this.grantsChanged(result.grants, previous.grants);
    }
    const changes = this.participants.replace(result.self, result.peers);
    this.media.joined(result);
    if (!resumed) return;
    // Notifications missed while disconnected, reconstructed from the fresh peer list.
    for (const peer of changes.left) {
      this.messaging.peerLeft(peer.id);
      this.direct.peerLeft(peer.id);
      this.events.emit('peerLeft', { peer });
    }
    for (const peer of changes.joined) this.events.emit('peerJoined', { peer });
    for (const change of changes.updated) this.events.emit('peerUpdated', change);
  }

  private notified(notification: AnyNotification): void {
    // Before the first join result there is no peer list to update; that result is built after
    // anything a notification could say, so nothing is lost by skipping it.
    if (this.session === undefined) return;
    switch (notification.method) {
      case 'peerJoined':
        if (this.participants.add(notification.data.peer)) this.events.emit('peerJoined', notification.data);
        break;
      case 'peerLeft': {
        const { peerId, reason } = notification.data;
        this.messaging.peerLeft(peerId);
        this.direct.peerLeft(peerId);
        this.media.peerLeft(peerId);
        const peer = this.participants.remove(peerId);
        if (peer !== undefined) this.events.emit('peerLeft', { peer, reason });
        break;
      }
      case 'peerUpdated': {
        const { peer } = notification.data;
        const previous = this.participants.update(peer);
        if (previous !== undefined) this.events.emit('peerUpdated', { peer, previous });
        break;
      }
      case 'directSignal':
        this.direct.signaled(notification.data);
        break;
      case 'ack':
        this.messaging.acked(notification.data.seq);
        break;
      case 'messageRejected': {
        const { channel, seq, error } = notification.data;
        this.messaging.rejected(channel, seq, error);
        break;
      }
      case 'messagesLost':
        this.messaging.lost(notification.data.fromSeq, notification.data.toSeq);
        break;
      case 'grantsChanged':
        this.grantsChanged(notification.data.grants, notification.data.previous);
        break;
      case 'peerGrantsChanged':
        if (this.participants.peers.has(notification.data.peerId)) this.events.emit('peerGrantsChanged', notification.data);
        break;
      default:
        this.media.notified(notification);
    }
  }

  private grantsChanged(grants: Grants, previous: Grants): void {
    this.session = { ...this.session, grants };
    this.media.grantsChanged(grants);
    this.events.emit('grantsChanged', { grants, previous });
  }

  private closed(event: DisconnectedEvent): void {
    const error = new DisconnectedError(`the room is disconnected: ${event.message}`, { cause: event.error });
    this.messaging.closed(error);
    this.direct.closeAll(error.message);
    this.media.closed(error);
    this.events.emit('disconnected', event);
  }
}
