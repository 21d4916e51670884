import type { ConsumerOptions, ProducerOptions, RtpCodecCapability } from 'mediasoup-client/types';
import { E2EEError, type DecryptionFailedEvent } from './e2ee-error.js';
import { EncodedStreamsTransformer } from './encoded-streams.js';
import { clearBytes, openFrame, sealFrame, type FrameCodec } from './frame-cipher.js';
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
   * `produce` options, encrypting: VP8 (the default) or VP9 for video, the codecs whose clear
   * header is known (others are refused with {@link E2EEError} `UNSUPPORTED`), and the sender's
   * frames transformed before anything is negotiated, so no frame leaves in clear.
   */
  producerOptions(options: ProducerOptions, codecs: readonly RtpCodecCapability[]): ProducerOptions {
    const transformer = this.supported();
    let codec = options.codec;
    let frameCodec: FrameCodec = 'opus';
    if (options.track?.kind !== 'audio') {
      codec ??= codecs.find((candidate) => candidate.mimeType.toLowerCase() === 'video/vp8');
      frameCodec = videoCodecOf(codec?.mimeType ?? 'none');
    }
    return { ...options, ...(codec === undefined ? {} : { codec }), onRtpSender: (sender) => transformer.attach(sender as unknown as RTCRtpSender, this.encrypting(frameCodec)) };
  }

  /** `consume` options, decrypting the frames of `peerId`'s track `name`. */
  consumerOptions(options: ConsumerOptions, peerId: string, name: string): ConsumerOptions {
    const transformer = this.supported();
    const codec = options.kind === 'audio' ? 'opus' : videoCodecOf(options.rtpParameters?.codecs[0]?.mimeType ?? 'none');
    return { ...options, onRtpReceiver: (receiver) => transformer.attach(receiver as unknown as RTCRtpReceiver, this.decrypting(codec, peerId, name)) };
  }

  private encrypting(codec: FrameCodec): FrameTransform {
    return async (frame) => {
      const self = this.host === undefined ? undefined : this.host.identityOf(this.host.selfId());
      const key = self === undefined ? undefined : this.keys.encryptionKey(self);
      // Without a key nothing is sent: a frame in clear would defeat the purpose.
      if (key === undefined) return undefined;
      return sealFrame(frame.data, clearBytes(codec, frame), key);
    };
  }

  private decrypting(codec: FrameCodec, peerId: string, name: string): FrameTransform {
    // Reported once per spell of failures, not per frame: a failing video fails 30 times a second.
    let failing = false;
    return async (frame) => {
      const identity = this.host?.identityOf(peerId);
      try {
        const data = await openFrame(frame.data, clearBytes(codec, frame), this.keys, identity ?? '');
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

/** The encrypted video codec of `mimeType`; throws {@link E2EEError} `UNSUPPORTED` for others. */
function videoCodecOf(mimeType: string): FrameCodec {
  const codec = mimeType.toLowerCase();
  if (codec === 'video/vp8') return 'vp8';
  if (codec === 'video/vp9') return 'vp9';
  throw new E2EEError('UNSUPPORTED', `end-to-end encrypted video is sent as VP8 or VP9 only, not ${mimeType}`);
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
