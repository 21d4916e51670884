import { sealEnvelope, type SizeLimit, type UnsequencedEnvelope } from '../data-channel/outgoing.js';
import { RELAY_MESSAGE_TYPE } from '../protocol/index.js';
import { EnvelopeKind, type ReceivedEnvelope } from '../protocol/index.js';
import type { DataEncryption } from './data-encryption.js';
import type { DecryptionFailedEvent, EncryptedSource } from './e2ee-error.js';
import { decryptionFailure } from './payload-cipher.js';

/** What {@link OrderedCrypto} needs of the room. */
export interface OrderedCryptoHost {
  /** A peer's identity, while it is in the room (or this peer's own). */
  identityOf(peerId: string): string | undefined;
  /** Reports a payload that did not decrypt (the room's `decryptionFailed` event). */
  failed(event: DecryptionFailedEvent): void;
}

/**
 * WebCrypto encrypts and decrypts asynchronously, and its promises need not settle in the
 * order they were made. This keeps the order of the data path: deliveries reach the
 * application in the order they arrived, and lossy messages leave in the order they were sent.
 * (Reliable messages keep theirs in the reliable sender, which numbers them at once and holds
 * the queue behind a message still being encrypted.)
 */
export class OrderedCrypto {
  private delivered: Promise<void> = Promise.resolve();
  private lossySent: Promise<void> = Promise.resolve();

  constructor(
    readonly encryption: DataEncryption,
    private readonly host: OrderedCryptoHost,
  ) {}

  /** Decrypts `envelope` (all at once, concurrently) and hands it to `deliver` after every earlier one. */
  receive(envelope: ReceivedEnvelope, deliver: (envelope: ReceivedEnvelope) => void): void {
    const identity = this.host.identityOf(envelope.from);
    const outcome = this.encryption.open(envelope, identity ?? '').then(
      (opened) => () => deliver(opened),
      (error: unknown) => () => this.host.failed(failure(envelope, identity, error)),
    );
    this.delivered = this.delivered.then(() => outcome).then(runReported);
  }

  /**
   * Encrypts a lossy message and hands it to `send` after the lossy messages sent before it.
   * Throws at once, with nothing sent, what the message could never pass: {@link E2EEError}
   * `E2EE_NO_KEY`, or `MessageError` (`MESSAGE_TOO_LARGE` with the encryption's overhead).
   */
  sendLossy(envelope: UnsequencedEnvelope, limit: SizeLimit, send: (envelope: UnsequencedEnvelope) => void): void {
    const sealing = this.encryption.seal(envelope);
    if (sealing === undefined) {
      send(envelope);
      return;
    }
    sealEnvelope({ ...envelope, data: sealing.placeholder }, 0, limit);
    const sealed = sealing.sealed;
    // A lossy message that cannot go out (the channel closed meanwhile) is lost, as any may be.
    this.lossySent = this.lossySent
      .then(() => sealed)
      .then((data) => send({ ...envelope, data }))
      .catch(() => undefined);
  }
}

function failure(envelope: ReceivedEnvelope, identity: string | undefined, error: unknown): DecryptionFailedEvent {
  const event = decryptionFailure({ from: envelope.from, source: sourceOf(envelope), type: envelope.type }, identity, error);
  if (envelope.history === true) event.history = true;
  return event;
}

function sourceOf(envelope: ReceivedEnvelope): EncryptedSource {
  if (envelope.kind === EnvelopeKind.stream) return 'stream';
  if (envelope.kind !== EnvelopeKind.message) return 'rpc';
  return envelope.type === RELAY_MESSAGE_TYPE ? 'direct' : 'message';
}

// A listener that throws must not stop the deliveries after it: its error is reported apart.
function runReported(run: () => void): void {
  try {
    run();
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}
