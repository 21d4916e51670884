import { css, html, noChange, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { DirectChannel, DirectPath } from '../direct/direct-channel.js';
import type { Room } from '../room.js';
import { defineElement } from './define.js';
import { CONTROL_MESSAGE, formatTime, parsePlayerState, PLAYER_STATE_MESSAGE, type ControlCommand, type PlayerState } from './player-state.js';
import { RoomElement } from './room-element.js';

/** Detail of `sb-path`: how commands reach the player now (undefined: no direct channel, room messages). */
export interface SbPathDetail {
  path: DirectPath | undefined;
}

/** Detail of `sb-state`: the state the target player reported. */
export interface SbStateDetail {
  state: PlayerState;
  /** The player's peer ID (the `target`). */
  from: string;
}

const RATES = [0.5, 0.75, 1, 1.25, 1.5, 2];
const SKIP_SECONDS = 10;

/**
 * `<sb-remote-control target>` controls the `<sb-controlled-player>` of another peer (`target`,
 * its peer ID) in the room of the nearest `<sb-room>`: it sends it `control` messages and shows
 * the state the player reports, never a state it assumes. With `direct`, and the `direct` grant
 * on both ends, it opens a direct peer-to-peer channel to the player and sends through it
 * (falling back to the server on its own), showing the path and firing `sb-path`; without, or
 * when the player refuses, it uses room messages. Several controllers of one player agree,
 * since they all show what the player reports. Until the player's first report the controls are
 * disabled (the group is `aria-disabled`) and the status says why; `ready` is set from then on.
 * A live stream (duration `0`) cannot be sought: the seek slider and skip buttons stay disabled.
 *
 * @fires sb-state - {@link SbStateDetail}, whenever the target reports its state
 * @fires sb-path - {@link SbPathDetail}, with `direct`, whenever the way commands take changes
 * @csspart controls - the group of controls
 * @csspart play - the play/pause button
 * @csspart back - the "back 10 s" button
 * @csspart forward - the "forward 10 s" button
 * @csspart mute - the mute toggle (`aria-pressed` while the player is muted)
 * @csspart seek - the position slider
 * @csspart time - the "0:12 / 3:00" text ("0:12" alone for a live stream)
 * @csspart volume - the volume slider
 * @csspart rate - the playback-rate `<select>`
 * @csspart status - why the controls are disabled, until the player's first report (role=status)
 * @csspart error - why a command could not be sent (role=alert)
 * @csspart path - with `direct`: "Direct" or "Via server", the way commands take
 * @cssprop --sb-remote-control-gap - space between the controls
 * @cssprop --sb-remote-control-error-color - text colour of errors
 */
export class SbRemoteControl extends RoomElement {
  static override properties = {
    target: { type: String },
    label: { type: String },
    ready: { type: Boolean, reflect: true },
    direct: { type: Boolean },
    path: { state: true },
    state: { attribute: false },
    error: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
    }
    [part='controls'] {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: var(--sb-remote-control-gap, 0.5em);
    }
    button,
    select {
      font: inherit;
    }
    [part='seek'] {
      flex: 1;
      min-width: 8em;
    }
    [part='time'] {
      font-variant-numeric: tabular-nums;
    }
    [part='status'],
    [part='path'],
    [part='error'] {
      font-size: 0.875em;
      margin: 0.25em 0 0;
    }
    [part='error'] {
      color: var(--sb-remote-control-error-color, #b00020);
    }
    [part='status']:empty,
    [part='error']:empty {
      display: none;
    }
    label {
      display: inline-flex;
      align-items: center;
      gap: 0.25em;
    }
  `;

  /** The peer ID of the player to control. */
  declare target: string | undefined;
  /** The accessible name of the group of controls. */
  declare label: string;
  /** Whether to open a direct peer-to-peer channel to the player when both tokens allow it. */
  declare direct: boolean;
  declare private path: DirectPath | undefined;
  private channel: DirectChannel | undefined;
  // Bumped whenever the channel should change, so a late openDirect result is dropped.
  private channelEpoch = 0;
  /** The last state the target reported, or `undefined` before its first report. Read it. */
  declare state: PlayerState | undefined;
  /** True (reflected) while the controls are usable: the target has reported its state. Read it. */
  declare ready: boolean;
  declare private error: string;

  // The last state each peer reported, so that changing `target` shows the new one at once.
  private readonly states = new Map<string, PlayerState>();
  // True while the user drags a slider: its thumb is not moved back by reports meanwhile.
  private dragging = false;

  constructor() {
    super();
    this.label = 'Remote control';
    this.direct = false;
    this.path = undefined;
    this.error = '';
    this.state = undefined;
    this.ready = false;
  }

  protected override roomChanged(room: Room | undefined): void {
    this.states.clear();
    this.state = undefined;
    this.closeChannel();
    if (room === undefined) return;
    this.listen(room.on(`message:${PLAYER_STATE_MESSAGE}`, (message) => this.onState(message.data, message.from)));
    this.listen(() => this.closeChannel());
    this.openChannel();
    this.listen(
      room.on('peerLeft', ({ peer }) => {
        this.states.delete(peer.id);
        if (peer.id === this.target) this.state = undefined;
      }),
    );
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('target')) {
      this.state = this.target === undefined ? undefined : this.states.get(this.target);
      this.error = '';
    }
    this.ready = this.state !== undefined && this.room !== undefined;
    if (changed.has('target') || changed.has('direct')) {
      this.closeChannel();
      this.openChannel();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if ((changed as Map<PropertyKey, unknown>).has('path')) {
      this.dispatchEvent(new CustomEvent<SbPathDetail>('sb-path', { detail: { path: this.path }, bubbles: true, composed: true }));
    }
  }

  // Opens the direct channel if asked and allowed; a refusal or failure leaves room messages.
  private openChannel(): void {
    const room = this.room;
    const target = this.target;
    if (!this.direct || room === undefined || !target || !room.grants.direct || !room.peers.has(target)) return;
    const epoch = ++this.channelEpoch;
    room.openDirect(target).then(
      (channel) => {
        if (epoch !== this.channelEpoch) {
          channel.close();
          return;
        }
        this.channel = channel;
        this.path = channel.path;
        channel.on('path', ({ path }) => (this.path = path));
        channel.on(`message:${PLAYER_STATE_MESSAGE}`, (message) => this.onState(message.data, message.from));
        channel.on('closed', () => {
          if (this.channel !== channel) return;
          this.channel = undefined;
          this.path = undefined;
        });
      },
      () => undefined,
    );
  }

  private closeChannel(): void {
    this.channelEpoch += 1;
    const channel = this.channel;
    this.channel = undefined;
    this.path = undefined;
    channel?.close();
  }

  /** Asks the player to play. Resolves `true` once the command was handed to the room. */
  play(): Promise<boolean> {
    return this.send({ action: 'play' });
  }

  /** Asks the player to pause. */
  pause(): Promise<boolean> {
    return this.send({ action: 'pause' });
  }

  /** Asks the player to go to `seconds`. */
  seek(seconds: number): Promise<boolean> {
    return this.send({ action: 'seek', value: seconds });
  }

  /** Asks the player to set its volume (0 to 1). */
  setVolume(volume: number): Promise<boolean> {
    return this.send({ action: 'volume', value: volume });
  }

  /** Asks the player to mute (`true`) or unmute (`false`) its element. */
  setMuted(muted: boolean): Promise<boolean> {
    return this.send({ action: 'mute', value: muted ? 1 : 0 });
  }

  /** Asks the player to set its playback rate (1 is normal). */
  setRate(rate: number): Promise<boolean> {
    return this.send({ action: 'rate', value: rate });
  }

  /** Sends `command` to the target; resolves `false` (and shows why) if it could not be sent. */
  async send(command: ControlCommand): Promise<boolean> {
    const room = this.room;
    const target = this.target;
    if (room === undefined || !target) {
      this.error = 'Not connected to a player.';
      return false;
    }
    if (!room.peers.has(target)) {
      this.error = 'The player is not in the room.';
      return false;
    }
    try {
      if (this.channel !== undefined) await this.channel.send(CONTROL_MESSAGE, command);
      // With its receipt: a command the server refuses (the player just left) is reported here.
      else await room.send(CONTROL_MESSAGE, command, { to: target, receipt: true });
    } catch {
      this.error = 'The command could not be sent. Try again.';
      return false;
    }
    this.error = '';
    return true;
  }

  private onState(data: unknown, from: string): void {
    const state = parsePlayerState(data);
    if (state === undefined) return;
    this.states.set(from, state);
    if (from !== this.target) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent<SbStateDetail>('sb-state', { detail: { state, from }, bubbles: true, composed: true }));
  }

  private onSlider(event: Event, send: (value: number) => Promise<boolean>): void {
    this.dragging = false;
    void send(Number((event.target as HTMLInputElement).value));
    // Show the reported value again until the player reports the new one.
    this.requestUpdate();
  }

  private sliderValue(value: number): unknown {
    return this.dragging ? noChange : live(String(value));
  }

  protected override render(): unknown {
    const state = this.state;
    const disabled = state === undefined || this.room === undefined;
    const muted = state?.muted ?? false;
    const paused = state?.paused ?? true;
    const time = state?.currentTime ?? 0;
    const duration = state?.duration ?? 0;
    const volume = state?.volume ?? 1;
    const rate = state?.playbackRate ?? 1;
    const isLive = duration === 0;
    const timeText = isLive ? formatTime(time) : `${formatTime(time)} / ${formatTime(duration)}`;
    const status = this.room === undefined ? 'Not connected to the room.' : !this.target ? 'Not paired with a player.' : state === undefined ? 'Waiting for the player…' : '';
    const startDrag = (): void => {
      this.dragging = true;
    };
    return html`<div part="controls" role="group" aria-label=${this.label} aria-disabled=${disabled ? 'true' : 'false'}>
        <button part="play" type="button" ?disabled=${disabled} @click=${() => (paused ? this.play() : this.pause())}>
          ${paused ? 'Play' : 'Pause'}
        </button>
        <button part="back" type="button" ?disabled=${disabled || isLive} aria-label="Back ${SKIP_SECONDS} seconds" @click=${() => this.seek(Math.max(0, time - SKIP_SECONDS))}>
          −${SKIP_SECONDS}s
        </button>
        <input
          part="seek"
          type="range"
          aria-label="Position"
          min="0"
          max=${duration}
          step="0.1"
          .value=${this.sliderValue(time)}
          aria-valuetext=${`${formatTime(time)} of ${formatTime(duration)}`}
          ?disabled=${disabled || isLive}
          @input=${startDrag}
          @change=${(event: Event) => this.onSlider(event, (value) => this.seek(value))}
        />
        <button part="forward" type="button" ?disabled=${disabled || isLive} aria-label="Forward ${SKIP_SECONDS} seconds" @click=${() => this.seek(time + SKIP_SECONDS)}>
          +${SKIP_SECONDS}s
        </button>
        <span part="time" aria-hidden="true">${timeText}</span>
        <button part="mute" type="button" ?disabled=${disabled} aria-pressed=${muted ? 'true' : 'false'} @click=${() => this.setMuted(!muted)}>
          ${muted ? 'Unmute' : 'Mute'}
        </button>
        <label>
          Volume
          <input
            part="volume"
            type="range"
            min="0"
            max="1"
            step="0.05"
            .value=${this.sliderValue(volume)}
            aria-valuetext=${`${Math.round(volume * 100)}%${state?.muted ? ', muted on the player' : ''}`}
            ?disabled=${disabled}
            @input=${startDrag}
            @change=${(event: Event) => this.onSlider(event, (value) => this.setVolume(value))}
          />
        </label>
        <label>
          Speed
          <select part="rate" ?disabled=${disabled} @change=${(event: Event) => this.onSlider(event, (value) => this.setRate(value))}>
            ${[...new Set([...RATES, rate])]
              .sort((a, b) => a - b)
              .map((each) => html`<option value=${each} .selected=${live(each === rate)}>${each}×</option>`)}
          </select>
        </label>
      </div>
      ${this.direct ? html`<p part="path" data-path=${this.path ?? 'room'}>${this.path === 'direct' ? 'Direct' : 'Via server'}</p>` : ''}
      <p part="status" role="status">${status}</p>
      <p part="error" role="alert">${this.error}</p>`;
  }
}

defineElement('sb-remote-control', SbRemoteControl);

declare global {
  interface HTMLElementTagNameMap {
    'sb-remote-control': SbRemoteControl;
  }
  interface HTMLElementEventMap {
    'sb-state': CustomEvent<SbStateDetail>;
  }
}
