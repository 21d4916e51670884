import { css, html } from 'lit';
import type { Room } from '../room.js';
import type { LocalTrack } from '../track/local-track.js';
import { openCamera, openMicrophone, openScreen } from '../track/media-devices.js';
import { MediaDeviceError, TrackError } from '../track/track-errors.js';
import { defineElement } from './define.js';
import { RoomElement } from './room-element.js';

/** What `<sb-publisher>` can publish. */
export type SbPublisherSource = 'camera' | 'microphone' | 'screen';

/** Detail of `sb-published`. */
export interface SbPublishedDetail {
  source: SbPublisherSource;
  track: LocalTrack;
}

/** Detail of `sb-unpublished`: `stopped` by the toggle, or `ended` (the device went away, the user stopped sharing). */
export interface SbUnpublishedDetail {
  source: SbPublisherSource;
  reason: 'stopped' | 'ended' | 'failed';
}

/** Detail of `sb-publish-error`. */
export interface SbPublishErrorDetail {
  source: SbPublisherSource;
  error: unknown;
}

const SOURCES: readonly SbPublisherSource[] = ['camera', 'microphone', 'screen'];
const LABELS: Record<SbPublisherSource, string> = { camera: 'Camera', microphone: 'Microphone', screen: 'Share screen' };
const DEVICE_KINDS: Partial<Record<SbPublisherSource, MediaDeviceKind>> = { camera: 'videoinput', microphone: 'audioinput' };
const NOUNS: Record<SbPublisherSource, string> = { camera: 'camera', microphone: 'microphone', screen: 'screen' };

/**
 * `<sb-publisher>` has a toggle button per source (camera, microphone, screen) that publishes it
 * to the room of the nearest `<sb-room>` and stops it again, and a device `<select>` for the
 * camera and the microphone. Errors (permission refused, no device, device busy, not allowed to
 * publish) are explained in an alert.
 *
 * @fires sb-published - {@link SbPublishedDetail}, once a source is published
 * @fires sb-unpublished - {@link SbUnpublishedDetail}, once it is not any more
 * @fires sb-publish-error - {@link SbPublishErrorDetail}, when publishing failed
 * @csspart toggle - each toggle button (also `camera`, `microphone` or `screen`, and `on` while published)
 * @csspart device - each device `<select>` (also `camera` or `microphone`)
 * @csspart error - the error message (role=alert)
 * @cssprop --sb-publisher-gap - space between the controls
 * @cssprop --sb-publisher-on-background - background of a pressed toggle
 * @cssprop --sb-publisher-error-color - text colour of the error message
 */
export class SbPublisher extends RoomElement {
  static override properties = {
    sources: { type: String },
    error: { state: true },
    busy: { state: true },
    devices: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
    }
    [part='controls'] {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--sb-publisher-gap, 0.5em);
    }
    button,
    select {
      font: inherit;
    }
    button[aria-pressed='true'] {
      background: var(--sb-publisher-on-background, #cde8ff);
    }
    [part='error'] {
      color: var(--sb-publisher-error-color, #b00020);
      font-size: 0.875em;
      margin: 0.25em 0 0;
    }
    [part='error']:empty {
      display: none;
    }
  `;

  /** The sources offered, space-separated, in this order. */
  declare sources: string;
  /** The error shown, if any. */
  declare error: string;
  declare private busy: ReadonlySet<SbPublisherSource>;
  declare private devices: MediaDeviceInfo[];

  private readonly tracks = new Map<SbPublisherSource, LocalTrack>();
  private readonly chosen = new Map<SbPublisherSource, string>();
  private readonly onDeviceChange = (): void => void this.refreshDevices();

  constructor() {
    super();
    this.sources = 'camera microphone screen';
    this.error = '';
    this.busy = new Set();
    this.devices = [];
  }

  /** The tracks this element published, by source. */
  get published(): ReadonlyMap<SbPublisherSource, LocalTrack> {
    return this.tracks;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
    void this.refreshDevices();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
  }

  protected override roomChanged(room: Room | undefined): void {
    // Leaving a room unpublishes its tracks but leaves the devices on: turn them off.
    for (const source of [...this.tracks.keys()]) void this.stop(source);
    if (room === undefined) return;
    this.listen(
      room.on('localTrackUnpublished', ({ track, reason }) => {
        const source = SOURCES.find((each) => this.tracks.get(each) === track);
        if (source === undefined) return;
        this.tracks.delete(source);
        track.mediaStreamTrack.stop();
        this.requestUpdate();
        this.dispatchEvent(new CustomEvent<SbUnpublishedDetail>('sb-unpublished', { detail: { source, reason }, bubbles: true, composed: true }));
      }),
    );
  }

  /** Whether `source` is published by this element. */
  isOn(source: SbPublisherSource): boolean {
    return this.tracks.has(source);
  }

  /** Publishes `source` if it is off, stops it if it is on. */
  toggle(source: SbPublisherSource): Promise<boolean> {
    return this.isOn(source) ? this.stop(source).then(() => false) : this.start(source);
  }

  /** Opens and publishes `source`; resolves `true` once published (`false`, with the error shown, if not). */
  async start(source: SbPublisherSource): Promise<boolean> {
    const room = this.room;
    if (room === undefined || this.isOn(source) || this.busy.has(source)) return this.isOn(source);
    this.setBusy(source, true);
    let media: MediaStreamTrack | undefined;
    try {
      media = await this.open(source);
      const track = await room.publish(media, { name: source, source });
      if (this.room !== room) {
        await track.stop();
        return false;
      }
      this.tracks.set(source, track);
      this.error = '';
      void this.refreshDevices(); // labels are known once a device was allowed
      this.dispatchEvent(new CustomEvent<SbPublishedDetail>('sb-published', { detail: { source, track }, bubbles: true, composed: true }));
      return true;
    } catch (error) {
      media?.stop();
      this.error = describe(source, error);
      this.dispatchEvent(new CustomEvent<SbPublishErrorDetail>('sb-publish-error', { detail: { source, error }, bubbles: true, composed: true }));
      return false;
    } finally {
      this.setBusy(source, false);
    }
  }

  /** Unpublishes `source` and turns its device off. */
  async stop(source: SbPublisherSource): Promise<void> {
    const track = this.tracks.get(source);
    if (track === undefined) return;
    this.tracks.delete(source);
    this.requestUpdate();
    await track.stop();
    track.mediaStreamTrack.stop();
    this.dispatchEvent(new CustomEvent<SbUnpublishedDetail>('sb-unpublished', { detail: { source, reason: 'stopped' }, bubbles: true, composed: true }));
  }

  private open(source: SbPublisherSource): Promise<MediaStreamTrack> {
    const deviceId = this.chosen.get(source);
    const constraints: MediaTrackConstraints = deviceId ? { deviceId: { exact: deviceId } } : {};
    if (source === 'camera') return openCamera(constraints);
    if (source === 'microphone') return openMicrophone(constraints);
    return openScreen();
  }

  private async chooseDevice(source: SbPublisherSource, deviceId: string): Promise<void> {
    this.chosen.set(source, deviceId);
    const track = this.tracks.get(source);
    if (track === undefined) return;
    // Switch the published track to the new device without subscribers noticing.
    this.setBusy(source, true);
    try {
      const media = await this.open(source);
      const previous = track.mediaStreamTrack;
      try {
        await track.replaceTrack(media);
      } catch (error) {
        media.stop();
        throw error;
      }
      previous.stop();
      this.error = '';
    } catch (error) {
      this.error = describe(source, error);
      this.dispatchEvent(new CustomEvent<SbPublishErrorDetail>('sb-publish-error', { detail: { source, error }, bubbles: true, composed: true }));
    } finally {
      this.setBusy(source, false);
    }
  }

  private async refreshDevices(): Promise<void> {
    try {
      this.devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
    } catch {
      this.devices = [];
    }
  }

  private setBusy(source: SbPublisherSource, busy: boolean): void {
    const next = new Set(this.busy);
    if (busy) next.add(source);
    else next.delete(source);
    this.busy = next;
  }

  private offered(): SbPublisherSource[] {
    const listed = this.sources.split(/\s+/);
    return listed.filter((each): each is SbPublisherSource => SOURCES.includes(each as SbPublisherSource));
  }

  protected override render(): unknown {
    const connected = this.room !== undefined;
    return html`<div part="controls" role="group" aria-label="Publish">
        ${this.offered().map((source) => {
          const on = this.isOn(source);
          const busy = this.busy.has(source);
          const kind = DEVICE_KINDS[source];
          const devices = kind === undefined ? [] : this.devices.filter((device) => device.kind === kind && device.deviceId !== '');
          return html`<button
              part="toggle ${source}${on ? ' on' : ''}"
              type="button"
              aria-pressed=${on ? 'true' : 'false'}
              aria-busy=${busy ? 'true' : 'false'}
              ?disabled=${!connected || busy}
              @click=${() => this.toggle(source)}
            >
              ${LABELS[source]}
            </button>
            ${devices.length > 0
              ? html`<select
                  part="device ${source}"
                  aria-label="${LABELS[source]} device"
                  ?disabled=${busy}
                  @change=${(event: Event) => this.chooseDevice(source, (event.target as HTMLSelectElement).value)}
                >
                  ${devices.map(
                    (device, i) =>
                      html`<option value=${device.deviceId} ?selected=${device.deviceId === this.chosen.get(source)}>
                        ${device.label || `${LABELS[source]} ${i + 1}`}
                      </option>`,
                  )}
                </select>`
              : ''}`;
        })}
      </div>
      <p part="error" role="alert">${this.error}</p>`;
  }
}

function describe(source: SbPublisherSource, error: unknown): string {
  const noun = NOUNS[source];
  if (error instanceof MediaDeviceError) {
    switch (error.code) {
      case 'DEVICE_DENIED':
        return source === 'screen'
          ? 'Screen sharing was cancelled or blocked.'
          : `Access to your ${noun} was blocked. Allow it in your browser's site settings, then try again.`;
      case 'DEVICE_NOT_FOUND':
        return `No ${noun} was found. Connect one, or choose another, then try again.`;
      case 'DEVICE_BUSY':
        return `Your ${noun} could not be started. Another application may be using it.`;
      case 'DEVICE_UNSUPPORTED':
        return `This browser cannot share your ${noun} on this page (it needs a secure https page).`;
    }
  }
  if (error instanceof TrackError && error.code === 'PERMISSION_DENIED') return `You are not allowed to share your ${noun} in this room.`;
  if (error instanceof Error && 'code' in error && error.code === 'PERMISSION_DENIED') return `You are not allowed to share your ${noun} in this room.`;
  if (error instanceof Error && 'code' in error && error.code === 'DISCONNECTED') return 'You are not connected to the room.';
  return `Your ${noun} could not be shared. Try again.`;
}

defineElement('sb-publisher', SbPublisher);

declare global {
  interface HTMLElementTagNameMap {
    'sb-publisher': SbPublisher;
  }
  interface HTMLElementEventMap {
    'sb-published': CustomEvent<SbPublishedDetail>;
    'sb-unpublished': CustomEvent<SbUnpublishedDetail>;
    'sb-publish-error': CustomEvent<SbPublishErrorDetail>;
  }
}
