import { ContextProvider } from '@lit/context';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { connect, type ConnectOptions } from '../connect.js';
import type { DisconnectedEvent } from '../connection/connection.js';
import type { Room } from '../room.js';
import { roomContext } from './context.js';
import { defineElement } from './define.js';

/** What `<sb-room>` shows: the SDK's connection state, or `idle` (no url/token) or `failed` (connect rejected). */
export type SbRoomState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

/** Detail of `sb-connected`. */
export interface SbConnectedDetail {
  room: Room;
}

/** Detail of `sb-disconnected`: the room's `disconnected` event. */
export type SbDisconnectedDetail = DisconnectedEvent;

/** Detail of `sb-error`: why `connect` rejected. */
export interface SbErrorDetail {
  error: unknown;
}

const LABELS: Record<SbRoomState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  disconnected: 'Disconnected',
  failed: 'Could not connect',
};

/**
 * `<sb-room url token>` joins a Switchboard room with {@link connect} once both attributes are
 * set, and provides the {@link Room} to its descendants through {@link roomContext}. It leaves the
 * room when removed from the document, or when `url` or `token` change (and then joins again).
 *
 * @fires sb-connected - {@link SbConnectedDetail}, when the room is joined
 * @fires sb-disconnected - {@link SbDisconnectedDetail}, when the room is over for good
 * @fires sb-error - {@link SbErrorDetail}, when joining failed
 * @slot - the room's content
 * @csspart status - the connection status line (role=status)
 * @cssprop --sb-room-status-color - text colour of the status line
 * @cssprop --sb-room-status-background - background of the status line
 */
export class SbRoom extends LitElement {
  static override properties = {
    url: { type: String },
    token: { type: String },
    hideStatus: { type: Boolean, attribute: 'hide-status' },
    options: { attribute: false },
    state: { type: String, reflect: true },
    detail: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
    }
    [part='status'] {
      color: var(--sb-room-status-color, inherit);
      background: var(--sb-room-status-background, transparent);
      font: inherit;
      font-size: 0.875em;
    }
    .hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
  `;

  /** The server's base URL, e.g. `wss://rtc.example.com`. */
  declare url: string | undefined;
  /** The access token to join with. */
  declare token: string | undefined;
  /** Keeps the status line for screen readers only (it is still announced). */
  declare hideStatus: boolean;
  /** Extra options for {@link connect}. Changing them does not reconnect. */
  declare options: ConnectOptions | undefined;
  /** The connection state shown (reflected as the `state` attribute, for styling). */
  declare state: SbRoomState;
  private declare detail: string;

  private readonly provider = new ContextProvider(this, { context: roomContext, initialValue: undefined });
  private current: Room | undefined;
  // Increases with each join attempt, so that a late `connect` of an earlier attempt is dropped.
  private attempt = 0;
  private stops: (() => void)[] = [];

  constructor() {
    super();
    this.hideStatus = false;
    this.state = 'idle';
    this.detail = '';
  }

  /** The joined room, or `undefined` while not connected. */
  get room(): Room | undefined {
    return this.current;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-inserted after a removal: join again.
    if (this.hasUpdated && this.current === undefined) this.join();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.leave();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('url') || changed.has('token')) {
      this.leave();
      this.join();
    }
  }

  /**
   * Leaves the room (if any), clears the context and fires `sb-disconnected` (reason `left`).
   * Setting `url` or `token` again joins again.
   */
  leave(): void {
    this.attempt++;
    const room = this.current;
    this.release();
    if (room !== undefined) {
      void room.leave();
      const detail: SbDisconnectedDetail = { reason: 'left', message: 'left the room' };
      this.dispatchEvent(new CustomEvent<SbDisconnectedDetail>('sb-disconnected', { detail, bubbles: true, composed: true }));
    }
    if (this.state !== 'idle' && this.state !== 'failed') this.state = 'disconnected';
  }

  private join(): void {
    if (!this.url || !this.token || !this.isConnected) {
      this.state = 'idle';
      return;
    }
    const attempt = ++this.attempt;
    this.state = 'connecting';
    this.detail = '';
    connect(this.url, this.token, this.options).then(
      (room) => {
        if (attempt !== this.attempt) {
          void room.leave();
          return;
        }
        this.current = room;
        this.stops = [
          room.on('connectionStateChanged', ({ state }) => {
            this.state = state;
          }),
          room.on('disconnected', (event) => {
            if (this.current !== room) return;
            this.release();
            this.state = 'disconnected';
            this.detail = event.reason === 'left' ? '' : event.message || event.reason;
            this.dispatchEvent(new CustomEvent<SbDisconnectedDetail>('sb-disconnected', { detail: event, bubbles: true, composed: true }));
          }),
        ];
        this.state = room.connectionState === 'connected' ? 'connected' : room.connectionState;
        this.provider.setValue(room);
        this.dispatchEvent(new CustomEvent<SbConnectedDetail>('sb-connected', { detail: { room }, bubbles: true, composed: true }));
      },
      (error: unknown) => {
        if (attempt !== this.attempt) return;
        this.state = 'failed';
        this.detail = error instanceof Error ? error.message : String(error);
        this.dispatchEvent(new CustomEvent<SbErrorDetail>('sb-error', { detail: { error }, bubbles: true, composed: true }));
      },
    );
  }

  private release(): void {
    for (const stop of this.stops.splice(0)) stop();
    if (this.current === undefined) return;
    this.current = undefined;
    this.provider.setValue(undefined);
  }

  protected override render(): unknown {
    const text = this.detail ? `${LABELS[this.state]}: ${this.detail}` : LABELS[this.state];
    return html`<div part="status" role="status" aria-live="polite" class=${this.hideStatus ? 'hidden' : ''}>${text}</div>
      <slot></slot>`;
  }
}

defineElement('sb-room', SbRoom);

declare global {
  interface HTMLElementTagNameMap {
    'sb-room': SbRoom;
  }
  interface HTMLElementEventMap {
    'sb-connected': CustomEvent<SbConnectedDetail>;
    'sb-disconnected': CustomEvent<SbDisconnectedDetail>;
    'sb-error': CustomEvent<SbErrorDetail>;
  }
}
