/** Where the worker binary comes from. */
export type Decision = 'existing' | 'cache' | 'download' | 'build';

/** Arguments of a worker build. */
export interface BuildArgs {
  mediasoupDir: string;
  outFile: string;
  recipeDir: string;
}

/** The sources of the worker to try, in order, given what is already present. */
export function planWorker(state: { targetValid: boolean; cacheValid: boolean; downloadAllowed: boolean }): Decision[];
/** Fingerprint (16 hex chars) of the build recipe: script, meson patch and compat headers. */
export function recipeHash(recipeDir: string): string;
/** True when the binary runs on this host (mediasoup's exit-41 self-check). */
export function validateWorker(binary: string): boolean;
/** Runs build-worker.sh. */
export function buildWorker(args: BuildArgs): Promise<void>;
/** Puts a working worker where mediasoup looks for it, building and caching it if needed. */
export function ensureWorker(options?: {
  mediasoupDir?: string;
  cacheRoot?: string;
  recipeDir?: string;
  build?: (args: BuildArgs) => Promise<void>;
  validate?: (binary: string) => boolean;
  /** The published worker to try before a build; false: build without trying. */
  download?: { url?: string; timeoutMs?: number } | false;
  log?: (line: string) => void;
}): Promise<{ decision: Decision; binary: string }>;
