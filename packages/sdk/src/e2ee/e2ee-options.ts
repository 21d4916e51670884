import type { KeyProvider } from './key-provider.js';

/** `connect`'s `e2ee` option: end-to-end encryption of data (and media, in the full SDK). */
export interface E2EEOptions {
  /** Where the keys come from; usually an {@link ExternalKeyProvider} the application fills. */
  keyProvider: KeyProvider;
}
