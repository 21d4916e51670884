/**
 * `@switchboard/load`: the `switchboard-load` CLI, and the same runs from code.
 *
 * ```ts
 * import { parseOptions, runLoad, buildResult } from '@switchboard/load';
 * const result = buildResult(await runLoad(parseOptions(['--url', url, '--secret', secret, '--viewers', '50'])));
 * ```
 *
 * @packageDocumentation
 */
export { buildResult } from './build-result.js';
export { runLoad, type ProgressListener, type RunRecord } from './coordinator.js';
export type { ReceiverReport } from './delivery-tracker.js';
export { exitCodeOf, LoadError, type LoadErrorCode } from './errors.js';
export { htmlReport } from './html-report.js';
export { parseOptions, USAGE, type LoadOptions, type Scenario } from './options.js';
export type { LoadResult, Spread, Usage } from './result.js';
export { resultTable } from './table.js';
