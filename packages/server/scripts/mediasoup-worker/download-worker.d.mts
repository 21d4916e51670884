/** How long the whole download may take before the build is tried instead, ms. */
export const DOWNLOAD_TIMEOUT_MS: number;
/** The URL of the worker mediasoup publishes for `version` on this (or the given) platform. */
export function publishedWorkerUrl(args: {
  repositoryUrl: string;
  version: string;
  baseUrl?: string;
  platform?: string;
  arch?: string;
  release?: string;
}): string;
/** Downloads, unpacks and checks the worker at `url` into `outFile`; never throws. */
export function downloadWorker(args: {
  url: string;
  outFile: string;
  validate: (binary: string) => boolean;
  timeoutMs?: number;
}): Promise<{ ok: true } | { ok: false; reason: string }>;
