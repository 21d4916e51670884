import type { EncodedFrame } from './frame-cipher.js';
import type { FrameEndpoint, FrameTransform, FrameTransformer } from './frame-transformer.js';

// Chromium's encoded streams: a sender's or receiver's frames, to transform on this thread.
interface EncodedStreams {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
}
type WithEncodedStreams = { createEncodedStreams?: () => EncodedStreams };

/**
 * Chromium's encoded streams (`createEncodedStreams`): the frames reach this thread directly.
 * The peer connections must be made with `encodedInsertableStreams`, and then every sender and
 * receiver must be read, or its media stalls: the SDK encrypts every track of such a room.
 */
export class EncodedStreamsTransformer implements FrameTransformer {
  readonly transportSettings = { encodedInsertableStreams: true } as Partial<RTCConfiguration>;

  static get supported(): boolean {
    return typeof RTCRtpSender !== 'undefined' && typeof (RTCRtpSender.prototype as WithEncodedStreams).createEncodedStreams === 'function';
  }

  attach(endpoint: FrameEndpoint, transform: FrameTransform): void {
    const { readable, writable } = (endpoint as WithEncodedStreams).createEncodedStreams!();
    const stream = new TransformStream<EncodedFrame, EncodedFrame>({
      transform: async (frame, controller) => {
        const data = await transform(frame);
        if (data === undefined) return;
        frame.data = data;
        controller.enqueue(frame);
      },
    });
    void readable.pipeThrough(stream).pipeTo(writable).catch(() => undefined);
  }

  close(): void {
    // Nothing held: the streams end with their senders and receivers.
  }
}
