import type { RtpCapabilities, WebRtcTransport } from 'mediasoup/types';
import {
  SwitchboardError,
  type ClientRequests,
  type GrantChange,
  type Grants,
  type MediaRequests,
  type CloseReason,
  type PeerInfo,
  type PeerMetadata,
  type ResumeRequest,
  type ServerNotifications,
  type TrackInfo,
} from '@switchboard/sdk/protocol';
import type { VerifiedToken } from '../auth/token.js';
import { DataRouter, type ReceiverListener, type ServerMessage } from '../data/data-router.js';
import { RoomTraffic } from '../data/room-traffic.js';
import { defaultHistoryPolicy } from '../config/history-options.js';
import { RoomHistory } from '../history/room-history.js';
import { MediaRouter } from '../media/media-router.js';
import type { PlacedRouter } from '../media/router-set.js';
import { openPeerTransports } from '../media/peer-transports.js';
import type { BusPeer } from '../cluster/room-bus.js';
import { updateGrants } from './grant-update.js';
import { joinResult, type JoinResult } from './join-result.js';
import { dataRouterOptions, type RoomContext } from './room-context.js';
import type { Peer, PeerConnection } from './peer.js';
import { PeerPlacement } from './peer-placement.js';
import { RoomAnnouncer } from './room-announcer.js';
import { RemotePeers } from './remote-peers.js';
import { joiningPeer, resumePoint } from './session-start.js';
import { sameSecret, takeOverSession } from './session-takeover.js';

/** What a joining peer asks for besides admission. */
export interface JoinOptions {
  /** Initial topic filter; null receives all. */
  topics: string[] | null;
  /** What its device can receive; needed to subscribe to tracks. */
  rtpCapabilities: RtpCapabilities | undefined;
}

/**
 * A room: its peers, its routers (one per mediasoup worker its peers are on) and its data plane.
 * Peers join with a token, may drop and resume within the grace period, and leave; the room
 * tells everyone. In a cluster, the room's peers on other nodes come through {@link RemotePeers}.
 */
export class Room implements ReceiverListener {
  readonly createdAt = Date.now();
  /** The room's data traffic on this node (its share of the node's data counters). */
  readonly traffic = new RoomTraffic();
  private readonly members = new Map<string, Peer>();
  private readonly data: DataRouter;
  /** The room's history for late joiners (docs/http-api.md). */
  readonly history: RoomHistory;
  private readonly remote: RemotePeers;
  private readonly mediaRouter: MediaRouter;
  private readonly placement: PeerPlacement;
  private readonly announcer: RoomAnnouncer;
  private closed = false;
  /** Joins under way: a room is not empty while one is. */
  private joins = 0;

  private constructor(
    readonly name: string,
    private readonly context: RoomContext,
  ) {
    const { config } = context;
    this.announcer = new RoomAnnouncer(name, this.members, context.webhooks);
    this.history = new RoomHistory({
      room: name,
      defaultPolicy: defaultHistoryPolicy(config),
      caps: { maxLimit: config.historyMaxLimit, maxBytes: config.historyMaxBytes },
      logger: context.logger,
    });
    this.data = new DataRouter(this.members, dataRouterOptions(context, name, this, this.traffic));
    this.remote = new RemotePeers(context.config.nodeId, {
      broadcast: (method, data) => this.announcer.tell(method, data),
      removedHere: (peerId, reason, message) => this.removedElsewhere(peerId, reason, message),
      isLocal: (peerId) => this.members.has(peerId),
    }, context.logger.child({ room: name }));
    this.mediaRouter = new MediaRouter({
      broadcast: (method, data, except) => this.announcer.broadcast(method, data, except),
      tracksChanged: (peer) => this.context.registry.peerChanged(peer.id, this),
      logger: context.logger,
      room: name,
      remote: context.remoteProducers,
    }, { keyFrameRequestDelayMs: context.config.keyFrameRequestDelayMs, videoStartHoldMs: context.config.videoStartHoldMs });
    this.placement = new PeerPlacement({ name, members: this.members, data: this.data, closed: () => this.closed }, context);
  }

  /** Creates a room and opens its channel on the room bus; its routers come with its peers. */
  static async create(name: string, context: RoomContext): Promise<Room> {
    const room = new Room(name, context);
    const channel = await context.registry.openChannel(name, room.remote.handlers(room.data));
    room.remote.attach(channel);
    room.history.attach(channel);
    await room.data.attach(channel);
    return room;
  }

  /** PIDs of the mediasoup workers the room's peers are on. */
  get workerPids(): number[] {
    return this.placement.workerPids();
  }

  /** PID of the worker a peer's transports are on, if it is connected. */
  workerPidOf(peerId: string): number | undefined {
    return this.members.get(peerId)?.home?.worker.worker.pid;
  }

  /** Number of peers, connected or waiting to resume. */
  get size(): number {
    return this.members.size;
  }

  /** Number of peers on every node of the cluster (this node's and the others'), each once. */
  get clusterSize(): number {
    return this.members.size + this.remote.count();
  }

  /** A peer by ID. */
  peer(id: string): Peer | undefined {
    return this.members.get(id);
  }

  /** The bus record of a peer of the room on another node. */
  clusterPeer(peerId: string): BusPeer | undefined {
    return this.remote.record(peerId);
  }

  /** Current peers and whether each is connected or waiting to resume. */
  peers(): (PeerInfo & { connected: boolean; tracks: TrackInfo[]; grants: Grants; worker: number | undefined; sent: { messages: number; bytes: number } })[] {
    return [...this.members.values()].map((p) => ({
      ...p.info(),
      connected: p.connected,
      tracks: this.mediaRouter.tracksOf(p),
      grants: p.grants,
      worker: p.home?.worker.worker.pid,
      sent: { ...p.sent },
    }));
  }

  /** The tracks a peer of this node publishes, muted state included. */
  tracksOf(peer: Peer): TrackInfo[] {
    return this.mediaRouter.tracksOf(peer);
  }

  /** The transports the server sends the room's connected peers their media and data on. */
  receiveTransports(): WebRtcTransport[] {
    return [...this.members.values()].flatMap((p) => (p.transports ? [p.transports.recv] : []));
  }

  /** Producers and consumers of the room, for `/metrics`. */
  mediaCounts(): { producers: number; consumers: number } {
    return this.mediaRouter.counts();
  }

  /**
   * Admits a new peer; a peer already here with the same identity is replaced. A room that a
   * refused join leaves empty (no member, no other join under way) closes.
   */
  async join(token: VerifiedToken, connection: PeerConnection, options: JoinOptions): Promise<{ peer: Peer; result: JoinResult }> {
    this.joins++;
    try {
      return await this.admit(token, connection, options);
    } catch (error) {
      this.context.logger.info('join refused', { room: this.name, identity: token.identity, error: (error as Error).message });
      throw error;
    } finally {
      this.joins--;
      if (this.members.size === 0 && this.joins === 0) this.dispose();
    }
  }

  private async admit(token: VerifiedToken, connection: PeerConnection, options: JoinOptions): Promise<{ peer: Peer; result: JoinResult }> {
    this.assertOpen();
    await this.history.joining(token.roomHistory);
    const history = await this.history.snapshot();
    this.assertOpen();
    const subchannel = this.data.allocateSubchannel();
    if (subchannel === undefined) throw new SwitchboardError('PERMISSION_DENIED', 'the room is full');
    // The room's one order splits history from live traffic at the join: what was kept up to
    // the snapshot's number is history, the rest comes from this node's log (the replay waits
    // for this node to read that far when the snapshot is ahead of it). Never from where this
    // node has read to when that is further: what lies between the snapshot and there would be
    // neither history nor replayed (a late joiner on a cluster node missed 26 comments so).
    const startSeq = history ? history.lastSeq : this.data.lastSeq;
    const peer = joiningPeer(token, subchannel, options.topics, startSeq, this.context.config);
    peer.pendingHistory = history && this.history.deliveries(peer, history, peer.replayFrom);
    this.mediaRouter.setCapabilities(peer, options.rtpCapabilities);
    peer.connection = connection;
    // Added before the older session of the same identity goes, so the room never looks empty.
    this.members.set(peer.id, peer);
    this.context.registry.indexPeer(peer.id, this);
    for (const existing of this.members.values()) {
      if (existing === peer || existing.identity !== token.identity) continue;
      existing.connection?.end('duplicateIdentity', 'the same identity joined the room from another session');
      this.remove(existing, 'duplicateIdentity');
    }
    try {
      const result = await this.connect(peer, false);
      // A join of the same identity replaced this one while its transports were being made.
      if (!this.members.has(peer.id)) {
        peer.closeTransports();
        throw new SwitchboardError('DISCONNECTED', 'the same identity joined from another session meanwhile');
      }
      this.announcer.broadcast('peerJoined', { peer: peer.info() }, peer);
      this.context.webhooks.emit({ type: 'peer.joined', room: this.name, peer: peer.info() });
      this.context.logger.info('peer joined', { room: this.name, peer: peer.id, identity: peer.identity });
      return { peer, result };
    } catch (error) {
      this.remove(peer, 'left');
      throw error;
    }
  }

  /**
   * Takes over a session of the room whose node died (its record is on the bus): it becomes a
   * suspended peer of this node, with its ID and resume key, ready to {@link resume}.
   */
  async adopt(record: BusPeer, request: ResumeRequest): Promise<Peer> {
    this.assertOpen();
    // A session that may never send and never did has no message in the log to look for.
    const mayHaveSent = record.grants.sendData || record.lastSenderSeq > 0;
    const lastSent = await this.data.takeOver(record.id, request.lastReceivedSeq, mayHaveSent);
    const subchannel = this.data.allocateSubchannel();
    if (subchannel === undefined) throw new SwitchboardError('RESUME_FAILED', 'the room is full');
    let peer: Peer;
    try {
      peer = takeOverSession(record, request, lastSent, subchannel, this.context.config);
    } catch (error) {
      this.data.releaseSubchannel(subchannel);
      throw error;
    }
    this.members.set(peer.id, peer);
    this.context.registry.indexPeer(peer.id, this);
    this.context.logger.info('session taken over from another node', { room: this.name, peer: peer.id, node: record.node });
    return peer;
  }

  /** Resumes a dropped session on a new connection. */
  async resume(peer: Peer, request: ResumeRequest, connection: PeerConnection, rtpCapabilities: RtpCapabilities | undefined): Promise<JoinResult> {
    this.assertOpen();
    if (!sameSecret(request.resumeKey, peer.resumeKey)) {
      throw new SwitchboardError('RESUME_FAILED', 'wrong resume key');
    }
    const replayFrom = resumePoint(peer, request, this.data.lastSeq);
    if (!this.data.canReplayFrom(replayFrom)) {
      peer.connection?.end('resumeFailed', 'messages since the last one received are no longer buffered');
      this.remove(peer, 'resumeFailed');
      throw new SwitchboardError('RESUME_FAILED', 'messages since the last one received are no longer buffered; join again');
    }
    const previous = peer.connection;
    peer.connection = connection;
    previous?.drop();
    clearTimeout(peer.graceTimer);
    peer.graceTimer = undefined;
    this.data.stopReceiving(peer);
    this.placement.disconnect(peer);
    peer.replayFrom = replayFrom;
    peer.overflowed = false;
    this.mediaRouter.setCapabilities(peer, rtpCapabilities);
    this.context.logger.info('peer resumed', { room: this.name, peer: peer.id });
    return this.connect(peer, true);
  }

  /** Completes the DTLS set-up of one of the peer's transports. */
  async connectTransport(peer: Peer, params: ClientRequests['connectTransport']['params']): Promise<void> {
    await this.transportOf(peer, params.transportId).connect({ dtlsParameters: params.dtlsParameters });
  }

  /** Registers one of the peer's two DataChannels and starts reading it. */
  produceData(peer: Peer, params: ClientRequests['produceData']['params']): Promise<{ id: string }> {
    return this.data.openChannel(peer, params);
  }

  /** Handles one of the peer's media requests (publish, subscribe, mute, layers). */
  media<M extends keyof MediaRequests>(peer: Peer, method: M, params: MediaRequests[M]['params']): Promise<MediaRequests[M]['result']> {
    const transports = peer.transports;
    if (!transports) throw new SwitchboardError('NOT_FOUND', 'no transports: the connection is being re-established');
    const home = peer.home;
    if (!home) throw new SwitchboardError('NOT_FOUND', 'no transports: the connection is being re-established');
    return this.mediaRouter.handle(peer, { ...transports, router: home.router }, method, params);
  }

  /** Changes which topics' broadcasts the peer receives. */
  setTopics(peer: Peer, topics: string[] | null): void {
    this.data.setTopics(peer, topics);
  }

  /** Changes the peer's own name/metadata and tells everyone. */
  updateSelf(peer: Peer, update: { name?: string; metadata?: PeerMetadata }): PeerInfo {
    if (update.name !== undefined) peer.name = update.name;
    if (update.metadata !== undefined) peer.metadata = update.metadata;
    const info = peer.info();
    this.context.registry.peerChanged(peer.id, this);
    this.announcer.broadcast('peerUpdated', { peer: info }, peer);
    return info;
  }

  /**
   * Removes a peer, telling it why; false if there is no such peer. A peer of another node is
   * removed from the bus, and its node ends its session (see {@link removedElsewhere}).
   */
  async kick(peerId: string, reason: string): Promise<boolean> {
    const peer = this.members.get(peerId);
    if (!peer) return this.remote.kick(peerId, reason);
    peer.connection?.end('kicked', reason);
    this.remove(peer, 'kicked');
    return true;
  }

  /**
   * Changes a peer's grants (see {@link updateGrants}); a peer of another node is changed by
   * its node. Throws `NOT_FOUND` if the room has no such peer. `by` names who asked, for the webhook.
   */
  async setGrants(peerId: string, change: GrantChange, by: string): Promise<Grants> {
    const peer = this.members.get(peerId);
    const record = peer ? undefined : this.remote.record(peerId);
    if (record && this.context.remoteGrants) return this.context.remoteGrants.forward(record.node, this.name, peerId, change, by);
    if (!peer) throw new SwitchboardError('NOT_FOUND', `peer ${peerId} is not in room ${this.name}`);
    return updateGrants(this.name, peer, change, by, {
      dataGrantsChanged: (p) => this.data.grantsChanged(p),
      mediaGrantsChanged: (p) => this.mediaRouter.grantsChanged(p),
      recordChanged: (p) => this.context.registry.peerChanged(p.id, this),
      tell: (method, data, except) => this.announcer.tell(method, data, except),
      webhook: (event) => this.context.webhooks.emit(event),
    });
  }

  /** Another node removed one of this node's peers from the bus (a kick there, with its reason): it ends here. */
  removedElsewhere(peerId: string, reason: 'left' | 'kicked' | 'timeout', message?: string): void {
    const peer = this.members.get(peerId);
    if (!peer) return;
    if (reason === 'kicked') peer.connection?.end('kicked', message ?? 'kicked through another node');
    this.remove(peer, reason);
  }

  /** The peer asked to leave. */
  leave(peer: Peer): void {
    this.remove(peer, 'left');
  }

  /**
   * The peer's signaling connection dropped without a goodbye: it keeps its place for the
   * grace period, waiting to resume.
   */
  connectionLost(peer: Peer, connection: PeerConnection): void {
    if (peer.connection !== connection || !this.members.has(peer.id)) return;
    peer.connection = undefined;
    this.data.stopReceiving(peer);
    this.mediaRouter.endTracks(peer);
    this.placement.disconnect(peer, true);
    const graceMs = this.context.config.reconnectGraceSeconds * 1000;
    this.context.logger.info('peer disconnected; waiting for it to resume', { room: this.name, peer: peer.id, graceMs });
    peer.graceTimer = setTimeout(() => this.remove(peer, 'timeout'), graceMs);
  }

  /**
   * Makes a peer that missed a reliable delivery (its receive buffer overflowed) resume: its
   * connection is cut, the SDK resumes at once and the replay fills the gap. The missed message
   * then arrives after later ones that got through; nothing is lost or duplicated.
   */
  overflowed(peer: Peer): void {
    const connection = peer.connection;
    if (!connection || !peer.receiving) return;
    this.context.logger.warn('receive buffer overflowed; making the peer resume', { room: this.name, peer: peer.id });
    this.connectionLost(peer, connection);
    connection.drop();
  }

  /** Ends a peer that fell so far behind that the log no longer holds what it missed. */
  replayIncomplete(peer: Peer): void {
    this.context.logger.warn('peer fell behind the replay log; ending its session', { room: this.name, peer: peer.id });
    peer.connection?.end('resumeFailed', 'messages you missed are no longer buffered; join again');
    this.remove(peer, 'resumeFailed');
  }

  /** Sends a message as the server (HTTP API); resolves with how many peers it is addressed to. */
  sendFromServer(message: ServerMessage): Promise<number> {
    this.assertOpen();
    return this.data.sendFromServer(message);
  }

  /** Ends every session (server shutdown) and frees the router. */
  close(reason: CloseReason, message: string): void {
    if (this.closed) return;
    for (const peer of [...this.members.values()]) {
      peer.connection?.end(reason, message);
      this.remove(peer, reason);
    }
    this.dispose();
  }

  private connect(peer: Peer, resumed: boolean): Promise<JoinResult> {
    return this.placement.connect(peer, (home) => this.connectOn(peer, home, resumed));
  }

  private async connectOn(peer: Peer, home: PlacedRouter, resumed: boolean): Promise<JoinResult> {
    const { send, recv } = await openPeerTransports(home, this.context.config, peer.grants.sendData || peer.grants.publish);
    peer.transports = { send, recv, producers: {} };
    const dataConsumers = peer.grants.receiveData ? await this.data.openReceiver(peer, recv) : undefined;
    const transports = peer.transports;
    recv.on('sctpstatechange', (state) => {
      if (state === 'connected' && peer.transports === transports) this.data.startReceiving(peer);
    });
    peer.announced = true;
    const peers = [...[...this.members.values()].filter((p) => p !== peer).map((p) => p.info()), ...this.remote.infos()];
    const tracks = [...this.mediaRouter.tracks().filter((t) => t.peerId !== peer.id), ...this.remote.trackInfos()];
    const ice = this.context.iceServers.joinFields(peer.identity);
    return joinResult(peer, { room: this.name, resumed, peers, tracks, home, send, recv, dataConsumers, ice }, this.context.config);
  }

  private transportOf(peer: Peer, id: string): WebRtcTransport {
    const transports = peer.transports;
    const transport = transports?.send?.id === id ? transports.send : transports?.recv.id === id ? transports.recv : undefined;
    if (!transport) throw new SwitchboardError('NOT_FOUND', `no transport ${id} for this peer`);
    return transport;
  }

  private remove(peer: Peer, reason: ServerNotifications['peerLeft']['reason']): void {
    if (!this.members.delete(peer.id)) return;
    clearTimeout(peer.graceTimer);
    peer.connection = undefined;
    this.data.removePeer(peer);
    this.mediaRouter.endTracks(peer);
    this.placement.disconnect(peer, true);
    this.mediaRouter.removePeer(peer);
    // Peers of other nodes hear it with the same reason.
    this.context.registry.unindexPeer(peer.id, reason === 'kicked' || reason === 'timeout' ? reason : 'left');
    this.announcer.broadcast('peerLeft', { peerId: peer.id, reason });
    this.context.webhooks.emit({ type: 'peer.left', room: this.name, peerId: peer.id, identity: peer.identity, reason });
    this.context.logger.info('peer left', { room: this.name, peer: peer.id, reason });
    if (this.members.size === 0) this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.data.close();
    this.placement.close();
    this.context.registry.removeRoom(this);
  }

  private assertOpen(): void {
    if (this.closed) throw new SwitchboardError('NOT_FOUND', `room ${this.name} is closed`);
  }
}
