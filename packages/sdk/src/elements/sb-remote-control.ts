import { css, html, noChange, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { ReceivedMessage } from '../messages/message-types.js';
import type { Room } from '../room.js';
import { defineElement } from './define.js';
import { CONTROL_MESSAGE, formatTime, parsePlayerState, PLAYER_STATE_MESSAGE, type ControlCommand, type PlayerState } from './player-state.js';
import { RoomElement } from './room-element.js';

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
 * the state the player reports, never a state it assumes. Several controllers of one player agree,
 * since they all show what the player reports. Until the player's first report the controls are
 * disabled (the group is `aria-disabled`) and the status says why; `ready` is set from then on.
 * A live stream (duration `0`) cannot be sought: the seek slider and skip buttons stay disabled.
 *
 * @fires sb-state - {@link SbStateDetail}, whenever the target reports its state
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
 * @cssprop --sb-remote-control-gap - space between the controls
 * @cssprop --sb-remote-control-error-color - text colour of errors
 */
export class SbRemoteControl extends RoomElement {
  static override properties = {
    target: { type: String },
    label: { type: String },
    ready: { type: Boolean, reflect: true },
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
    this.error = '';
    this.state = undefined;
    this.ready = false;
  }

  protected override roomChanged(room: Room | undefined): void {
    this.states.clear();
    this.state = undefined;
    if (room === undefined) return;
    this.listen(room.on(`message:${PLAYER_STATE_MESSAGE}`, (message) => this.onState(message)));
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
      await room.send(CONTROL_MESSAGE, command, { to: target });
    } catch {
      this.error = 'The command could not be sent. Try again.';
      return false;
    }
    this.error = '';
    return true;
  }

  private onState(message: ReceivedMessage): void {
    const state = parsePlayerState(message.data);
    if (state === undefined) return;
    this.states.set(message.from, state);
    if (message.from !== this.target) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent<SbStateDetail>('sb-state', { detail: { state, from: message.from }, bubbles: true, composed: true }));
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
