// The elements and helpers both element entry points export: everything that works with a
// data-only room (no audio/video, no mediasoup-client). Importing this module registers them.
export { parseComment, MAX_COMMENT_LENGTH, type Comment, type CommentPosition } from './comment.js';
export { roomContext } from './context.js';
export { defineElement } from './define.js';
export { RoomElement } from './room-element.js';
export { RoomProvider, type SbConnectedDetail, type SbDisconnectedDetail, type SbErrorDetail, type SbRoomState } from './room-provider.js';
export { SbCommentBox, type RefusedComment, type SbCommentSentDetail } from './sb-comment-box.js';
export { SbDanmaku, type DanmakuMotion } from './sb-danmaku.js';
export { SbPeerList } from './sb-peer-list.js';
export {
  CONTROL_MESSAGE,
  PLAYER_STATE_MESSAGE,
  parseControlCommand,
  parsePlayerState,
  type ControlAction,
  type ControlCommand,
  type PlayerState,
} from './player-state.js';
export { SbControlledPlayer, type SbControlDetail } from './sb-controlled-player.js';
export { SbRemoteControl, type SbPathDetail, type SbStateDetail } from './sb-remote-control.js';
