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
export { SbCommentBox, type RefusedComment, type SbCommentSentDetail } from './sb-comment-box.js';
export { SbDanmaku, type DanmakuMotion } from './sb-danmaku.js';
export { SbPeerList } from './sb-peer-list.js';
export { SbRoom, type SbConnectedDetail, type SbDisconnectedDetail, type SbErrorDetail, type SbRoomState } from './sb-room.js';
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
export { SbVideo, type SbVideoFit } from './sb-video.js';
export {
  SbPublisher,
  type SbPublisherSource,
  type SbPublishedDetail,
  type SbPublishErrorDetail,
  type SbUnpublishedDetail,
} from './sb-publisher.js';
