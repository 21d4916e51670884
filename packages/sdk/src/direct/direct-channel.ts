import { MessageError } from '../errors.js';
import { Emitter, type Listener, type Unsubscribe } from '../events.js';
import type { AnyMessages, MessageMap, MessageType } from '../messages/message-types.js';
import { MAX_NAME_LENGTH, type DirectSignal } from '../protocol/index.js';
import { DirectCipher, type DirectEncryption } from '../e2ee/direct-cipher.js';
import { DirectChannelError } from './direct-error.js';
import { encodeFrame, relayFrameSize, type DirectFrame } from './direct-frame.js';
import { DirectLink } from './direct-link.js';
import { decodeLinkFrame, encodeLinkAck, encodeLinkMessage } from './link-frame.js';
import { packPayload, unpackPayload } from './payload.js';
import { DEFAULT_FALLBACK_MS, type DirectChannelOptions } from './direct-options.js';
import { Sequencer } from './sequencer.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const SENT: Promise<void> = Promise.resolve();

/** Which way a direct channel's messages go: still opening, peer to peer, through the server, or nowhere. */
export type DirectPath = 'connecting' | 'direct' | 'relay' | 'closed';

/** A message received on a direct channel. */
export interface DirectMessage<T extends string = string, D = unknown> {
  type: T;
  data: D;
  /** The peer at the other end. */
  from: string;
  /** The path it came by. */
  path: 'direct' | 'relay';
}

/** The channel changed path. */
export interface DirectPathChange {
  path: DirectPath;
  previous: DirectPath;
}

/** The channel ended; `error` says why unless it was closed by this side or the peer. */
export interface DirectClosedEvent {
  reason: string;
  error?: DirectChannelError;
}

/** Events of a {@link DirectChannel}; `message:<type>` ones are typed by its message map. */
export type DirectChannelEvents<M extends MessageMap> = {
  message: DirectMessage<MessageType<M>, M[MessageType<M>]>;
  path: DirectPathChange;
  closed: DirectClosedEvent;
} & { [T in MessageType<M> as `message:${T}`]: DirectMessage<T, M[T]> };

/** What a channel needs from the room it belongs to. */
export interface ChannelHost {
  RTCPeerConnection: typeof RTCPeerConnection;
  /** Sends a signal to the peer; failures end the channel or are ignored, as the code says. */
  signal(peerId: string, channelId: string, signal: DirectSignal): void;
  /** Sends frame bytes (with the channel ID) to the peer as a room message. */
  relay(peerId: string, bytes: Uint8Array, reliable: boolean): Promise<void>;
  /** Largest frame the relay accepts. */
  maxFrameSize(): number;
  /** The channel ended; the room forgets it. */
  ended(channel: DirectChannel<MessageMap>): void;
  /** End-to-end encryption of the channel's payloads to `peerId`, when it is on. */
  encryptionFor?(peerId: string): DirectEncryption | undefined;
}

// Reads the link's state this often as well: closing one's own RTCPeerConnection fires no event.
const WATCH_INTERVAL_MS = 250;
// Acknowledgements of reliable messages are batched over this long, or this many messages. They
// only let the sender forget messages (and bound what it sends again through the server when
// the path drops, where duplicates are discarded), so they need not be prompt: each is a send of
// its own on the receiver's data channel.
const ACK_DELAY_MS = 100;
const ACK_EVERY = 128;
// The opener tries the direct path again after these delays, the last one repeating.
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000];
// Backpressure on the direct path, as the room's data channels have: above HIGH bytes queued,
// senders wait (in order) until it drains below LOW, polled since wrtc has no bufferedamountlow.
const HIGH_WATERMARK = 1024 * 1024;
const LOW_WATERMARK = 256 * 1024;
const DRAIN_POLL_MS = 10;

/**
 * A channel to one peer of the room over its own `RTCPeerConnection`, signaled through the server.
 * Messages go peer to peer while that path is up and through the server (as targeted room
 * messages) while it is not: reliable ones exactly once and in order across path changes, lossy
 * ones on whichever path is up. The side that opened it renegotiates when the direct path fails.
 */
export class DirectChannel<M extends MessageMap = AnyMessages> {
  // Typed for any message map, as in Room.
  private readonly events = new Emitter<DirectChannelEvents<AnyMessages>>();
  private readonly sequencer = new Sequencer<DirectFrame & { kind: 'message' }>();
  private link: DirectLink | undefined;
  private current: DirectPath = 'connecting';
  private fallbackDue = false;
  private fallbackTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  private unackedCount = 0;
  private readonly watch: ReturnType<typeof setInterval>;
  private backlog: Promise<void> = Promise.resolve();
  private waiting = 0;
  private opening: { resolve: () => void; reject: (error: DirectChannelError) => void } | undefined;
  private readonly cipher: DirectCipher | undefined;
  /** Resolves once the channel carries messages (directly, or through the server after the fallback time). */
  readonly opened: Promise<void>;

  /** @internal Channels are made by `room.openDirect` and by accepting a `directRequest`. */
  constructor(
    /** ID of this channel, chosen by the side that opened it. */
    readonly id: string,
    /** The peer at the other end. */
    readonly peerId: string,
    /** Whether this side opened the channel (and so renegotiates it). */
    readonly opener: boolean,
    private readonly options: DirectChannelOptions & { iceServers: RTCIceServer[] },
    private readonly host: ChannelHost,
  ) {
    const encryption = host.encryptionFor?.(peerId);
    this.cipher = encryption && new DirectCipher(encryption.encryption, peerId, encryption.peerIdentity, encryption.failed);
    this.opened = new Promise((resolve, reject) => (this.opening = { resolve, reject }));
    this.opened.catch(() => undefined);
    this.watch = setInterval(() => {
      this.link?.refresh();
      this.evaluate();
    }, WATCH_INTERVAL_MS);
  }

  /** The path messages take now. */
  get path(): DirectPath {
    return this.current;
  }

  /** The current direct connection, for its statistics; replaced when the channel renegotiates. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.link?.pc;
  }

  on<K extends keyof DirectChannelEvents<M>>(event: K, listener: Listener<DirectChannelEvents<M>[K]>): Unsubscribe {
    return this.events.on(event as keyof DirectChannelEvents<AnyMessages>, listener as Listener<unknown>);
  }

  off<K extends keyof DirectChannelEvents<M>>(event: K, listener: Listener<DirectChannelEvents<M>[K]>): void {
    this.events.off(event as keyof DirectChannelEvents<AnyMessages>, listener as Listener<unknown>);
  }

  /**
   * Sends a message to the peer. Reliable ones (the default) arrive exactly once and in order
   * whatever path they take; lossy ones (`reliable: false`) may be dropped. Resolves once handed
   * to a path. Rejects with {@link MessageError} (a type that is not 1 to 128 characters, or too
   * large for the relay; nothing sent) or {@link DirectChannelError} `DISCONNECTED` after the
   * channel closed.
   */
  send<T extends MessageType<M>>(type: T, data: M[T], options?: { reliable?: boolean }): Promise<void> {
    // Not an async function: a message handed to the direct path at once, the usual case, costs
    // no promise of its own, only the shared resolved one.
    try {
      if (this.current === 'closed') throw new DirectChannelError('DISCONNECTED', 'the direct channel is closed', this.peerId);
      if (typeof type !== 'string' || type.length === 0 || type.length > MAX_NAME_LENGTH) {
        throw new MessageError('MALFORMED', `a message type must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
      }
      const frame: DirectFrame & { kind: 'message' } = { kind: 'message', type, data: packPayload(data) };
      const reliable = options?.reliable !== false;
      // As the relay would carry it, checked before anything is sent: a message may take either path.
      const limit = this.host.maxFrameSize();
      const size = relayFrameSize(frame, this.id, limit) + (this.cipher === undefined ? 0 : DirectCipher.overhead);
      if (size > limit) throw new MessageError('MESSAGE_TOO_LARGE', `the message takes ${size} bytes; direct channels carry at most ${limit}`);
      if (this.cipher !== undefined) return this.cipher.send(frame, (sealed) => this.sendDrained({ kind: 'message', ...sealed }, reliable));
      if (this.waiting > 0 || this.link?.bufferedAbove(HIGH_WATERMARK) === true) return this.sendDrained(frame, reliable);
      return this.dispatch(frame, reliable);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private async sendDrained(frame: DirectFrame & { kind: 'message' }, reliable: boolean): Promise<void> {
    await this.drained();
    // The channel may have closed while this sender waited.
    if (this.current === 'closed') throw new DirectChannelError('DISCONNECTED', 'the direct channel is closed', this.peerId);
    return this.dispatch(frame, reliable);
  }

  // Numbers a reliable message and hands it to the direct path if up, else to the relay.
  private dispatch(frame: DirectFrame & { kind: 'message' }, reliable: boolean): Promise<void> {
    if (reliable) frame.seq = this.sequencer.next();
    if (this.link?.send(encodeLinkMessage(frame.type, frame.seq, frame.data), reliable)) {
      if (frame.seq !== undefined) this.sequencer.keep(frame.seq, frame);
      return SENT;
    }
    this.evaluate();
    return this.relay(frame, reliable);
  }

  // Waits for its turn behind earlier waiting senders, then for the direct buffer to drain.
  private async drained(): Promise<void> {
    this.waiting += 1;
    const turn = this.backlog.then(async () => {
      while (this.link?.up === true && this.link.bufferedAbove(LOW_WATERMARK)) await sleep(DRAIN_POLL_MS);
    });
    this.backlog = turn;
    try {
      await turn;
    } finally {
      this.waiting -= 1;
    }
  }

  /** Closes the channel for both sides. */
  close(reason = 'closed'): void {
    if (this.current === 'closed') return;
    this.host.signal(this.peerId, this.id, { type: 'close', reason });
    this.end({ reason });
  }

  /** @internal Starts negotiating: the opener offers, the accepting side answers `offer`. */
  start(offer?: string): void {
    this.renegotiate(offer);
    this.armFallback();
  }

  /** @internal A signal from the peer about this channel. */
  signaled(signal: DirectSignal): void {
    if (this.current === 'closed') return;
    switch (signal.type) {
      case 'offer':
        if (!this.opener) this.renegotiate(signal.sdp);
        break;
      case 'answer':
        if (this.opener) this.link?.answered(signal.sdp);
        break;
      case 'candidate':
        this.link?.candidate(signal);
        break;
      case 'refuse':
        this.end({ reason: signal.reason, error: new DirectChannelError('REFUSED', `peer ${this.peerId} refused the direct channel${signal.reason ? `: ${signal.reason}` : ''}`, this.peerId) });
        break;
      case 'close':
        this.end({ reason: signal.reason || 'closed by the peer' }, true);
        break;
    }
  }

  /** @internal A frame the peer sent through the server. */
  relayed(frame: DirectFrame): void {
    this.received(frame, 'relay');
  }

  /**
   * @internal Ends the channel without telling the peer (it left, closed the channel, or the room
   * ended); `peerStopped` when the peer said it closed (see {@link DirectLink.close}).
   */
  end(event: DirectClosedEvent, peerStopped = false): void {
    if (this.current === 'closed') return;
    const previous = this.current;
    this.current = 'closed';
    clearInterval(this.watch);
    clearTimeout(this.fallbackTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.ackTimer);
    this.link?.close(peerStopped);
    this.link = undefined;
    this.opening?.reject(event.error ?? new DirectChannelError('DISCONNECTED', `the direct channel closed: ${event.reason}`, this.peerId));
    this.opening = undefined;
    this.host.ended(this as unknown as DirectChannel<MessageMap>);
    this.events.emit('path', { path: 'closed', previous });
    this.events.emit('closed', event);
  }

  private renegotiate(offer?: string): void {
    this.link?.close();
    const link = new DirectLink({
      RTCPeerConnection: this.host.RTCPeerConnection,
      iceServers: this.options.iceServers,
      iceTransportPolicy: this.options.iceTransportPolicy ?? 'all',
      candidateFilter: this.options.candidateFilter,
      signal: (signal) => this.host.signal(this.peerId, this.id, signal),
      onFrame: (bytes) => this.fromLink(bytes),
      onChange: () => this.evaluate(),
    });
    this.link = link;
    if (offer === undefined) link.offer();
    else link.answer(offer);
    this.evaluate();
  }

  private armFallback(): void {
    this.fallbackTimer = setTimeout(() => {
      this.fallbackDue = true;
      this.evaluate();
    }, this.options.fallbackMs ?? DEFAULT_FALLBACK_MS);
  }

  // Moves to the path the link's state calls for; leaving the direct path sends what it may have
  // lost through the server.
  private evaluate(): void {
    if (this.current === 'closed') return;
    const up = this.link?.up === true;
    const next: DirectPath = up ? 'direct' : this.fallbackDue || this.current !== 'connecting' ? 'relay' : 'connecting';
    if (up) this.retries = 0;
    else if (next === 'relay') this.scheduleRetry();
    if (next === this.current) return;
    const previous = this.current;
    this.current = next;
    if (previous === 'direct') {
      for (const { item } of this.sequencer.takeUnacked()) void this.relay(item, true).catch(() => undefined);
    }
    if (next !== 'connecting') {
      this.opening?.resolve();
      this.opening = undefined;
    }
    this.events.emit('path', { path: next, previous });
  }

  // Only the opener offers again, so the two sides never cross offers.
  private scheduleRetry(): void {
    if (!this.opener || this.retryTimer !== undefined) return;
    const delay = RETRY_DELAYS_MS[Math.min(this.retries, RETRY_DELAYS_MS.length - 1)] as number;
    this.retries += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.current === 'closed' || this.link?.up === true) return;
      this.renegotiate();
    }, delay);
  }

  private relay(frame: DirectFrame, reliable: boolean): Promise<void> {
    return this.host.relay(this.peerId, encodeFrame(frame, this.id), reliable);
  }

  private fromLink(bytes: Uint8Array): void {
    let frame: DirectFrame;
    try {
      frame = decodeLinkFrame(bytes);
    } catch {
      // Only the peer writes to this link; a frame it garbled is its loss, not a reason to close.
      return;
    }
    this.received(frame, 'direct');
  }

  private received(frame: DirectFrame, path: 'direct' | 'relay'): void {
    if (this.current === 'closed') return;
    if (frame.kind === 'ack') {
      this.sequencer.acknowledged(frame.ack);
      return;
    }
    if (frame.seq === undefined) {
      this.deliver(frame, path);
      return;
    }
    for (const ready of this.sequencer.receive(frame.seq, frame)) this.deliver(ready, path);
    this.acknowledgeSoon();
  }

  private acknowledgeSoon(): void {
    this.unackedCount += 1;
    if (this.unackedCount >= ACK_EVERY) this.acknowledge();
    else this.ackTimer ??= setTimeout(() => this.acknowledge(), ACK_DELAY_MS);
  }

  // Acknowledgements go on the direct path only: what went through the server needs none.
  private acknowledge(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.unackedCount = 0;
    this.link?.send(encodeLinkAck(this.sequencer.deliveredSeq), true);
  }

  private deliver(frame: DirectFrame & { kind: 'message' }, path: 'direct' | 'relay'): void {
    if (this.cipher === undefined) this.emitMessage(frame, path);
    else this.cipher.receive(frame, (opened) => this.emitMessage({ kind: 'message', ...opened }, path));
  }

  private emitMessage(frame: DirectFrame & { kind: 'message' }, path: 'direct' | 'relay'): void {
    if (this.current === 'closed') return;
    let data: unknown;
    try {
      data = unpackPayload(frame.data);
    } catch {
      return;
    }
    const message: DirectMessage = { type: frame.type, data, from: this.peerId, path };
    this.events.emit('message', message as DirectChannelEvents<AnyMessages>['message']);
    this.events.emit(`message:${frame.type}`, message);
  }
}
