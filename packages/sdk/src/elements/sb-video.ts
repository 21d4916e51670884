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
 * `<sb-video>` plays a track: the {@link RemoteTrack} named `name` of the peer `peer` in the room
 * of the nearest `<sb-room>` (attached when it is published, detached when it goes away), or the
 * `track` property (a `RemoteTrack` or a `LocalTrack`, e.g. a self-view). A placeholder shows
 * until the first frame arrives, and again while there is no track.
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

  /** The publisher's peer ID. */
  declare peer: string | undefined;
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

  // What is attached to the <video> now.
  private attached: RemoteTrack | LocalTrack | undefined;

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
      // The track is over: detach now, even if the room's map is updated later.
      if (track === this.attached) this.show(undefined);
      this.requestUpdate();
    }));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.show(undefined);
  }

  private wanted(): RemoteTrack | LocalTrack | undefined {
    if (this.track !== undefined) return this.track;
    const room = this.room;
    if (room === undefined || !this.peer || !this.name) return undefined;
    for (const track of room.tracks.values()) {
      if (track.peerId === this.peer && track.name === this.name) return track;
    }
    return undefined;
  }

  protected override updated(): void {
    if (this.isConnected) this.show(this.wanted());
    const video = this.videoElement;
    if (video !== null && this.attached !== undefined) video.muted = this.muted || this.attached.kind === 'video';
  }

  private show(track: RemoteTrack | LocalTrack | undefined): void {
    const video = this.videoElement;
    if (track === this.attached || video === null) return;
    const previous = this.attached;
    if (previous instanceof RemoteTrack) previous.detach(video);
    else if (previous !== undefined) video.srcObject = null;
    this.attached = track;
    this.ready = false;
    // The placeholder's text depends on whether there is a track.
    this.requestUpdate();
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
    this.ready = this.attached !== undefined && (video.videoWidth > 0 || this.attached.kind === 'audio');
  }

  protected override render(): unknown {
    const fit = this.fit !== undefined && FITS.includes(this.fit) ? `object-fit: ${this.fit}` : '';
    const who = this.peer ? (this.room?.peers.get(this.peer)?.name ?? this.room?.peers.get(this.peer)?.identity) : undefined;
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
