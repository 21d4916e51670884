/**
 * The data-only elements: `<sb-room>` joining with the data-only `connect`, and every element
 * that works without audio/video (`<sb-danmaku>`, `<sb-comment-box>`, `<sb-peer-list>`,
 * `<sb-controlled-player>`, `<sb-remote-control>`). Importing this module registers them, without
 * loading mediasoup-client:
 *
 * ```ts
 * import '@switchboard/sdk/elements/data';
 * ```
 *
 * @packageDocumentation
 */
export * from './room-elements.js';
export { SbDataRoom } from './sb-data-room.js';
