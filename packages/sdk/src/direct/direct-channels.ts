import type { DirectEncryption } from '../e2ee/direct-cipher.js';
import type { Emitter } from '../events.js';
import type { AnyMessages, MessageMap } from '../messages/message-types.js';
import { SwitchboardError, type DirectSignal, type Grants, type PeerInfo, type ServerNotifications } from '../protocol/index.js';
import type * as ChannelCode from './channel-code.js';
import type { ChannelHost, DirectChannel } from './direct-channel.js';
import { DirectChannelError } from './direct-error.js';
import { DEFAULT_ACCEPT_TIMEOUT_MS, type DirectChannelOptions, type DirectOptions } from './direct-options.js';

/** A peer asks to open a direct channel; call `accept` or `refuse` (undecided ones time out at the peer). */
export interface DirectRequest<M extends MessageMap = AnyMessages> {
  peer: PeerInfo;
  /** Accepts; resolves like `openDirect` once the channel carries messages. */
  accept(options?: DirectChannelOptions): Promise<DirectChannel<M>>;
  /** Declines; the peer's `openDirect` fails with `REFUSED`. */
  refuse(reason?: string): void;
}

/** Room events about direct channels. */
export interface DirectEvents {
  /** A peer asks for a direct channel (when `direct.incoming` is `'ask'`). */
  directRequest: DirectRequest;
  /** A channel opened by a peer was accepted (by `accept`, or by `direct.incoming: 'accept'`). */
  directChannel: DirectChannel;
}

/** What the room gives its direct channels. */
export interface DirectRoom {
  grants(): Grants;
  peer(peerId: string): PeerInfo | undefined;
  /** The room's ICE servers: `connect`'s `iceServers`, else the server's. */
  iceServers(): RTCIceServer[];
  /** Sends a `directSignal` request, waiting through reconnects. */
  signal(to: string, channelId: string, signal: DirectSignal): Promise<void>;
  relay(peerId: string, bytes: Uint8Array, reliable: boolean): Promise<void>;
  maxFrameSize(): number;
  emitter: Emitter<DirectEvents>;
  /** End-to-end encryption of a channel's payloads to `peerId`, when it is on. */
  encryptionFor?(peerId: string): DirectEncryption | undefined;
}

// Errors of a signal that mean the peer can no longer be reached this way.
const FATAL_SIGNAL_ERRORS: ReadonlySet<string> = new Set(['UNKNOWN_TARGET', 'PERMISSION_DENIED', 'NOT_FOUND']);

/** The lazily loaded channel code. */
export type ChannelModule = typeof ChannelCode;

/**
 * The direct channels of one room, by peer and channel ID: opens them, routes the server's
 * `directSignal` notifications and relayed frames to them, and ends them when their peer leaves
 * or the room ends.
 *
 * The channels themselves (their connection, path switching, ordering and framing) are loaded
 * on first use, so a page that never opens or accepts one does not download them: most rooms'
 * pages are chat and comments (docs/components.md, bundle sizes). A room whose token grants
 * `direct` starts loading at once, so that offers rarely wait; events that arrive while the
 * code loads wait for it, in order.
 */
export class DirectChannels {
  private readonly channels = new Map<string, DirectChannel<MessageMap>>();
  private readonly host: ChannelHost;
  private module: ChannelModule | undefined;
  private loading: Promise<ChannelModule> | undefined;
  /** Events that arrived while the channel code was loading, in order. */
  private waiting: (() => void)[] | undefined;
  /** Why the code failed to load, while the events that waited for it are refused. */
  private loadFailure: Error | undefined;

  constructor(
    private readonly room: DirectRoom,
    private readonly options: DirectOptions,
    peerConnectionClass: typeof globalThis.RTCPeerConnection | undefined,
    private readonly loadCode: () => Promise<ChannelModule> = () => import('./channel-code.js'),
  ) {
    this.host = {
      get RTCPeerConnection(): typeof RTCPeerConnection {
        if (peerConnectionClass === undefined) throw new SwitchboardError('UNSUPPORTED', 'this environment has no RTCPeerConnection for direct channels');
        return peerConnectionClass;
      },
      signal: (peerId, channelId, signal) => this.signal(peerId, channelId, signal),
      relay: (peerId, bytes, reliable) => room.relay(peerId, bytes, reliable),
      maxFrameSize: () => room.maxFrameSize(),
      encryptionFor: (peerId) => room.encryptionFor?.(peerId),
      ended: (channel) => {
        if (this.channels.get(key(channel.peerId, channel.id)) === channel) this.channels.delete(key(channel.peerId, channel.id));
      },
    };
  }

  /** Starts loading the channel code if the token grants `direct`; the room calls it on each join. */
  joined(grants: Grants): void {
    if (grants.direct) this.load().catch(() => undefined);
  }

  /** Opens a channel to `peerId`; see `Room.openDirect`. */
  async open<M extends MessageMap>(peerId: string, options: DirectChannelOptions = {}): Promise<DirectChannel<M>> {
    if (!this.room.grants().direct) throw new DirectChannelError('PERMISSION_DENIED', 'this token does not grant direct', peerId);
    if (this.room.peer(peerId) === undefined) throw new DirectChannelError('UNKNOWN_TARGET', `peer ${peerId} is not in this room`, peerId);
    try {
      await this.load();
    } catch (error) {
      throw new DirectChannelError('UNAVAILABLE', `direct channels could not be loaded: ${(error as Error).message}`, peerId, { cause: error });
    }
    const channel = this.create<M>(randomId(), peerId, true, options);
    const timeoutMs = options.acceptTimeoutMs ?? this.options.acceptTimeoutMs ?? DEFAULT_ACCEPT_TIMEOUT_MS;
    const timer = setTimeout(() => channel.end({ reason: 'no answer', error: new DirectChannelError('TIMEOUT', `peer ${peerId} did not accept within ${timeoutMs} ms`, peerId) }), timeoutMs);
    channel.start();
    try {
      await channel.opened;
    } finally {
      clearTimeout(timer);
    }
    return channel;
  }

  /** A `directSignal` notification. */
  signaled(notification: ServerNotifications['directSignal']): void {
    if (this.waiting !== undefined) {
      this.waiting.push(() => this.signaled(notification));
      return;
    }
    const { from, channelId, signal } = notification;
    const channel = this.channels.get(key(from, channelId));
    if (channel !== undefined) channel.signaled(signal);
    else if (signal.type !== 'offer') return;
    else if (this.module !== undefined) this.requested(from, channelId, signal.sdp);
    else if (this.loadFailure !== undefined) {
      // Nothing can answer the offer: the opener hears why instead of waiting for its timeout.
      this.signal(from, channelId, { type: 'refuse', reason: `the page could not load direct channels: ${this.loadFailure.message}` });
    } else {
      this.waiting = [() => this.signaled(notification)];
      this.load().then(
        () => this.replay(),
        (error: unknown) => this.replay(error as Error),
      );
    }
  }

  /** Handles the events that waited for the channel code, in order (offers refused if it failed to load). */
  private replay(failure?: Error): void {
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    this.loadFailure = failure;
    for (const event of waiting) event();
    this.loadFailure = undefined;
  }

  /** A relayed frame (the payload of a room message of type {@link RELAY_MESSAGE_TYPE}). */
  relayed(from: string, payload: unknown): void {
    if (this.waiting !== undefined) {
      this.waiting.push(() => this.relayed(from, payload));
      return;
    }
    // No channel can exist before the code is there.
    if (this.module === undefined) return;
    let relayed;
    try {
      relayed = this.module.readRelayed(payload);
    } catch {
      return;
    }
    this.channels.get(key(from, relayed.channelId))?.relayed(relayed.frame);
  }

  /** Ends the channels with a peer that left. */
  peerLeft(peerId: string): void {
    if (this.waiting !== undefined) {
      this.waiting.push(() => this.peerLeft(peerId));
      return;
    }
    for (const channel of [...this.channels.values()]) {
      if (channel.peerId === peerId) channel.end({ reason: 'the peer left', error: new DirectChannelError('PEER_LEFT', `peer ${peerId} left the room`, peerId) });
    }
  }

  /** Ends every channel: the room is over. */
  closeAll(message: string): void {
    this.waiting = undefined;
    for (const channel of [...this.channels.values()]) {
      channel.end({ reason: message, error: new DirectChannelError('DISCONNECTED', message, channel.peerId) });
    }
  }

  private requested(from: string, channelId: string, offer: string): void {
    const peer = this.room.peer(from);
    if (peer === undefined) return;
    const policy = this.options.incoming ?? 'ask';
    let decided = false;
    const accept = (options?: DirectChannelOptions): Promise<DirectChannel<AnyMessages>> => {
      if (decided) return Promise.reject(new DirectChannelError('MALFORMED', 'this request was already decided', from));
      decided = true;
      const channel = this.create<AnyMessages>(channelId, from, false, options ?? {});
      channel.start(offer);
      this.room.emitter.emit('directChannel', channel as DirectChannel);
      return channel.opened.then(() => channel);
    };
    const refuse = (reason = 'refused'): void => {
      if (decided) return;
      decided = true;
      this.signal(from, channelId, { type: 'refuse', reason });
    };
    if (policy === 'accept') void accept().catch(() => undefined);
    else if (policy === 'refuse') refuse();
    else this.room.emitter.emit('directRequest', { peer, accept, refuse });
  }

  /** The channel code, loaded once; a failed load is tried again at the next use. */
  private load(): Promise<ChannelModule> {
    this.loading ??= this.loadCode().then(
      (module) => (this.module = module),
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  // Called only once `load` has resolved.
  private create<M extends MessageMap>(id: string, peerId: string, opener: boolean, options: DirectChannelOptions): DirectChannel<M> {
    const merged = { ...this.options, ...options };
    const channel = new this.module!.DirectChannel<M>(id, peerId, opener, { ...merged, iceServers: merged.iceServers ?? this.room.iceServers() }, this.host);
    this.channels.set(key(peerId, id), channel as unknown as DirectChannel<MessageMap>);
    return channel;
  }

  // Signals are fire and forget: a lost candidate costs a path, a lost offer a retry. Refusals
  // that mean the peer is out of reach end its channel.
  private signal(peerId: string, channelId: string, signal: DirectSignal): void {
    this.room.signal(peerId, channelId, signal).catch((error: unknown) => {
      if (!(error instanceof SwitchboardError) || !FATAL_SIGNAL_ERRORS.has(error.code)) return;
      const channel = this.channels.get(key(peerId, channelId));
      channel?.end({ reason: error.message, error: new DirectChannelError(error.code, error.message, peerId, { cause: error }) });
    });
  }
}

function key(peerId: string, channelId: string): string {
  return `${peerId}\n${channelId}`;
}

function randomId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
