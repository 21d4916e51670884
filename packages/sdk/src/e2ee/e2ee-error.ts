import { SwitchboardError } from '../protocol/index.js';

/** Codes of {@link E2EEError}. */
export type E2EEErrorCode = 'E2EE_NO_KEY' | 'E2EE_DECRYPTION_FAILED' | 'MALFORMED' | 'NOT_FOUND' | 'UNSUPPORTED';

/**
 * End-to-end encryption refused or failed: no key to encrypt with (`E2EE_NO_KEY`, nothing was
 * sent), a payload that does not open (`E2EE_DECRYPTION_FAILED`), a bad key or key ID
 * (`MALFORMED`), an unknown key ID (`NOT_FOUND`), or no WebCrypto (`UNSUPPORTED`).
 */
export class E2EEError extends SwitchboardError {
  declare readonly code: E2EEErrorCode;

  constructor(code: E2EEErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'E2EEError';
  }
}

/** What carried the payload that did not decrypt. */
export type EncryptedSource = 'message' | 'rpc' | 'stream' | 'direct' | 'media';

/** Why a payload did not decrypt. */
export type DecryptionFailure =
  /** No key with the payload's ID for its sender (never set, removed, or past its grace window). */
  | 'noKey'
  /** A key with that ID did not open it: a different key, or bytes altered on the way. */
  | 'badCiphertext'
  /** The payload was not encrypted, or not in the encrypted payload's format. */
  | 'notEncrypted';

/**
 * A room's `decryptionFailed` event: a payload this peer received and could not decrypt. The
 * payload is dropped; nothing else of it reaches the application.
 */
export interface DecryptionFailedEvent {
  /** The sender's peer ID. */
  from: string;
  /** The sender's identity, when this peer knows it (a peer still in the room, or itself). */
  identity?: string;
  source: EncryptedSource;
  /** The message type (RPC method, stream type) from the clear header; for media, the track's name. */
  type: string;
  /** The key ID the payload names, when it could be read. */
  keyId?: number;
  reason: DecryptionFailure;
  /** True when the payload is from the room's history. */
  history?: boolean;
  error: E2EEError;
}
