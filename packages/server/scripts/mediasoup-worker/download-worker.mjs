// Fetches the mediasoup worker that mediasoup publishes for its version and this platform (a
// release asset of mediasoup's repository), as mediasoup's own postinstall would, but with a
// bounded wait and without ever falling back to PyPI: the caller builds from source instead.
//
// Env (mediasoup's own names, so a mirror set up for mediasoup works here too):
//   MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL  base URL of the release assets
//   MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD      set: do not try

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How long the whole download (answer and body) may take before the build is tried instead. */
export const DOWNLOAD_TIMEOUT_MS = 15_000;

/**
 * The published worker's URL, named as mediasoup's npm-scripts.mjs names its release assets:
 * `<repository>/releases/download/<version>/mediasoup-worker-<version>-<platform>-<arch>[-kernel<major>].tgz`.
 * @param {{ repositoryUrl: string, version: string, baseUrl?: string, platform?: string, arch?: string, release?: string }} args
 * @returns {string}
 */
export function publishedWorkerUrl({
  repositoryUrl,
  version,
  baseUrl = process.env.MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL,
  platform = os.platform(),
  arch = os.arch(),
  release = os.release(),
}) {
  const base = baseUrl || `${repositoryUrl.replace(/^git\+/, '').replace(/\.git$/, '')}/releases/download`;
  const kernel = platform === 'linux' ? `-kernel${Number(release.split('.')[0])}` : '';
  return `${base}/${version}/mediasoup-worker-${version}-${platform}-${arch}${kernel}.tgz`;
}

/**
 * Downloads and unpacks the worker at `url` into `outFile`, if it arrives within `timeoutMs` and
 * `validate` says it runs here. Never throws: resolves with why it did not work instead.
 * @param {{ url: string, outFile: string, validate: (binary: string) => boolean, timeoutMs?: number }} args
 * @returns {Promise<{ ok: true } | { ok: false, reason: string }>}
 */
export async function downloadWorker({ url, outFile, validate, timeoutMs = DOWNLOAD_TIMEOUT_MS }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediasoup-worker-download-'));
  try {
    let body;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) return { ok: false, reason: `HTTP ${response.status}` };
      body = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      const err = /** @type {Error & { cause?: { code?: string } }} */ (error);
      if (err.name === 'TimeoutError') return { ok: false, reason: `no answer within ${timeoutMs / 1000} s` };
      return { ok: false, reason: err.cause?.code ?? err.message };
    }
    const archive = path.join(dir, 'worker.tgz');
    fs.writeFileSync(archive, body);
    // The asset holds the one file mediasoup-worker (npm-scripts.mjs, prebuildWorker).
    const untar = spawnSync('tar', ['-xzf', archive, '-C', dir, 'mediasoup-worker'], { stdio: 'ignore', timeout: 30_000 });
    const binary = path.join(dir, 'mediasoup-worker');
    if (untar.status !== 0 || !fs.existsSync(binary)) return { ok: false, reason: 'the archive holds no mediasoup-worker' };
    fs.chmodSync(binary, 0o755);
    if (!validate(binary)) return { ok: false, reason: 'it does not run on this host (another libc or CPU)' };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.copyFileSync(binary, outFile);
    fs.chmodSync(outFile, 0o755);
    return { ok: true };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
