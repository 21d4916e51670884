import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Uws from 'uWebSockets.js';
import { ServerError } from '../errors.js';

/** The loaded uWebSockets.js module and the package that provides it. */
export interface LoadedUws {
  readonly uws: typeof Uws;
  /** `name@version` of the package behind the `uWebSockets.js` alias, for logs and `/healthz`. */
  readonly release: string;
}

const require = createRequire(import.meta.url);

/**
 * Loads uWebSockets.js. The package (`@based/uws`, aliased as `uWebSockets.js`) ships native
 * binaries per Node ABI and has no JavaScript fallback: on a Node it has no binary for, loading
 * throws, and the server must not start on it.
 */
export function loadUws(): LoadedUws {
  let uws: typeof Uws;
  try {
    uws = require('uWebSockets.js') as typeof Uws;
  } catch (error) {
    throw new ServerError(
      'UWS_UNAVAILABLE',
      `uWebSockets.js has no native binary for Node ${process.version} ` +
        `(ABI ${process.versions.modules}, ${process.platform}-${process.arch}); run the server on Node 22 LTS. ` +
        `Loader said: ${loaderReason(error)}`,
    );
  }
  return { uws, release: packageRelease() };
}

// The loader's message is a paragraph about supported Nodes followed by the real cause.
function loaderReason(error: unknown): string {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n').filter((line) => line.trim() !== '');
  return lines.find((line) => line.includes('Cannot find module')) ?? lines[0] ?? 'no reason given';
}

function packageRelease(): string {
  const dir = path.dirname(require.resolve('uWebSockets.js'));
  const { name, version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; version: string };
  return `${name}@${version}`;
}
