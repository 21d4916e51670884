import { css, html } from 'lit';
import type { Room } from '../room.js';
import { LocalTrack } from '../track/local-track.js';
import { RemoteTrack } from '../track/remote-track.js';
import { defineElement } from './define.js';
import { RoomElement } from './room-element.js';

/** The `object-fit` values `fit` accepts. */
export type SbVideoFit = 'contain' | 'cover' | 'fill' | 'none' | 'scale-down';

const FITS: readonly string[] = ['contain', 'cover', 'fill', 'none', 'scale-down'];

/**
 * `<sb-video>` plays a track: the {@link RemoteTrack} named `name` of the peer `peer` (a peer ID)
 * or of the user `identity` (their current session, through rejoins) in the room of the nearest
 * `<sb-room>` (attached when it is published, detached when it goes away), or the `track`
 * property (a `RemoteTrack` or a `LocalTrack`, e.g. a self-view). A placeholder shows until the
 * first frame arrives, and again while there is no track.
 *
 * @slot placeholder - what to show instead of the video (default: a short text)
 * @csspart video - the `<video>`
 * @csspart placeholder - the placeholder's box
 * @cssprop --sb-video-fit - the video's `object-fit` when `fit` is not set (default `contain`)
 * @cssprop --sb-video-background - the background behind the video and placeholder
 * @cssprop --sb-video-placeholder-color - the placeholder's text colour
 */
export class SbVideo extends RoomElement {
  static override properties = {
    peer: { type: String },
    identity: { type: String },
    name: { type: String },
    track: { attribute: false },
    fit: { type: String },
    muted: { type: Boolean },
    mirror: { type: Boolean },
    label: { type: String },
    ready: { type: Boolean, reflect: true },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      overflow: hidden;
      background: var(--sb-video-background, #000);
      aspect-ratio: 16 / 9;
    }
    video {
      display: block;
      width: 100%;
      height: 100%;
      object-fit: var(--sb-video-fit, contain);
    }
    :host([mirror]) video {
      transform: scaleX(-1);
    }
    [part='placeholder'] {
      position: absolute;
      inset: 0;
      display: flex;
      align-items: center;
      justify-content: center;
      color: var(--sb-video-placeholder-color, #ccc);
      font-size: 0.875em;
    }
    :host([ready]) [part='placeholder'] {
      display: none;
    }
  `;

  /** The publisher's peer ID (one session). */
  declare peer: string | undefined;
  /**
   * The publisher's identity: plays their track named `name` from whichever session publishes
   * it, so the video comes back when they rejoin. Used when `peer` is not set.
   */
  declare identity: string | undefined;
  /** The track's name, e.g. `camera` or `screen`. */
  declare name: string | undefined;
  /** A track to play instead of `peer` + `name`. */
  declare track: RemoteTrack | LocalTrack | undefined;
  /** The video's `object-fit`; without it, `--sb-video-fit` (default `contain`). */
  declare fit: SbVideoFit | undefined;
  /** Mutes an audio track (a video track carries no sound and is always muted). */
  declare muted: boolean;
  /** Flips the picture horizontally, as a self-view usually is. */
  declare mirror: boolean;
  /** The video's accessible name; default "<peer>'s <name>". */
  declare label: string | undefined;
  /** True (reflected) while frames are shown; the placeholder is hidden then. Read it. */
  declare ready: boolean;

  // The track to play, chosen before each render (which shows whether there is one).
  private attached: RemoteTrack | LocalTrack | undefined;
  // What the <video> plays now: it follows `attached` after each render.
  private playing: RemoteTrack | LocalTrack | undefined;
  // Tracks unpublished while the room's map may still list them.
  private readonly gone = new WeakSet<RemoteTrack>();

  constructor() {
    super();
    this.muted = false;
    this.mirror = false;
    this.ready = false;
  }

  /** The track being played, if any. */
  get currentTrack(): RemoteTrack | LocalTrack | undefined {
    return this.attached;
  }

  /** The `<video>` element inside. */
  get videoElement(): HTMLVideoElement | null {
    return this.renderRoot.querySelector('video');
  }

  protected override roomChanged(room: Room | undefined): void {
    if (room === undefined) return;
    const update = (): void => this.requestUpdate();
    this.listen(room.on('trackPublished', update));
    this.listen(room.on('trackUnpublished', ({ track }) => {
      // The track is over: detach at the next update, even if the room's map is updated later.
      this.gone.add(track);
      this.requestUpdate();
    }));
    // A peer's name is part of the label.
    this.listen(room.on('peerUpdated', update));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.attached = undefined;
    this.ready = false;
    this.play(undefined);
  }

  private wanted(): RemoteTrack | LocalTrack | undefined {
    if (this.track !== undefined) return this.track;
    const room = this.room;
    if (room === undefined || !this.name || (!this.peer && !this.identity)) return undefined;
    let found: RemoteTrack | undefined;
    // By identity, the latest published wins: a rejoined session's track over a dropped one's.
    for (const track of room.tracks.values()) {
      if (track.name !== this.name || this.gone.has(track)) continue;
      if (this.peer ? track.peerId === this.peer : room.peers.get(track.peerId)?.identity === this.identity) found = track;
    }
    return found;
  }

  // The track is chosen here, before rendering, so that attaching it in `updated` changes no
  // reactive property: an update scheduled from `updated` would render twice (Lit warns).
  protected override willUpdate(): void {
    const next = this.isConnected ? this.wanted() : undefined;
    if (next === this.attached) return;
    this.attached = next;
    this.ready = false;
  }

  protected override updated(): void {
    if (this.isConnected) this.play(this.attached);
    const video = this.videoElement;
    if (video !== null && this.playing !== undefined) video.muted = this.muted || this.playing.kind === 'video';
  }

  private play(track: RemoteTrack | LocalTrack | undefined): void {
    const video = this.videoElement;
    if (track === this.playing || video === null) return;
    const previous = this.playing;
    if (previous instanceof RemoteTrack) previous.detach(video);
    else if (previous !== undefined) video.srcObject = null;
    this.playing = track;
    if (track instanceof RemoteTrack) {
      track.attach(video);
    } else if (track instanceof LocalTrack) {
      video.autoplay = true;
      video.playsInline = true;
      video.muted = true;
      video.srcObject = new MediaStream([track.mediaStreamTrack]);
      video.play().catch(() => undefined);
    }
  }

  private onFrames(event: Event): void {
    const video = event.target as HTMLVideoElement;
    this.ready = this.playing !== undefined && (video.videoWidth > 0 || this.playing.kind === 'audio');
  }

  protected override render(): unknown {
    const fit = this.fit !== undefined && FITS.includes(this.fit) ? `object-fit: ${this.fit}` : '';
    const publisher = this.attached instanceof RemoteTrack ? this.attached.peerId : this.peer;
    const peer = publisher ? this.room?.peers.get(publisher) : undefined;
    const who = peer?.name ?? peer?.identity ?? this.identity;
    const label = this.label ?? (who ? `${who}'s ${this.name ?? 'video'}` : (this.name ?? 'Video'));
    const text = this.attached === undefined ? 'No video' : 'Loading video…';
    return html`<video part="video" style=${fit} aria-label=${label} @loadeddata=${this.onFrames} @resize=${this.onFrames} @emptied=${this.onFrames}></video>
      <div part="placeholder" aria-hidden=${this.ready ? 'true' : 'false'}><slot name="placeholder">${text}</slot></div>`;
  }
}

defineElement('sb-video', SbVideo);

declare global {
  interface HTMLElementTagNameMap {
    'sb-video': SbVideo;
  }
}
