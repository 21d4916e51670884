import { css, html } from 'lit';
import { MessageError } from '../errors.js';
import type { Room } from '../room.js';
import { MAX_COMMENT_LENGTH, type Comment, type CommentPosition } from './comment.js';
import { defineElement } from './define.js';
import { RoomElement } from './room-element.js';

/** Detail of `sb-comment-sent`: the comment as the server accepted it (for a local echo, e.g. `danmaku.add(detail)`). */
export type SbCommentSentDetail = Comment;

/** A comment the server (or the SDK) refused, kept until it is sent again or discarded. */
export interface RefusedComment {
  comment: Comment;
  /** Why it was refused, in plain words (as shown). */
  reason: string;
}

const RATE_LIMITED_TEXT = 'You are sending comments faster than the room allows. Wait a moment, then try again.';

/**
 * `<sb-comment-box>` is a text field and a send button that broadcast a comment
 * (`{ text, color?, position? }`) as a message of type `type` to the room of the nearest
 * `<sb-room>`. Enter sends. It is disabled while the room is not connected.
 *
 * Every comment is sent exactly once and nothing typed is lost: the field is emptied of what is
 * sent at the moment it is sent (what is typed while the server's receipt is on its way belongs
 * to the next comment), and the receipt never touches the field. A comment the server refuses
 * (rate limit, size, permission) is listed as not sent, with the reason in an alert, and kept
 * there to send again or discard.
 *
 * @fires sb-comment-sent - {@link SbCommentSentDetail}, once the server accepted a comment
 * @csspart input - the text field
 * @csspart button - the send button
 * @csspart error - why the last comment was refused (role=alert)
 * @csspart refused - the list of refused comments
 * @csspart refused-comment - one refused comment: its text, Retry and Discard
 * @csspart refused-text - the text of a refused comment
 * @csspart retry - the button that sends a refused comment again
 * @csspart discard - the button that drops a refused comment
 * @cssprop --sb-comment-box-gap - space between the field and the button
 * @cssprop --sb-comment-box-error-color - text colour of the error message and refused comments
 */
export class SbCommentBox extends RoomElement {
  static override properties = {
    type: { type: String },
    color: { type: String },
    position: { type: String },
    placeholder: { type: String },
    label: { type: String },
    error: { state: true },
    refused: { state: true },
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
    [part='error']:empty,
    [part='refused']:empty {
      display: none;
    }
    [part='refused'] {
      list-style: none;
      margin: 0.25em 0 0;
      padding: 0;
      max-height: 10em;
      overflow-y: auto;
    }
    [part='refused-comment'] {
      display: flex;
      align-items: center;
      gap: var(--sb-comment-box-gap, 0.5em);
      padding: 0.15em 0;
    }
    [part='refused-text'] {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      text-decoration: line-through;
      text-decoration-color: var(--sb-comment-box-error-color, #b00020);
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
  /** Why the last comment was refused; empty once every refused comment was sent or discarded. */
  declare error: string;
  /** The refused comments, oldest first, kept to send again ({@link SbCommentBox.retry}) or discard. Read it. */
  declare refused: readonly RefusedComment[];
  declare private connected: boolean;

  constructor() {
    super();
    this.type = 'comment';
    this.placeholder = 'Say something…';
    this.label = 'Comment';
    this.error = '';
    this.refused = [];
    this.connected = false;
  }

  protected override roomChanged(room: Room | undefined): void {
    this.connected = room?.connectionState === 'connected';
    if (room === undefined) return;
    this.listen(room.on('connectionStateChanged', ({ state }) => (this.connected = state === 'connected')));
  }

  /**
   * Sends `text` (default: the field's text, which is emptied at once); resolves `true` once the
   * server accepted it, `false` if there was nothing to send or it was refused (then it is listed
   * in {@link SbCommentBox.refused}).
   */
  async send(text?: string): Promise<boolean> {
    const input = this.renderRoot.querySelector('input');
    const value = (text ?? input?.value ?? '').trim();
    const room = this.room;
    if (value === '' || room === undefined) return false;
    // Empty the field of what is sent now, never later: keys typed from here on are the next comment.
    if (text === undefined && input !== null) input.value = '';
    const comment: Comment = { text: value };
    if (this.color) comment.color = this.color;
    if (this.position) comment.position = this.position;
    return this.deliver(room, comment);
  }

  /** Sends the refused comment at `index` again; resolves as {@link SbCommentBox.send}. */
  async retry(index: number): Promise<boolean> {
    const item = this.refused[index];
    const room = this.room;
    if (item === undefined || room === undefined) return false;
    this.drop(item);
    return this.deliver(room, item.comment);
  }

  /** Drops the refused comment at `index` without sending it. */
  discard(index: number): void {
    const item = this.refused[index];
    if (item !== undefined) this.drop(item);
  }

  private async deliver(room: Room, comment: Comment): Promise<boolean> {
    try {
      // The server's verdict, whatever the SDK's default: a refusal must be shown, not lost.
      await room.send(this.type, comment, { receipt: true });
    } catch (error) {
      const reason = describe(error);
      this.refused = [...this.refused, { comment, reason }];
      this.error = reason;
      return false;
    }
    if (this.refused.length === 0) this.error = '';
    this.dispatchEvent(new CustomEvent<SbCommentSentDetail>('sb-comment-sent', { detail: comment, bubbles: true, composed: true }));
    return true;
  }

  private drop(item: RefusedComment): void {
    this.refused = this.refused.filter((other) => other !== item);
    if (this.refused.length === 0) this.error = '';
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
      <p part="error" id="error" role="alert">${this.error}</p>
      <ul part="refused" aria-label="Comments not sent">${this.refused.map(
        ({ comment, reason }, index) => html`<li part="refused-comment" title=${reason}>
          <span part="refused-text">${comment.text}</span>
          <button part="retry" type="button" ?disabled=${disabled} aria-label=${`Send again: ${comment.text}`} @click=${() => void this.retry(index)}>Retry</button>
          <button part="discard" type="button" aria-label=${`Discard: ${comment.text}`} @click=${() => this.discard(index)}>Discard</button>
        </li>`,
      )}</ul>`;
  }
}

function describe(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (error instanceof MessageError && code === 'MESSAGE_TOO_LARGE') return 'That comment is too long to send.';
  // Refused by the SDK (no sendData grant) or by the server (a moderator revoked it).
  if (code === 'PERMISSION_DENIED') return 'You cannot send comments in this room.';
  if (code === 'RATE_LIMITED') return RATE_LIMITED_TEXT;
  if (code === 'DISCONNECTED') return 'You are not connected to the room.';
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
