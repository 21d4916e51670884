import { fileURLToPath } from 'node:url';
import { ChildHost } from '../support/child-host.js';
import type { Reception } from './viewer.js';

/** What the viewer host knows of one viewer. */
export interface ViewerSample extends Reception {
  /** Times its room started reconnecting, and whether it ended (it should do neither). */
  reconnects: number;
  disconnected: boolean;
}

/** The viewer host's calls (viewer-host.ts answers them). */
export type ViewerCalls = {
  /** Joins one viewer per token, one after another (concurrent joins crash the SDK: benchmarks.md). */
  join: { request: { wsUrl: string; tokens: string[] }; reply: Record<string, never> };
  /** What every viewer has received so far, in the order they joined. */
  sample: { request: Record<string, never>; reply: ViewerSample[] };
};

const ENTRY = fileURLToPath(new URL('./viewer-host.ts', import.meta.url));

/**
 * The viewers of the CPU runs, in a child process of their own: each one decodes the video, and
 * in the bench process they would take event-loop turns and CPU from the measuring. One process
 * for all of them; the machine has two cores anyway.
 */
export function startViewerHost(): ChildHost<ViewerCalls> {
  return ChildHost.start<ViewerCalls>(ENTRY, 'viewer host');
}
