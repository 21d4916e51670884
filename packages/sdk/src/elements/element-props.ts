import type { AnyMessages, MessageMap } from '../messages/message-types.js';
import type { SbConnectedDetail, SbDisconnectedDetail, SbErrorDetail } from './room-provider.js';
import type { SbCommentBox, SbCommentSentDetail } from './sb-comment-box.js';
import type { SbControlDetail, SbControlledPlayer } from './sb-controlled-player.js';
import type { SbDanmaku } from './sb-danmaku.js';
import type { SbPeerList } from './sb-peer-list.js';
import type { SbPublishedDetail, SbPublisher, SbPublishErrorDetail, SbUnpublishedDetail } from './sb-publisher.js';
import type { SbPathDetail, SbRemoteControl, SbStateDetail } from './sb-remote-control.js';
import type { SbRoom } from './sb-room.js';
import type { SbVideo } from './sb-video.js';
import type { SbVideoGrid } from './sb-video-grid.js';

/**
 * Every element, framework-neutral: the properties markup may set (JSX sets them as properties,
 * so objects such as `<sb-room>`'s `options` work) and the events it fires. The JSX typings of
 * each framework (`@switchboard/sdk/elements/react`) are made from it.
 */
export interface SbElementTypes<M extends MessageMap = AnyMessages> {
  'sb-room': {
    element: SbRoom<M>;
    properties: Pick<SbRoom<M>, 'url' | 'token' | 'hideStatus' | 'options'>;
    events: { 'sb-connected': CustomEvent<SbConnectedDetail<M>>; 'sb-disconnected': CustomEvent<SbDisconnectedDetail>; 'sb-error': CustomEvent<SbErrorDetail> };
  };
  'sb-danmaku': {
    element: SbDanmaku;
    properties: Pick<SbDanmaku, 'type' | 'max' | 'duration' | 'fixedDuration' | 'motion' | 'announce' | 'paused' | 'history'>;
    events: object;
  };
  'sb-comment-box': {
    element: SbCommentBox;
    properties: Pick<SbCommentBox, 'type' | 'color' | 'position' | 'placeholder' | 'label'>;
    events: { 'sb-comment-sent': CustomEvent<SbCommentSentDetail> };
  };
  'sb-peer-list': { element: SbPeerList; properties: Pick<SbPeerList, 'showSelf' | 'label'>; events: object };
  'sb-video': {
    element: SbVideo;
    properties: Pick<SbVideo, 'peer' | 'identity' | 'name' | 'track' | 'fit' | 'muted' | 'mirror' | 'label'>;
    events: object;
  };
  'sb-video-grid': { element: SbVideoGrid; properties: Pick<SbVideoGrid, 'name' | 'label'>; events: object };
  'sb-publisher': {
    element: SbPublisher;
    properties: Pick<SbPublisher, 'sources'>;
    events: {
      'sb-published': CustomEvent<SbPublishedDetail>;
      'sb-unpublished': CustomEvent<SbUnpublishedDetail>;
      'sb-publish-error': CustomEvent<SbPublishErrorDetail>;
    };
  };
  'sb-controlled-player': { element: SbControlledPlayer; properties: Pick<SbControlledPlayer, 'allow'>; events: { 'sb-control': CustomEvent<SbControlDetail> } };
  'sb-remote-control': {
    element: SbRemoteControl;
    properties: Pick<SbRemoteControl, 'target' | 'label' | 'direct'>;
    events: { 'sb-state': CustomEvent<SbStateDetail>; 'sb-path': CustomEvent<SbPathDetail> };
  };
}
