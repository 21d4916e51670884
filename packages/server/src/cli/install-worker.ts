import type { ensureWorker as EnsureWorker } from '../../scripts/mediasoup-worker/ensure-worker.mjs';

// The recipe ships in the package (files: scripts/mediasoup-worker) beside dist/, and so sits at
// the same place relative to this module whether it runs from src/ or from dist/.
const ENSURE_WORKER = new URL('../../scripts/mediasoup-worker/ensure-worker.mjs', import.meta.url);

/**
 * `switchboard-server install-worker`: puts a mediasoup worker binary where mediasoup looks for
 * it, in place of mediasoup's own postinstall (denied at install: its fallback needs PyPI). It
 * uses the worker already there, else the cached build in `~/.cache/switchboard`
 * (`SWITCHBOARD_CACHE_DIR`), else the worker mediasoup publishes for this platform (seconds, a
 * bounded wait), else builds it from the installed mediasoup source with Debian's libraries (a
 * few minutes) and caches it. docs/install.md says what each costs.
 */
export async function installWorker(log: (line: string) => void): Promise<string> {
  const { ensureWorker } = (await import(ENSURE_WORKER.href)) as { ensureWorker: typeof EnsureWorker };
  const { decision, binary } = await ensureWorker({ log });
  log(`mediasoup worker ready (${decision}): ${binary}`);
  return binary;
}
