/**
 * Switchboard's web components (Lit). Importing this module registers every element:
 *
 * ```ts
 * import '@switchboard/sdk/elements';
 * ```
 *
 * @packageDocumentation
 */
export { parseComment, MAX_COMMENT_LENGTH, type Comment, type CommentPosition } from './comment.js';
export { roomContext } from './context.js';
export { defineElement } from './define.js';
export { RoomElement } from './room-element.js';
export { SbCommentBox, type SbCommentSentDetail } from './sb-comment-box.js';
export { SbDanmaku, type DanmakuMotion } from './sb-danmaku.js';
export { SbPeerList } from './sb-peer-list.js';
export { SbRoom, type SbConnectedDetail, type SbDisconnectedDetail, type SbErrorDetail, type SbRoomState } from './sb-room.js';
