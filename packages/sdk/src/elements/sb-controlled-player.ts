import { css, html } from 'lit';
import type { DirectChannel } from '../direct/direct-channel.js';
import type { Room } from '../room.js';
import { defineElement } from './define.js';
import { CONTROL_MESSAGE, parseControlCommand, PLAYER_STATE_MESSAGE, type ControlCommand, type PlayerState } from './player-state.js';
import { RoomElement } from './room-element.js';

/** Detail of `sb-control`: a command about to be applied. Cancel the event to refuse it. */
export interface SbControlDetail {
  command: ControlCommand;
  /** The controller's peer ID. */
  from: string;
}

const REPORT_INTERVAL_MS = 1000;
const MEDIA_EVENTS = ['play', 'pause', 'seeked', 'volumechange', 'ratechange', 'loadedmetadata', 'durationchange', 'ended', 'emptied'] as const;

/**
 * `<sb-controlled-player>` wraps a slotted `<video>` (or `<audio>`) and lets other peers of the
 * room of the nearest `<sb-room>` control it with `<sb-remote-control>`: it obeys the `control`
 * messages addressed to it (broadcast ones are ignored), and reports its state as `playerState`
 * messages to the whole room on every media event, every second while playing, and to each peer
 * that joins. With the `direct` grant, it accepts the direct channels allowed controllers open
 * (see `<sb-remote-control direct>`), obeys commands on them and reports its state on them too.
 *
 * @fires sb-control - {@link SbControlDetail}, before a command is applied (cancelable)
 * @slot - the `<video>` or `<audio>` element to control
 */
export class SbControlledPlayer extends RoomElement {
  static override properties = {
    allow: { type: String },
  };

  static override styles = css`
    :host {
      display: block;
    }
  `;

  /**
   * Identities (space-separated) whose commands are obeyed; empty (the default) obeys every peer.
   * The identity is the token's `sub`, which peers cannot fake.
   */
  declare allow: string;

  private media: HTMLMediaElement | undefined;
  private readonly channels = new Set<DirectChannel>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly onMediaEvent = (): void => {
    this.updateTimer();
    this.report();
  };

  constructor() {
    super();
    this.allow = '';
  }

  /** The media element being controlled: the first `<video>` or `<audio>` slotted. */
  get mediaElement(): HTMLMediaElement | undefined {
    return this.media;
  }

  /** The state as reported, or `undefined` without a media element. */
  get state(): PlayerState | undefined {
    const media = this.media;
    if (media === undefined) return undefined;
    return {
      paused: media.paused,
      currentTime: media.currentTime,
      duration: Number.isFinite(media.duration) ? media.duration : 0,
      volume: media.volume,
      playbackRate: media.playbackRate,
      muted: media.muted,
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The slot may not be rendered yet; slotchange picks it up then.
    this.setMedia(this.findMedia());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.setMedia(undefined);
  }

  protected override roomChanged(room: Room | undefined): void {
    if (room === undefined) return;
    this.listen(room.on(`message:${CONTROL_MESSAGE}`, (message) => this.onControl(message.data, message.from, message.targeted)));
    this.listen(
      room.on('directRequest', (request) => {
        if (!this.allows(request.peer.id)) request.refuse('not allowed to control this player');
        else void request.accept().catch(() => undefined);
      }),
    );
    this.listen(room.on('directChannel', (channel) => this.adopt(channel)));
    this.listen(() => {
      for (const channel of this.channels) channel.close();
      this.channels.clear();
    });
    // A controller that joins later learns the state at once, even of a paused player.
    this.listen(room.on('peerJoined', ({ peer }) => this.report(peer.id)));
    this.report();
  }

  /** Sends the current state now: to `to` (a peer ID), or to every peer of the room. */
  report(to?: string): void {
    const room = this.room;
    const state = this.state;
    if (room === undefined || state === undefined || room.connectionState === 'disconnected') return;
    room.send(PLAYER_STATE_MESSAGE, state, to === undefined ? {} : { to }).catch(() => undefined);
    for (const channel of this.channels) {
      if (to === undefined || to === channel.peerId) channel.send(PLAYER_STATE_MESSAGE, state).catch(() => undefined);
    }
  }

  private adopt(channel: DirectChannel): void {
    this.channels.add(channel);
    channel.on(`message:${CONTROL_MESSAGE}`, (message) => this.onControl(message.data, message.from, true));
    channel.on('closed', () => this.channels.delete(channel));
    this.report(channel.peerId);
  }

  private onControl(data: unknown, from: string, targeted: boolean): void {
    // Only commands addressed to this player: a broadcast `control` is meant for nobody in particular.
    if (!targeted) return;
    const command = parseControlCommand(data);
    const media = this.media;
    if (command === undefined || media === undefined || !this.allows(from)) return;
    const event = new CustomEvent<SbControlDetail>('sb-control', {
      detail: { command, from },
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    if (!this.dispatchEvent(event)) {
      this.report(from);
      return;
    }
    apply(media, command, () => this.report(from));
  }

  private allows(peerId: string): boolean {
    const allowed = this.allow.split(/\s+/).filter(Boolean);
    if (allowed.length === 0) return true;
    const identity = this.room?.peers.get(peerId)?.identity;
    return identity !== undefined && allowed.includes(identity);
  }

  private findMedia(): HTMLMediaElement | undefined {
    const slot = this.shadowRoot?.querySelector('slot');
    const elements = slot ? slot.assignedElements({ flatten: true }) : [...this.children];
    return elements.find((element): element is HTMLMediaElement => element instanceof HTMLMediaElement);
  }

  private setMedia(media: HTMLMediaElement | undefined): void {
    if (media === this.media) return;
    for (const type of MEDIA_EVENTS) this.media?.removeEventListener(type, this.onMediaEvent);
    this.media = media;
    for (const type of MEDIA_EVENTS) media?.addEventListener(type, this.onMediaEvent);
    this.updateTimer();
    this.report();
  }

  private updateTimer(): void {
    const playing = this.media !== undefined && !this.media.paused && this.isConnected;
    if (playing && this.timer === undefined) {
      this.timer = setInterval(() => this.report(), REPORT_INTERVAL_MS);
    } else if (!playing && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  protected override render(): unknown {
    return html`<slot @slotchange=${() => this.setMedia(this.findMedia())}></slot>`;
  }
}

function apply(media: HTMLMediaElement, { action, value = 0 }: ControlCommand, failed: () => void): void {
  switch (action) {
    case 'play':
      // Autoplay policy may refuse (an unmuted element without a user gesture): report the truth.
      media.play().catch(failed);
      break;
    case 'pause':
      media.pause();
      break;
    case 'seek': {
      const end = Number.isFinite(media.duration) ? media.duration : Infinity;
      media.currentTime = Math.min(Math.max(0, value), end);
      break;
    }
    case 'volume':
      media.volume = Math.min(1, Math.max(0, value));
      break;
    case 'mute':
      // Unmuting without a user gesture may make the browser pause the element: its report says so.
      media.muted = value !== 0;
      break;
    case 'rate':
      // The range every browser accepts; others throw.
      media.playbackRate = Math.min(16, Math.max(0.0625, value));
      break;
  }
}

defineElement('sb-controlled-player', SbControlledPlayer);

declare global {
  interface HTMLElementTagNameMap {
    'sb-controlled-player': SbControlledPlayer;
  }
  interface HTMLElementEventMap {
    'sb-control': CustomEvent<SbControlDetail>;
  }
}
