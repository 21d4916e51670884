import { E2EEError, type DecryptionFailedEvent, type DecryptionFailure } from './e2ee-error.js';
import { subtle, type EncryptionKey, type KeyProvider } from './key-provider.js';

/** Bytes of AES-GCM's random IV, written after the ciphertext. */
export const IV_BYTES = 12;
/** Bytes of AES-GCM's authentication tag, at the end of the ciphertext. */
export const TAG_BYTES = 16;

/**
 * Bytes a sealed payload adds to the plain one: the tag, the IV and the key ID. A sealed payload
 * is `ciphertext ‖ tag ‖ IV ‖ key ID`, the key ID last so a receiver reads it first and picks
 * the key, as LiveKit's frame trailer does.
 */
export const SEAL_OVERHEAD = TAG_BYTES + IV_BYTES + 1;

const text = new TextEncoder();

/** Additional authenticated data: clear fields a payload is bound to, so they cannot be swapped. */
export function associatedData(...fields: (string | number)[]): Uint8Array {
  return text.encode(fields.join('\n'));
}

/** Encrypts `plain` under `key`, bound to `aad`; see {@link SEAL_OVERHEAD} for the layout. */
export async function sealPayload(plain: Uint8Array, key: EncryptionKey, aad: Uint8Array): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad as Uint8Array<ArrayBuffer> }, key.key, plain as Uint8Array<ArrayBuffer>);
  const sealed = new Uint8Array(ciphertext.byteLength + IV_BYTES + 1);
  sealed.set(new Uint8Array(ciphertext));
  sealed.set(iv, ciphertext.byteLength);
  sealed[sealed.length - 1] = key.keyId;
  return sealed;
}

/** Why {@link openPayload} failed, with the key ID it read. */
export class OpenFailure extends E2EEError {
  constructor(
    readonly reason: DecryptionFailure,
    readonly keyId: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('E2EE_DECRYPTION_FAILED', message, options);
  }
}

/** The `decryptionFailed` event for `error`, which {@link openPayload} (or what read its result) threw. */
export function decryptionFailure(fields: Pick<DecryptionFailedEvent, 'from' | 'source' | 'type'>, identity: string | undefined, error: unknown): DecryptionFailedEvent {
  const opened = error instanceof OpenFailure ? error : undefined;
  const event: DecryptionFailedEvent = {
    ...fields,
    reason: opened?.reason ?? 'badCiphertext',
    error: opened ?? new E2EEError('E2EE_DECRYPTION_FAILED', `the ${fields.source} payload could not be read after decryption`, { cause: error }),
  };
  if (identity !== undefined) event.identity = identity;
  if (opened?.keyId !== undefined) event.keyId = opened.keyId;
  return event;
}

/**
 * Decrypts a sealed payload from `identity` with the key its ID names; rejects with
 * {@link OpenFailure} when it is not a sealed payload, no key has its ID, or the key fails.
 */
export async function openPayload(sealed: unknown, keys: KeyProvider, identity: string, aad: Uint8Array): Promise<Uint8Array> {
  if (!(sealed instanceof Uint8Array) || sealed.byteLength < SEAL_OVERHEAD) {
    throw new OpenFailure('notEncrypted', undefined, 'the payload is not an encrypted payload');
  }
  const keyId = sealed[sealed.length - 1]!;
  const key = keys.decryptionKey(identity, keyId);
  if (key === undefined) throw new OpenFailure('noKey', keyId, `no key ${keyId} for ${identity === '' ? 'an unknown sender' : identity}`);
  const ivStart = sealed.length - 1 - IV_BYTES;
  try {
    const plain = await subtle().decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(ivStart, ivStart + IV_BYTES) as Uint8Array<ArrayBuffer>, additionalData: aad as Uint8Array<ArrayBuffer> },
      key,
      sealed.subarray(0, ivStart) as Uint8Array<ArrayBuffer>,
    );
    return new Uint8Array(plain);
  } catch (error) {
    throw new OpenFailure('badCiphertext', keyId, `key ${keyId} does not open the payload`, { cause: error });
  }
}
