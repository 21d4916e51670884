import type { EncodedFrame } from './frame-cipher.js';

/**
 * What a sender's or receiver's frames go through: the frame's new data, or undefined to drop
 * the frame. Runs on the page's thread, where the key provider is.
 */
export type FrameTransform = (frame: EncodedFrame) => Promise<ArrayBuffer | undefined>;

/** An RTCRtpSender or RTCRtpReceiver, whichever API of this browser reaches its frames. */
export type FrameEndpoint = RTCRtpSender | RTCRtpReceiver;

/**
 * How this browser lets the SDK transform encoded media frames, one implementation per API
 * (as mediasoup-client hides each browser's WebRTC behind a handler): Chromium's encoded
 * streams, or the standard `RTCRtpScriptTransform` (Firefox, Safari). Either way the frame
 * cipher is the same and runs where the keys are.
 */
export interface FrameTransformer {
  /** What the transports' peer connections need (mediasoup-client's `additionalSettings`). */
  readonly transportSettings: Partial<RTCConfiguration>;
  /** Routes `endpoint`'s frames through `transform`, before any of them is sent or decoded. */
  attach(endpoint: FrameEndpoint, transform: FrameTransform): void;
  /** Releases what the transformer holds (a worker); frames still flowing are dropped. */
  close(): void;
}
