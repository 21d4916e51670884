import type { ConsumerOptions, ProducerOptions, RtpCodecCapability } from 'mediasoup-client/types';
import { E2EEError, type DecryptionFailedEvent } from './e2ee-error.js';
import { clearBytes, openFrame, sealFrame, type EncodedFrame } from './frame-cipher.js';
import type { KeyProvider } from './key-provider.js';
import { decryptionFailure } from './payload-cipher.js';

/** What {@link MediaEncryption} needs of the room. */
export interface MediaEncryptionHost {
  selfId(): string;
  /** A peer's identity, while it is in the room (or this peer's own). */
  identityOf(peerId: string): string | undefined;
  /** Reports a track whose frames stopped decrypting (the room's `decryptionFailed` event). */
  decryptionFailed(event: DecryptionFailedEvent): void;
}

// Chromium's encoded streams: a sender's or receiver's frames, to transform in this thread.
interface EncodedStreams {
  readable: ReadableStream<EncodedFrame>;
  writable: WritableStream<EncodedFrame>;
}
type WithEncodedStreams = { createEncodedStreams?: () => EncodedStreams };

/**
 * End-to-end encryption of media: each published frame is encrypted with the publisher's key
 * before it is packetized, and decrypted after the subscriber reassembles it, through
 * Chromium's encoded streams (`createEncodedStreams`, which needs the transports' peer
 * connections made with `encodedInsertableStreams`). The few leading bytes the SFU and the
 * depacketizer read stay in clear (see frame-cipher.ts), so routing and simulcast layer
 * switching keep working; a frame that does not decrypt is dropped, never decoded.
 */
export class MediaEncryption {
  /** What the transports' peer connections need (mediasoup-client's `additionalSettings`). */
  static readonly transportSettings = { encodedInsertableStreams: true } as Partial<RTCConfiguration>;
  private host: MediaEncryptionHost | undefined;

  constructor(readonly keys: KeyProvider) {}

  /** Whether this browser can transform encoded frames as this class does. */
  static get supported(): boolean {
    return typeof RTCRtpSender !== 'undefined' && typeof (RTCRtpSender.prototype as WithEncodedStreams).createEncodedStreams === 'function';
  }

  /** @internal The room, once it exists. */
  attach(host: MediaEncryptionHost): void {
    this.host = host;
  }

  /**
   * `produce` options, encrypting: VP8 for video (the codec whose clear header is known; others
   * are refused with {@link E2EEError} `UNSUPPORTED`), and the sender's frames transformed
   * before anything is negotiated, so no frame leaves in clear.
   */
  producerOptions(options: ProducerOptions, codecs: readonly RtpCodecCapability[]): ProducerOptions {
    assertSupported();
    const kind = options.track?.kind === 'audio' ? 'audio' : 'video';
    let codec = options.codec;
    if (kind === 'video') {
      codec ??= codecs.find((candidate) => candidate.mimeType.toLowerCase() === 'video/vp8');
      if (codec?.mimeType.toLowerCase() !== 'video/vp8') throw new E2EEError('UNSUPPORTED', 'end-to-end encrypted video is sent as VP8 only');
    }
    return { ...options, ...(codec === undefined ? {} : { codec }), onRtpSender: (sender) => this.encrypt(sender as unknown as WithEncodedStreams, kind) };
  }

  /** `consume` options, decrypting the frames of `peerId`'s track `name`. */
  consumerOptions(options: ConsumerOptions, peerId: string, name: string): ConsumerOptions {
    assertSupported();
    const kind = options.kind === 'audio' ? 'audio' : 'video';
    return { ...options, onRtpReceiver: (receiver) => this.decrypt(receiver as unknown as WithEncodedStreams, kind, peerId, name) };
  }

  private encrypt(sender: WithEncodedStreams, kind: 'audio' | 'video'): void {
    const { readable, writable } = sender.createEncodedStreams!();
    const transform = new TransformStream<EncodedFrame, EncodedFrame>({
      transform: async (frame, controller) => {
        const self = this.host === undefined ? undefined : this.host.identityOf(this.host.selfId());
        const key = self === undefined ? undefined : this.keys.encryptionKey(self);
        // Without a key nothing is sent: a frame in clear would defeat the purpose.
        if (key === undefined) return;
        frame.data = await sealFrame(frame.data, clearBytes(kind, frame), key);
        controller.enqueue(frame);
      },
    });
    void readable.pipeThrough(transform).pipeTo(writable).catch(() => undefined);
  }

  private decrypt(receiver: WithEncodedStreams, kind: 'audio' | 'video', peerId: string, name: string): void {
    const { readable, writable } = receiver.createEncodedStreams!();
    // Reported once per spell of failures, not per frame: a failing video fails 30 times a second.
    let failing = false;
    const transform = new TransformStream<EncodedFrame, EncodedFrame>({
      transform: async (frame, controller) => {
        const identity = this.host?.identityOf(peerId);
        try {
          frame.data = await openFrame(frame.data, clearBytes(kind, frame), this.keys, identity ?? '');
        } catch (error) {
          if (!failing) this.host?.decryptionFailed(decryptionFailure({ from: peerId, source: 'media', type: name }, identity, error));
          failing = true;
          return;
        }
        failing = false;
        controller.enqueue(frame);
      },
    });
    void readable.pipeThrough(transform).pipeTo(writable).catch(() => undefined);
  }

}

function assertSupported(): void {
  if (!MediaEncryption.supported) {
    throw new E2EEError('UNSUPPORTED', 'this browser cannot encrypt media end to end (it lacks encoded streams); nothing was sent in clear');
  }
}
