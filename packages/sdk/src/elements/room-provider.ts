import { ContextProvider } from '@lit/context';
import { css, html, LitElement, type PropertyValues } from 'lit';
import type { DisconnectedEvent } from '../connection/connection.js';
import type { AnyMessages, MessageMap } from '../messages/message-types.js';
import type { RoomOptions } from '../open-room.js';
import type { Room } from '../room.js';
import { roomContext } from './context.js';
import { visuallyHidden } from './visually-hidden.js';

/** What `<sb-room>` shows: the SDK's connection state, or `idle` (no url/token) or `failed` (connect rejected). */
export type SbRoomState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed';

/** Detail of `sb-connected`. */
export interface SbConnectedDetail<M extends MessageMap = AnyMessages> {
  room: Room<M>;
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
 * What `<sb-room>` is made of, whichever `connect` it joins with: the full SDK's (`SbRoom`, from
 * `@switchboard/sdk/elements`) or the data-only one's (`SbDataRoom`, from
 * `@switchboard/sdk/elements/data`, which spares a page mediasoup-client). It joins once `url`
 * and `token` are set, and provides the {@link Room} to its descendants through
 * {@link roomContext}. It leaves the room when removed from the document, or when `url` or
 * `token` change (and then joins again).
 *
 * `M` is the application's message map: `(element as SbRoom<Messages>).room` is a
 * `Room<Messages>`, and `options.messages` takes the schema from `defineMessages`.
 */
export abstract class RoomProvider<M extends MessageMap = AnyMessages, O extends RoomOptions<M> = RoomOptions<M>> extends LitElement {
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
      ${visuallyHidden}
    }
  `;

  /** The server's base URL, e.g. `wss://rtc.example.com`. */
  declare url: string | undefined;
  /** The access token to join with. */
  declare token: string | undefined;
  /** Keeps the status line for screen readers only (it is still announced). */
  declare hideStatus: boolean;
  /** Extra options for `connect`. Changing them does not reconnect. */
  declare options: O | undefined;
  /** The connection state shown (reflected as the `state` attribute, for styling). */
  declare state: SbRoomState;
  private declare detail: string;

  private readonly provider = new ContextProvider(this, { context: roomContext, initialValue: undefined });
  private current: Room<M> | undefined;
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
  get room(): Room<M> | undefined {
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

  /** Joins the room: the `connect` of the entry point the element comes from. */
  protected abstract connectRoom(url: string, token: string, options: O): Promise<Room<M>>;

  private join(): void {
    if (!this.url || !this.token || !this.isConnected) {
      this.state = 'idle';
      return;
    }
    const attempt = ++this.attempt;
    this.state = 'connecting';
    this.detail = '';
    this.connectRoom(this.url, this.token, this.options ?? ({} as O)).then(
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
        // Descendants do not know the app's message map: they get the room untyped.
        this.provider.setValue(room as unknown as Room);
        this.dispatchEvent(new CustomEvent<SbConnectedDetail<M>>('sb-connected', { detail: { room }, bubbles: true, composed: true }));
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
