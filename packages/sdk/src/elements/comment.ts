/** Where a comment shows over the video: flying across (`scroll`), or held at the top or bottom. */
export type CommentPosition = 'scroll' | 'top' | 'bottom';

/** The payload of a comment message, as `<sb-comment-box>` sends and `<sb-danmaku>` shows it. */
export interface Comment {
  text: string;
  /** Any CSS colour. */
  color?: string;
  position?: CommentPosition;
}

/** The longest comment text shown or sent, in characters. */
export const MAX_COMMENT_LENGTH = 200;

const POSITIONS: readonly string[] = ['scroll', 'top', 'bottom'];

/**
 * Reads a comment out of a received message's `data`, which other peers control: returns
 * `undefined` unless it has a non-empty `text`, trims the text to {@link MAX_COMMENT_LENGTH},
 * and drops a `color` that is not a CSS colour or an unknown `position`.
 */
export function parseComment(data: unknown): Comment | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { text, color, position } = data as Record<string, unknown>;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const comment: Comment = { text: text.trim().slice(0, MAX_COMMENT_LENGTH) };
  if (typeof color === 'string' && color.length <= 64 && CSS.supports('color', color)) comment.color = color;
  if (typeof position === 'string' && POSITIONS.includes(position)) comment.position = position as CommentPosition;
  return comment;
}
