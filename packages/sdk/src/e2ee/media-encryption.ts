import type { ConsumerOptions, ProducerOptions, RtpCodecCapability } from 'mediasoup-client/types';
import { E2EEError, type DecryptionFailedEvent } from './e2ee-error.js';
import { EncodedStreamsTransformer } from './encoded-streams.js';
import { clearBytes, openFrame, sealFrame } from './frame-cipher.js';
import type { FrameTransform, FrameTransformer } from './frame-transformer.js';
import type { KeyProvider } from './key-provider.js';
import { decryptionFailure } from './payload-cipher.js';
import { ScriptTransformer } from './script-transform.js';

/** What {@link MediaEncryption} needs of the room. */
export interface MediaEncryptionHost {
  selfId(): string;
  /** A peer's identity, while it is in the room (or this peer's own). */
  identityOf(peerId: string): string | undefined;
  /** Reports a track whose frames stopped decrypting (the room's `decryptionFailed` event). */
  decryptionFailed(event: DecryptionFailedEvent): void;
}

/**
 * End-to-end encryption of media: each published frame is encrypted with the publisher's key
 * before it is packetized, and decrypted after the subscriber reassembles it, through the
 * browser's encoded-frame API (see {@link FrameTransformer}). The few leading bytes the SFU and
 * the depacketizer read stay in clear (see frame-cipher.ts), so routing and simulcast layer
 * switching keep working; a frame that does not decrypt is dropped, never decoded.
 */
export class MediaEncryption {
  private host: MediaEncryptionHost | undefined;
  private readonly transformer: FrameTransformer | undefined;

  constructor(
    readonly keys: KeyProvider,
    transformer: FrameTransformer | undefined = browserTransformer(),
  ) {
    this.transformer = transformer;
  }

  /** What the transports' peer connections need (mediasoup-client's `additionalSettings`). */
  get transportSettings(): Partial<RTCConfiguration> {
    return this.transformer?.transportSettings ?? {};
  }

  /** @internal The room, once it exists. */
  attach(host: MediaEncryptionHost): void {
    this.host = host;
  }

  /** @internal The room is over: release the transformer's worker. */
  close(): void {
    this.transformer?.close();
  }

  /**
   * `produce` options, encrypting: VP8 for video (the codec whose clear header is known; others
   * are refused with {@link E2EEError} `UNSUPPORTED`), and the sender's frames transformed
   * before anything is negotiated, so no frame leaves in clear.
   */
  producerOptions(options: ProducerOptions, codecs: readonly RtpCodecCapability[]): ProducerOptions {
    const transformer = this.supported();
    const kind = options.track?.kind === 'audio' ? 'audio' : 'video';
    let codec = options.codec;
    if (kind === 'video') {
      codec ??= codecs.find((candidate) => candidate.mimeType.toLowerCase() === 'video/vp8');
      if (codec?.mimeType.toLowerCase() !== 'video/vp8') throw new E2EEError('UNSUPPORTED', 'end-to-end encrypted video is sent as VP8 only');
    }
    return { ...options, ...(codec === undefined ? {} : { codec }), onRtpSender: (sender) => transformer.attach(sender as unknown as RTCRtpSender, this.encrypting(kind)) };
  }

  /** `consume` options, decrypting the frames of `peerId`'s track `name`. */
  consumerOptions(options: ConsumerOptions, peerId: string, name: string): ConsumerOptions {
    const transformer = this.supported();
    const kind = options.kind === 'audio' ? 'audio' : 'video';
    return { ...options, onRtpReceiver: (receiver) => transformer.attach(receiver as unknown as RTCRtpReceiver, this.decrypting(kind, peerId, name)) };
  }

  private encrypting(kind: 'audio' | 'video'): FrameTransform {
    return async (frame) => {
      const self = this.host === undefined ? undefined : this.host.identityOf(this.host.selfId());
      const key = self === undefined ? undefined : this.keys.encryptionKey(self);
      // Without a key nothing is sent: a frame in clear would defeat the purpose.
      if (key === undefined) return undefined;
      return sealFrame(frame.data, clearBytes(kind, frame), key);
    };
  }

  private decrypting(kind: 'audio' | 'video', peerId: string, name: string): FrameTransform {
    // Reported once per spell of failures, not per frame: a failing video fails 30 times a second.
    let failing = false;
    return async (frame) => {
      const identity = this.host?.identityOf(peerId);
      try {
        const data = await openFrame(frame.data, clearBytes(kind, frame), this.keys, identity ?? '');
        failing = false;
        return data;
      } catch (error) {
        if (!failing) this.host?.decryptionFailed(decryptionFailure({ from: peerId, source: 'media', type: name }, identity, error));
        failing = true;
        return undefined;
      }
    };
  }

  private supported(): FrameTransformer {
    if (this.transformer === undefined) {
      throw new E2EEError('UNSUPPORTED', 'this browser cannot encrypt media end to end (it has neither encoded streams nor RTCRtpScriptTransform); nothing was sent in clear');
    }
    return this.transformer;
  }
}

/**
 * The transformer for this browser, or undefined when it has neither API (Node, old browsers).
 * Chromium has both; it keeps encoded streams, which need no worker.
 */
function browserTransformer(): FrameTransformer | undefined {
  if (EncodedStreamsTransformer.supported) return new EncodedStreamsTransformer();
  if (ScriptTransformer.supported) return new ScriptTransformer();
  return undefined;
}
