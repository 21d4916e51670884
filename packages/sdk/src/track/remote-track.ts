import type { Consumer, MediaKind } from 'mediasoup-client/types';
import type { SwitchboardError, TrackInfo, TrackSource } from '../protocol/index.js';
import type { MediaSession } from '../transport/rtc-session.js';
import { emptyStatsReport, TrackError } from './track-errors.js';

/** @internal One consumer of ours: a subscription to one publication of a track. */
export interface Reception {
  consumer: Consumer;
  session: MediaSession;
  /** The publication (server track ID) it receives. */
  trackId: string;
}

/** @internal The simulcast layers a subscriber asked for. */
export interface PreferredLayers {
  spatialLayer: number;
  temporalLayer?: number;
}

/** @internal What a RemoteTrack needs from the room's subscriber. */
export interface RemoteTrackHost {
  /** Whether the token grants `subscribe`. */
  canSubscribe(): boolean;
  /** Starts receiving `track` if it should be received and is not yet. */
  ensure(track: RemoteTrack): void;
  /** Closes a consumer that is no longer wanted, here and on the server. */
  release(reception: Reception): Promise<void>;
  /** Asks the server for `layers` on a consumer. */
  applyLayers(reception: Reception, layers: PreferredLayers): Promise<void>;
}

/**
 * A track another peer publishes, from `room.tracks` or the `trackPublished` event. It is
 * identified by its publisher and name: when the publisher reconnects and publishes the track
 * again, this same object carries on (with a new {@link id} and media track), and elements it
 * is attached to switch over by themselves.
 */
export class RemoteTrack {
  private info: TrackInfo;
  private wanted = false;
  // False while the server has no publication behind `info` (the publisher is reconnecting).
  private available = true;
  private removed = false;
  private reception: Reception | undefined;
  private layers: PreferredLayers | undefined;
  // Attached elements, with the stream this track gave each (undefined until received).
  private readonly elements = new Map<HTMLMediaElement, MediaStream | undefined>();
  private waiters: Array<{ resolve: () => void; reject: (error: SwitchboardError) => void }> = [];
  /** @internal True while the subscriber is creating a consumer for it. */
  consuming = false;

  /** @internal Tracks are made by the room. */
  constructor(
    info: TrackInfo,
    private readonly host: RemoteTrackHost,
  ) {
    this.info = info;
  }

  /** The server's ID of the current publication; a republication after a reconnect changes it. */
  get id(): string {
    return this.info.id;
  }

  /** The publishing peer. */
  get peerId(): string {
    return this.info.peerId;
  }

  get kind(): MediaKind {
    return this.info.kind;
  }

  /** The publisher's name for the track, unique among its tracks. */
  get name(): string {
    return this.info.name;
  }

  get source(): TrackSource {
    return this.info.source;
  }

  /** True while the publisher has it muted. */
  get muted(): boolean {
    return this.info.muted;
  }

  /** True from {@link subscribe} (or auto-subscription) until {@link unsubscribe}, across reconnects. */
  get subscribed(): boolean {
    return this.wanted;
  }

  /** The media being received: set once subscribed, replaced after a reconnect or republication. */
  get mediaStreamTrack(): MediaStreamTrack | undefined {
    return this.reception?.consumer.track;
  }

  /**
   * Receives the track. Resolves once {@link mediaStreamTrack} is set. Rejects with
   * {@link TrackError} (`PERMISSION_DENIED` without the `subscribe` grant, `NOT_FOUND` if the
   * track goes away or {@link unsubscribe} is called first), {@link RequestError} (the server's
   * refusal) or {@link DisconnectedError}. Waits through a reconnect.
   */
  subscribe(): Promise<void> {
    if (!this.host.canSubscribe()) return Promise.reject(new TrackError('PERMISSION_DENIED', 'this token does not grant subscribe'));
    if (this.removed) return Promise.reject(this.goneError());
    this.wanted = true;
    if (this.receiving()) return Promise.resolve();
    const received = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.host.ensure(this);
    return received;
  }

  /** Stops receiving; attached elements are emptied but stay attached for a later {@link subscribe}. */
  async unsubscribe(): Promise<void> {
    if (!this.wanted) return;
    this.wanted = false;
    this.settle(new TrackError('NOT_FOUND', `unsubscribed from ${this.describe()} before it was received`));
    const reception = this.endReception(true);
    if (reception !== undefined) await this.host.release(reception);
  }

  /**
   * Asks for a simulcast layer: `spatialLayer` 0 is the lowest resolution, `temporalLayer` 0 the
   * lowest frame rate (default: the highest). The server switches once that layer arrives. Kept
   * across reconnects, and applied on subscribing if set before. Rejects with
   * {@link RequestError} `UNSUPPORTED` for a track without layers.
   */
  async setPreferredLayers(spatialLayer: number, temporalLayer?: number): Promise<void> {
    if (!isLayer(spatialLayer) || (temporalLayer !== undefined && !isLayer(temporalLayer))) {
      throw new TrackError('MALFORMED', 'layers are integers from 0 (the lowest)');
    }
    this.layers = temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer };
    if (this.reception !== undefined) await this.host.applyLayers(this.reception, this.layers);
  }

  /**
   * Plays the track in `element`, now or once it is received, and again after every reconnect
   * or republication. Sets `autoplay` and `playsInline`, and mutes elements playing video (so
   * browsers let them autoplay; an audio track needs its own, unmuted, element). Returns `element`.
   */
  attach<E extends HTMLMediaElement>(element: E): E {
    if (!this.elements.has(element)) this.elements.set(element, undefined);
    element.autoplay = true;
    if (this.kind === 'video') element.muted = true;
    if ('playsInline' in element) element.playsInline = true;
    this.show(element);
    return element;
  }

  /** Stops playing in `element` (default: in every attached element); returns the elements detached. */
  detach(element?: HTMLMediaElement): HTMLMediaElement[] {
    const detached = element === undefined ? [...this.elements.keys()] : this.elements.has(element) ? [element] : [];
    for (const each of detached) {
      this.clear(each);
      this.elements.delete(each);
    }
    return detached;
  }

  /**
   * The receiver's WebRTC statistics; empty while the track is not being received. Browsers
   * only: `@roamhq/wrtc` in Node cannot report them.
   */
  async getStats(): Promise<RTCStatsReport> {
    return this.reception === undefined ? emptyStatsReport() : this.reception.consumer.getStats();
  }

  /** @internal The publication to consume now, if the track is wanted and not received yet. */
  pendingTrackId(): string | undefined {
    const current = this.wanted && this.available && !this.removed && this.reception?.trackId !== this.info.id;
    return current ? this.info.id : undefined;
  }

  /** @internal The preferred layers, for a new consumer. */
  preferredLayers(): PreferredLayers | undefined {
    return this.layers;
  }

  /** @internal A consumer is ready: plays it. Returns the consumer it replaces, to release. */
  received(reception: Reception): Reception | undefined {
    const previous = this.reception;
    this.reception = reception;
    for (const element of this.elements.keys()) this.show(element);
    this.settle();
    return previous;
  }

  /** @internal Subscribing failed for good; {@link subscribe} must be called again. */
  subscribeFailed(error: SwitchboardError): void {
    this.wanted = false;
    this.settle(error);
  }

  /**
   * @internal The consumer died with the connection or its publication (`consumerId`, if given,
   * says which). Attached elements keep their last picture until the next consumer.
   */
  receptionEnded(consumerId?: string): void {
    if (consumerId === undefined || this.reception?.consumer.id === consumerId) this.endReception(false)?.consumer.close();
  }

  /** @internal The server no longer has this publication; the same name may come back. */
  withdraw(): void {
    this.available = false;
    this.receptionEnded();
  }

  /** @internal The publication the server has now (maybe a new one); returns whether `muted` changed. */
  republish(info: TrackInfo): boolean {
    const mutedChanged = info.muted !== this.info.muted;
    if (info.id !== this.info.id) this.receptionEnded();
    this.info = info;
    this.available = true;
    return mutedChanged;
  }

  /** @internal The publisher muted or unmuted; returns whether that is a change. */
  setMuted(muted: boolean): boolean {
    if (this.info.muted === muted) return false;
    this.info = { ...this.info, muted };
    return true;
  }

  /** @internal The track is gone for good (`error` for pending {@link subscribe} calls). */
  remove(error: SwitchboardError): void {
    this.removed = true;
    this.wanted = false;
    this.settle(error);
    this.receptionEnded();
    this.detach();
  }

  /** @internal Why a subscription cannot succeed any more. */
  goneError(): TrackError {
    return new TrackError('NOT_FOUND', `${this.describe()} is no longer published`);
  }

  private receiving(): boolean {
    return this.reception !== undefined && this.reception.trackId === this.info.id;
  }

  private endReception(clearElements: boolean): Reception | undefined {
    const reception = this.reception;
    this.reception = undefined;
    if (clearElements) for (const element of this.elements.keys()) this.clear(element);
    return reception;
  }

  private show(element: HTMLMediaElement): void {
    const track = this.mediaStreamTrack;
    const shown = this.elements.get(element);
    if (track === undefined || (shown !== undefined && element.srcObject === shown && shown.getTracks().includes(track))) return;
    // A new stream rather than swapping tracks in the old one: browsers reliably restart
    // playback when srcObject changes, not when a playing stream's tracks do.
    const stream = new MediaStream([track]);
    this.elements.set(element, stream);
    element.srcObject = stream;
  }

  private clear(element: HTMLMediaElement): void {
    const shown = this.elements.get(element);
    if (shown !== undefined && element.srcObject === shown) element.srcObject = null;
    this.elements.set(element, undefined);
  }

  private settle(error?: SwitchboardError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  private describe(): string {
    return `track "${this.info.name}" of peer ${this.info.peerId}`;
  }
}

function isLayer(value: number): boolean {
  return Number.isInteger(value) && value >= 0;
}
