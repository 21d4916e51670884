import { css, html } from 'lit';
import { MessageError, type MessageRejectedError } from '../errors.js';
import type { Room } from '../room.js';
import { MAX_COMMENT_LENGTH, type Comment, type CommentPosition } from './comment.js';
import { defineElement } from './define.js';
import { RoomElement } from './room-element.js';

/** Detail of `sb-comment-sent`: the comment as sent (for a local echo, e.g. `danmaku.add(detail)`). */
export type SbCommentSentDetail = Comment;

const RATE_LIMITED_TEXT = 'You are sending comments faster than the room allows. Wait a moment, then try again.';

/**
 * `<sb-comment-box>` is a text field and a send button that broadcast a comment
 * (`{ text, color?, position? }`) as a message of type `type` to the room of the nearest
 * `<sb-room>`. Enter sends. It is disabled while the room is not connected, and explains refusals
 * (rate limit, size, permission) in an alert.
 *
 * @fires sb-comment-sent - {@link SbCommentSentDetail}, once a comment was handed to the room
 * @csspart input - the text field
 * @csspart button - the send button
 * @csspart error - the error message (role=alert)
 * @cssprop --sb-comment-box-gap - space between the field and the button
 * @cssprop --sb-comment-box-error-color - text colour of the error message
 */
export class SbCommentBox extends RoomElement {
  static override properties = {
    type: { type: String },
    color: { type: String },
    position: { type: String },
    placeholder: { type: String },
    label: { type: String },
    error: { state: true },
    connected: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
    }
    form {
      display: flex;
      gap: var(--sb-comment-box-gap, 0.5em);
    }
    input {
      flex: 1;
      min-width: 0;
      font: inherit;
    }
    button {
      font: inherit;
    }
    [part='error'] {
      color: var(--sb-comment-box-error-color, #b00020);
      font-size: 0.875em;
      margin: 0.25em 0 0;
    }
    [part='error']:empty {
      display: none;
    }
  `;

  /** The message type to send. */
  declare type: string;
  /** The comment's colour (any CSS colour); none by default. */
  declare color: string | undefined;
  /** The comment's position; none (the viewer's default, `scroll`) by default. */
  declare position: CommentPosition | undefined;
  /** The field's placeholder. */
  declare placeholder: string;
  /** The field's accessible name. */
  declare label: string;
  /** The error shown, if any. */
  declare error: string;
  declare private connected: boolean;

  constructor() {
    super();
    this.type = 'comment';
    this.placeholder = 'Say something…';
    this.label = 'Comment';
    this.error = '';
    this.connected = false;
  }

  protected override roomChanged(room: Room | undefined): void {
    this.connected = room?.connectionState === 'connected';
    if (room === undefined) return;
    this.listen(room.on('connectionStateChanged', ({ state }) => (this.connected = state === 'connected')));
    this.listen(room.on('messageRejected', (error) => this.rejected(error)));
  }

  /** Sends `text` (default: the field's text); resolves `true` once the server accepted it. */
  async send(text?: string): Promise<boolean> {
    const input = this.renderRoot.querySelector('input');
    const value = (text ?? input?.value ?? '').trim();
    const room = this.room;
    if (value === '' || room === undefined) return false;
    const comment: Comment = { text: value };
    if (this.color) comment.color = this.color;
    if (this.position) comment.position = this.position;
    try {
      await room.send(this.type, comment);
    } catch (error) {
      this.error = describe(error);
      return false;
    }
    this.error = '';
    if (input !== null && text === undefined) input.value = '';
    this.dispatchEvent(new CustomEvent<SbCommentSentDetail>('sb-comment-sent', { detail: comment, bubbles: true, composed: true }));
    return true;
  }

  private rejected(error: MessageRejectedError): void {
    this.error = error.code === 'RATE_LIMITED' ? RATE_LIMITED_TEXT : `Your comment was not delivered (${error.message}).`;
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    void this.send();
  }

  protected override render(): unknown {
    const disabled = !this.connected;
    return html`<form @submit=${this.onSubmit}>
        <input
          part="input"
          type="text"
          enterkeyhint="send"
          maxlength=${MAX_COMMENT_LENGTH}
          aria-label=${this.label}
          placeholder=${this.placeholder}
          ?disabled=${disabled}
          aria-describedby="error"
        />
        <button part="button" type="submit" ?disabled=${disabled}>Send</button>
      </form>
      <p part="error" id="error" role="alert">${this.error}</p>`;
  }
}

function describe(error: unknown): string {
  if (error instanceof MessageError && error.code === 'MESSAGE_TOO_LARGE') return 'That comment is too long to send.';
  // Refused by the SDK (no sendData grant) or by the server (a moderator revoked it).
  if (error instanceof Error && 'code' in error && error.code === 'PERMISSION_DENIED') return 'You cannot send comments in this room.';
  if (error instanceof Error && 'code' in error && error.code === 'RATE_LIMITED') return RATE_LIMITED_TEXT;
  if (error instanceof Error && 'code' in error && error.code === 'DISCONNECTED') return 'You are not connected to the room.';
  return 'Your comment could not be sent. Try again.';
}

defineElement('sb-comment-box', SbCommentBox);

declare global {
  interface HTMLElementTagNameMap {
    'sb-comment-box': SbCommentBox;
  }
  interface HTMLElementEventMap {
    'sb-comment-sent': CustomEvent<SbCommentSentDetail>;
  }
}
