import { readFileSync } from 'node:fs';
import type * as Uws from 'uWebSockets.js';
import { ServerError } from '../errors.js';

/** Certificate and key files; both absent for plain HTTP. */
export interface TlsFiles {
  tlsCert: string | undefined;
  tlsKey: string | undefined;
}

/**
 * The uWS app: `SSLApp` serving HTTPS and `wss://` when a certificate is configured, else the
 * plain `App`. uWS reads the PEM files itself and only says "construction failed", so the
 * files are read here first to name the one that is missing or not PEM.
 */
export function createApp(uws: typeof Uws, { tlsCert, tlsKey }: TlsFiles): Uws.TemplatedApp {
  if (tlsCert === undefined || tlsKey === undefined) return uws.App();
  checkPem(tlsCert, '--tls-cert', 'CERTIFICATE');
  checkPem(tlsKey, '--tls-key', 'PRIVATE KEY');
  try {
    return uws.SSLApp({ cert_file_name: tlsCert, key_file_name: tlsKey });
  } catch (error) {
    throw new ServerError(
      'TLS_INVALID',
      `TLS could not start with ${tlsCert} and ${tlsKey}: does the key match the certificate? (${(error as Error).message})`,
      { cause: error },
    );
  }
}

function checkPem(file: string, flag: string, kind: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ServerError('TLS_INVALID', `${flag} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    throw new ServerError('TLS_INVALID', `${flag} ${file} is not a PEM file with a ${kind.toLowerCase()}`);
  }
}
