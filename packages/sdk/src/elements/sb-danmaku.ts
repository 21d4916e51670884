import { css, html } from 'lit';
import type { Room } from '../room.js';
import { parseComment, type Comment } from './comment.js';
import { defineElement } from './define.js';
import { RoomElement } from './room-element.js';
import { visuallyHidden } from './visually-hidden.js';

/** How `<sb-danmaku>` moves comments: as the user prefers (`auto`), always (`full`) or never (`reduced`). */
export type DanmakuMotion = 'auto' | 'full' | 'reduced';

// A comment on screen. Scroll comments fly right to left in a row; fixed ones (top, bottom, and
// every comment with reduced motion) fade in and out in place, centred.
interface Shown {
  element: HTMLElement;
  animation: Animation;
  kind: 'scroll' | 'fixed';
  row: number;
  width: number;
  /** Pixels per millisecond (scroll comments). */
  speed: number;
}

/** Horizontal space kept between two scroll comments of a row, in pixels. */
const GAP_PX = 16;
/** How many received comments wait for a free row at most; the oldest are dropped first. */
const MAX_PENDING = 100;
/** How many of the last comments the screen-reader log keeps. */
const LOG_SIZE = 10;

/**
 * `<sb-danmaku>` flies live comments over a video ("danmaku"): put it over a video (slot the
 * `<video>` into it, or position it over a sibling with `position: absolute; inset: 0`). It shows
 * the messages of type `type` received in the room of the nearest `<sb-room>` (payload
 * `{ text, color?, position? }`, as `<sb-comment-box>` sends), and whatever {@link SbDanmaku.add}
 * is given. Comments the room kept from before this peer joined (`message.history`) are not
 * flown unless `history` is set: a late viewer would otherwise get them all at once over the
 * picture.
 *
 * Scroll comments take rows so that they never overlap one another: a comment enters a row only
 * when the previous one has fully entered and cannot be caught up. Longer comments fly faster
 * (every scroll comment crosses in `duration` ms). At most `max` comments are on screen; the
 * others wait for room (at most 100 wait; the oldest are dropped). Everything pauses while the
 * page is hidden. With reduced motion (the user's `prefers-reduced-motion`, or `motion="reduced"`)
 * comments fade in and out in place instead of moving.
 *
 * @slot - the video (or anything) to show the comments over
 * @csspart stage - the layer the comments are drawn on (hidden from screen readers)
 * @csspart comment - each comment; also `scroll`, `top` or `bottom`
 * @csspart log - the visually hidden log of the last comments, for screen readers
 * @cssprop --sb-danmaku-font - the comments' font (default `bold 20px/1.3 sans-serif`)
 * @cssprop --sb-danmaku-color - default comment colour (white)
 * @cssprop --sb-danmaku-outline - the comments' `text-shadow`, for legibility
 * @cssprop --sb-danmaku-opacity - the comments' opacity
 * @cssprop --sb-danmaku-inset - the space kept free at the top and bottom of the video (default `0.5em 0`)
 */
export class SbDanmaku extends RoomElement {
  static override properties = {
    type: { type: String },
    max: { type: Number },
    duration: { type: Number },
    fixedDuration: { type: Number, attribute: 'fixed-duration' },
    motion: { type: String },
    announce: { type: Boolean },
    history: { type: Boolean },
    paused: { type: Boolean, reflect: true },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      overflow: hidden;
    }
    [part='stage'] {
      position: absolute;
      /* The top row does not touch the video's edge. */
      inset: var(--sb-danmaku-inset, 0.5em 0);
      overflow: hidden;
      pointer-events: none;
    }
    [part~='comment'] {
      position: absolute;
      left: 0;
      white-space: nowrap;
      font: var(--sb-danmaku-font, bold 20px/1.3 sans-serif);
      color: var(--sb-danmaku-color, #fff);
      text-shadow: var(--sb-danmaku-outline, 0 0 2px #000, 0 0 2px #000);
      opacity: var(--sb-danmaku-opacity, 1);
      will-change: transform, opacity;
    }
    [part='log'] {
      ${visuallyHidden}
    }
  `;

  /** The message type to show. */
  declare type: string;
  /** The most comments on screen at once. */
  declare max: number;
  /** How long a scroll comment takes to cross, in ms. */
  declare duration: number;
  /** How long a top or bottom (or reduced-motion) comment stays, in ms. */
  declare fixedDuration: number;
  /** `auto` follows `prefers-reduced-motion`; `full` and `reduced` force it (e.g. in tests). */
  declare motion: DanmakuMotion;
  /** Announces new comments to screen readers (aria-live=polite on the log); off by default. */
  declare announce: boolean;
  /** Flies the room's history (comments sent before this peer joined) too; off by default. */
  declare history: boolean;
  /** Pauses the comments (they also pause while the page is hidden). */
  declare paused: boolean;

  private readonly shown = new Set<Shown>();
  private readonly pending: Comment[] = [];
  private scrollRows: (Shown | undefined)[] = [];
  private fixedRows: (Shown | undefined)[] = [];
  private readonly log: string[] = [];
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly onVisibility = (): void => this.syncPlayState();

  constructor() {
    super();
    this.type = 'comment';
    this.max = 30;
    this.duration = 8000;
    this.fixedDuration = 4000;
    this.motion = 'auto';
    this.announce = false;
    this.history = false;
    this.paused = false;
  }

  /** Whether comments fade in place instead of moving. */
  get reducedMotion(): boolean {
    // Asked when a comment is placed, never at construction: a server rendering the element
    // (Lit SSR) has no matchMedia, and a browser's answer follows the user's setting as it changes.
    return this.motion === 'reduced' || (this.motion === 'auto' && matchMedia('(prefers-reduced-motion: reduce)').matches);
  }

  /** How many comments are on screen. */
  get onScreen(): number {
    return this.shown.size;
  }

  /** How many comments wait for a free row. */
  get waiting(): number {
    return this.pending.length;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.clear();
  }

  /** Shows `comment` (e.g. a local echo of one this peer sent). Invalid comments are ignored. */
  add(comment: Comment): void {
    const parsed = parseComment(comment);
    if (parsed === undefined) return;
    this.log.push(parsed.text);
    if (this.log.length > LOG_SIZE) this.log.shift();
    this.requestUpdate();
    this.pending.push(parsed);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    this.place();
  }

  /** Removes every comment, shown or waiting. */
  clear(): void {
    this.pending.length = 0;
    for (const shown of [...this.shown]) this.dismiss(shown);
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  protected override roomChanged(room: Room | undefined): void {
    if (room === undefined) return;
    // Read `type` at delivery, so that changing it takes effect at once.
    this.listen(room.on('message', (message) => {
      if (message.type !== this.type || (message.history && !this.history)) return;
      const comment = parseComment(message.data);
      if (comment !== undefined) this.add(comment);
    }));
  }

  protected override updated(): void {
    this.syncPlayState();
  }

  private get halted(): boolean {
    return this.paused || document.hidden;
  }

  private syncPlayState(): void {
    for (const { animation } of this.shown) {
      if (this.halted && animation.playState === 'running') animation.pause();
      else if (!this.halted && animation.playState === 'paused') animation.play();
    }
    if (!this.halted) this.place();
  }

  private get stage(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[part="stage"]');
  }

  // Puts waiting comments on screen while there is room; retries later if some must wait.
  private place(): void {
    const stage = this.stage;
    if (stage === null || this.halted) return;
    while (this.pending.length > 0 && this.shown.size < Math.max(0, this.max)) {
      if (!this.show(stage, this.pending[0]!)) break;
      this.pending.shift();
    }
    if (this.pending.length > 0 && this.retry === undefined) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.place();
      }, 100);
    }
  }

  // Shows `comment` in a free row; false if no row is free.
  private show(stage: HTMLElement, comment: Comment): boolean {
    const element = document.createElement('span');
    element.textContent = comment.text;
    if (comment.color !== undefined) element.style.color = comment.color;
    const position = comment.position ?? 'scroll';
    element.setAttribute('part', `comment ${position}`);
    element.style.visibility = 'hidden';
    stage.append(element);
    const width = element.offsetWidth;
    const height = Math.max(1, element.offsetHeight);
    const stageWidth = stage.clientWidth;
    const rows = Math.max(1, Math.floor(stage.clientHeight / height));
    this.scrollRows.length = rows;
    this.fixedRows.length = rows;

    const fixed = position !== 'scroll' || this.reducedMotion;
    const speed = (stageWidth + width) / Math.max(1, this.duration);
    const row = fixed ? this.freeFixedRow(rows, position === 'bottom') : this.freeScrollRow(rows, speed);
    if (row === undefined) {
      element.remove();
      return false;
    }
    element.dataset.row = String(row);
    element.style.top = `${row * height}px`;
    element.style.visibility = '';
    let animation: Animation;
    if (fixed) {
      element.style.left = `${Math.max(0, (stageWidth - width) / 2)}px`;
      animation = element.animate(
        [{ opacity: 0 }, { opacity: 1, offset: 0.1 }, { opacity: 1, offset: 0.9 }, { opacity: 0 }],
        { duration: this.fixedDuration, fill: 'both' },
      );
    } else {
      animation = element.animate(
        [{ transform: `translateX(${stageWidth}px)` }, { transform: `translateX(${-width}px)` }],
        { duration: (stageWidth + width) / speed, easing: 'linear', fill: 'both' },
      );
    }
    const shown: Shown = { element, animation, kind: fixed ? 'fixed' : 'scroll', row, width, speed };
    (fixed ? this.fixedRows : this.scrollRows)[row] = shown;
    this.shown.add(shown);
    animation.onfinish = () => {
      this.dismiss(shown);
      this.place();
    };
    return true;
  }

  private freeFixedRow(rows: number, fromBottom: boolean): number | undefined {
    for (let i = 0; i < rows; i++) {
      const row = fromBottom ? rows - 1 - i : i;
      if (this.fixedRows[row] === undefined) return row;
    }
    return undefined;
  }

  // The first row whose last comment has fully entered (plus a gap) and will have left before a
  // comment of `speed` could catch up with it.
  private freeScrollRow(rows: number, speed: number): number | undefined {
    for (let row = 0; row < rows; row++) {
      const last = this.scrollRows[row];
      if (last === undefined) return row;
      const stageWidth = this.stage?.clientWidth ?? 0;
      const travelled = last.speed * Number(last.animation.currentTime ?? 0);
      const lead = travelled - last.width - GAP_PX; // space between its tail and the right edge
      if (lead < 0) continue;
      const remaining = (stageWidth + last.width - travelled) / last.speed; // until it has left
      if (speed <= last.speed || lead >= (speed - last.speed) * remaining) return row;
    }
    return undefined;
  }

  private dismiss(shown: Shown): void {
    shown.animation.onfinish = null;
    shown.animation.cancel();
    shown.element.remove();
    this.shown.delete(shown);
    const rows = shown.kind === 'fixed' ? this.fixedRows : this.scrollRows;
    if (rows[shown.row] === shown) rows[shown.row] = undefined;
  }

  protected override render(): unknown {
    return html`<slot></slot>
      <div part="stage" aria-hidden="true"></div>
      <ol part="log" role="log" aria-label="Live comments" aria-live=${this.announce ? 'polite' : 'off'}>
        ${this.log.map((text) => html`<li>${text}</li>`)}
      </ol>`;
  }
}

defineElement('sb-danmaku', SbDanmaku);

declare global {
  interface HTMLElementTagNameMap {
    'sb-danmaku': SbDanmaku;
  }
}
