import type { DataEncryption } from './data-encryption.js';
import { E2EEError, type DecryptionFailedEvent } from './e2ee-error.js';
import { associatedData, decryptionFailure, openPayload, SEAL_OVERHEAD, sealPayload } from './payload-cipher.js';

/** A direct channel's message, as the cipher sees it: its type and its payload's bytes. */
export interface DirectPayload {
  type: string;
  data: Uint8Array;
}

/** What a direct channel's cipher needs from its room, when encryption is on. */
export interface DirectEncryption {
  encryption: DataEncryption;
  /** The identity of the peer at the other end, whose key opens what it sends. */
  peerIdentity(): string | undefined;
  failed(event: DecryptionFailedEvent): void;
}

/**
 * End-to-end encryption of one direct channel's payloads, on both paths: peer to peer, where
 * the server signaled the connection (and so could have put itself in the middle), and through
 * the server's relay. Sealed and opened in order: a message leaves after the ones sent before
 * it, and reaches the application after the ones received before it.
 */
export class DirectCipher {
  /** Bytes sealing adds to a payload. */
  static readonly overhead = SEAL_OVERHEAD;
  private sent: Promise<unknown> = Promise.resolve();
  private delivered: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly encryption: DataEncryption,
    private readonly peerId: string,
    private readonly peerIdentity: () => string | undefined,
    private readonly failed: (event: DecryptionFailedEvent) => void,
  ) {}

  /**
   * Encrypts `message`'s payload, then hands it to `send` after the earlier messages. Throws
   * {@link E2EEError} `E2EE_NO_KEY` at once, with nothing sent, when there is no key.
   */
  send(message: DirectPayload, send: (sealed: DirectPayload) => Promise<void>): Promise<void> {
    const key = this.encryption.keys.encryptionKey(this.encryption.identity);
    if (key === undefined) throw new E2EEError('E2EE_NO_KEY', 'end-to-end encryption is on and the key provider has no key to encrypt with');
    const sealed = sealPayload(message.data, key, associatedData('direct', message.type));
    const turn = this.sent.then(() => sealed).then((data) => send({ type: message.type, data }));
    this.sent = turn.catch(() => undefined);
    return turn;
  }

  /** Decrypts a received message and hands it to `deliver` after the earlier ones; reports a failure instead. */
  receive(message: DirectPayload, deliver: (opened: DirectPayload) => void): void {
    const identity = this.peerIdentity();
    const opening = openPayload(message.data, this.encryption.keys, identity ?? '', associatedData('direct', message.type)).then(
      (data) => () => deliver({ type: message.type, data }),
      (error: unknown) => () => this.failed(decryptionFailure({ from: this.peerId, source: 'direct', type: message.type }, identity, error)),
    );
    // The room's emitter reports a listener's error itself; nothing here throws.
    this.delivered = this.delivered.then(() => opening).then((run) => run());
  }
}
