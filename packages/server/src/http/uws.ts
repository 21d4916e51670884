import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';
import { ServerError } from '../errors.js';

/** Which uWebSockets.js implementation was loaded. */
export type UwsImplementation = 'native' | 'fallback';

/** The loaded uWebSockets.js module and which implementation backs it. */
export interface LoadedUws {
  readonly uws: typeof Uws;
  readonly implementation: UwsImplementation;
}

const require = createRequire(import.meta.url);

/**
 * Loads uWebSockets.js and tells whether its native binary is in use.
 *
 * The package we depend on silently swaps in a slow JavaScript implementation when it has no
 * binary for this Node ABI (or when `UWS_USE_FALLBACK` is set). That server would work, only
 * many times slower, so it is refused unless the operator asked for it with `allowFallback`.
 */
export function loadUws(options: { allowFallback: boolean }): LoadedUws {
  const uws = require('uWebSockets.js') as typeof Uws;
  const implementation = nativeAddonLoaded() ? 'native' : 'fallback';
  if (implementation === 'fallback' && !options.allowFallback) {
    throw new ServerError(
      'UWS_FALLBACK_REFUSED',
      `uWebSockets.js has no native binary for Node ${process.version} ` +
        `(ABI ${process.versions.modules}, ${process.platform}-${process.arch}) or UWS_USE_FALLBACK is set, ` +
        'so it fell back to a much slower JavaScript implementation. Run the server on Node 20 ' +
        '(the ABI its binaries cover), unset UWS_USE_FALLBACK, or accept the slower server with ' +
        '--allow-uws-fallback / SWITCHBOARD_ALLOW_UWS_FALLBACK=1.',
    );
  }
  return { uws, implementation };
}

// The package's loader does not say which branch it took; a loaded `.node` file from the
// package's own directory is the only reliable sign that the native addon is in use.
function nativeAddonLoaded(): boolean {
  const packageDir = require.resolve('uWebSockets.js/package.json').replace(/package\.json$/, '');
  return Object.keys(require.cache).some((file) => file.startsWith(packageDir) && file.endsWith('.node'));
}
