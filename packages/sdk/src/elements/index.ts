/**
 * Switchboard's web components (Lit). Importing this module registers every element:
 *
 * ```ts
 * import '@switchboard/sdk/elements';
 * ```
 *
 * A page without audio/video imports `@switchboard/sdk/elements/data` instead: the same
 * elements less `<sb-video>`, `<sb-video-grid>` and `<sb-publisher>`, without mediasoup-client.
 *
 * @packageDocumentation
 */
export * from './room-elements.js';
export { SbRoom } from './sb-room.js';
export { SbVideo, type SbVideoFit } from './sb-video.js';
export { SbVideoGrid } from './sb-video-grid.js';
export {
  SbPublisher,
  type SbPublisherSource,
  type SbPublishedDetail,
  type SbPublishErrorDetail,
  type SbUnpublishedDetail,
} from './sb-publisher.js';
