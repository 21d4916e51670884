import { E2EEError } from './e2ee-error.js';

/** A key to encrypt with: its ID (carried in clear beside every ciphertext) and the AES-GCM key. */
export interface EncryptionKey {
  keyId: number;
  key: CryptoKey;
}

/**
 * Where end-to-end encryption gets its keys. The SDK asks it, for every message and media
 * frame, which key a peer encrypts with and which key opens what a peer sent under a key ID;
 * peers are named by identity (the token's `sub`), which the application knows. The SDK never
 * sends a key anywhere: distributing keys is the application's business.
 * {@link ExternalKeyProvider} is the provider for keys the application sets itself.
 */
export interface KeyProvider {
  /** The key `identity` encrypts with now, or undefined when it has none. */
  encryptionKey(identity: string): EncryptionKey | undefined;
  /** The key that opens what `identity` encrypted under `keyId`, or undefined when there is none. */
  decryptionKey(identity: string, keyId: number): CryptoKey | undefined;
}

/** Options of {@link ExternalKeyProvider.setKey}. */
export interface SetKeyOptions {
  /** The key's ID, 0 to 255 (default 0); receivers pick the key by the ID a payload carries. */
  keyId?: number;
  /** Whose key: a per-sender key of this identity. Absent: the room's shared key. */
  identity?: string;
  /**
   * Whether its owner encrypts with it from now on (default true). Set a new key with
   * `activate: false` on every receiver first, then activate it on the sender: nothing sent
   * under it arrives before its receivers can open it.
   */
  activate?: boolean;
}

/** Settings of an {@link ExternalKeyProvider}. */
export interface ExternalKeyProviderOptions {
  /**
   * How long a key replaced as current still opens what was sent under it, in ms (default
   * 30000): the messages and frames in flight when a key rotates.
   */
  graceMs?: number;
  /** The clock, in ms (default `Date.now`); for tests. */
  now?: () => number;
}

interface StoredKey {
  key: CryptoKey;
  /** When another key replaced it as current; it opens payloads for `graceMs` more. */
  retiredAt?: number;
}

interface KeyRing {
  current?: number;
  keys: Map<number, StoredKey>;
}

const DEFAULT_GRACE_MS = 30_000;
// The ring of the room's shared key; per-sender rings are keyed by identity, never empty.
const SHARED = '';

/**
 * A {@link KeyProvider} holding the keys the application gives it: a shared room key, per-sender
 * keys, or both (a sender's own key wins over the shared one). Each ring keeps several keys by
 * ID; activating a new one retires the previous current key, which still opens payloads for a
 * grace window, so a rotation loses nothing in flight.
 */
export class ExternalKeyProvider implements KeyProvider {
  private readonly rings = new Map<string, KeyRing>();
  private readonly graceMs: number;
  private readonly now: () => number;

  constructor(options: ExternalKeyProviderOptions = {}) {
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Sets a key: an AES-GCM `CryptoKey`, or 16 or 32 raw bytes (AES-128 or AES-256). A key ID set
   * again is replaced, so rotate to a new ID. Rejects with {@link E2EEError} `MALFORMED` for a
   * bad ID, identity or key.
   */
  async setKey(key: CryptoKey | ArrayBuffer | Uint8Array, options: SetKeyOptions = {}): Promise<void> {
    const keyId = options.keyId ?? 0;
    if (!Number.isInteger(keyId) || keyId < 0 || keyId > 255) throw new E2EEError('MALFORMED', `a key ID is an integer from 0 to 255, not ${String(keyId)}`);
    const identity = options.identity ?? SHARED;
    if (options.identity !== undefined && (typeof identity !== 'string' || identity.length === 0)) throw new E2EEError('MALFORMED', 'an identity is a non-empty string');
    const cryptoKey = await importKey(key);
    let ring = this.rings.get(identity);
    if (ring === undefined) this.rings.set(identity, (ring = { keys: new Map() }));
    ring.keys.set(keyId, { key: cryptoKey });
    if (options.activate ?? true) this.activate(ring, keyId);
  }

  /**
   * Makes the key `keyId` (already set) the one its owner encrypts with; the previous one opens
   * payloads for the grace window. Throws {@link E2EEError} `NOT_FOUND` for an ID not set.
   */
  activateKey(keyId: number, identity?: string): void {
    const ring = this.rings.get(identity ?? SHARED);
    if (ring?.keys.has(keyId) !== true) throw new E2EEError('NOT_FOUND', `no key ${keyId} is set${identity === undefined ? '' : ` for ${identity}`}`);
    this.activate(ring, keyId);
  }

  /** Forgets a key (or, without `keyId`, every key of the ring): what was sent under it no longer opens. */
  removeKey(keyId?: number, identity?: string): void {
    const name = identity ?? SHARED;
    const ring = this.rings.get(name);
    if (ring === undefined) return;
    if (keyId === undefined) {
      this.rings.delete(name);
      return;
    }
    ring.keys.delete(keyId);
    if (ring.current === keyId) delete ring.current;
  }

  encryptionKey(identity: string): EncryptionKey | undefined {
    return this.currentOf(this.rings.get(identity)) ?? this.currentOf(this.rings.get(SHARED));
  }

  decryptionKey(identity: string, keyId: number): CryptoKey | undefined {
    return this.usable(this.rings.get(identity), keyId) ?? this.usable(this.rings.get(SHARED), keyId);
  }

  private activate(ring: KeyRing, keyId: number): void {
    const previous = ring.current === undefined ? undefined : ring.keys.get(ring.current);
    if (previous !== undefined && ring.current !== keyId) previous.retiredAt = this.now();
    ring.current = keyId;
    delete ring.keys.get(keyId)!.retiredAt;
  }

  private currentOf(ring: KeyRing | undefined): EncryptionKey | undefined {
    if (ring?.current === undefined) return undefined;
    return { keyId: ring.current, key: ring.keys.get(ring.current)!.key };
  }

  // A retired key past its grace window is dropped when next asked for.
  private usable(ring: KeyRing | undefined, keyId: number): CryptoKey | undefined {
    const stored = ring?.keys.get(keyId);
    if (stored === undefined) return undefined;
    if (stored.retiredAt !== undefined && this.now() - stored.retiredAt > this.graceMs) {
      ring!.keys.delete(keyId);
      return undefined;
    }
    return stored.key;
  }
}

async function importKey(key: CryptoKey | ArrayBuffer | Uint8Array): Promise<CryptoKey> {
  if (typeof CryptoKey !== 'undefined' && key instanceof CryptoKey) {
    if (key.algorithm.name !== 'AES-GCM') throw new E2EEError('MALFORMED', `an encryption key must be an AES-GCM key, not ${key.algorithm.name}`);
    return key;
  }
  const bytes = key instanceof Uint8Array ? key : key instanceof ArrayBuffer ? new Uint8Array(key) : undefined;
  if (bytes === undefined || (bytes.byteLength !== 16 && bytes.byteLength !== 32)) {
    throw new E2EEError('MALFORMED', 'a raw key is 16 or 32 bytes (AES-128 or AES-256)');
  }
  return subtle().importKey('raw', bytes as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** WebCrypto's SubtleCrypto: the browser's, or Node's `globalThis.crypto.subtle`. */
export function subtle(): SubtleCrypto {
  const found = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (found === undefined) throw new E2EEError('UNSUPPORTED', 'end-to-end encryption needs WebCrypto (a secure page, or Node 20 or later)');
  return found;
}
