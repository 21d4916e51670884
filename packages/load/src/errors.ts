/**
 * Why a load run could not run or stopped early. Each code has its own exit status, so a script
 * can tell a bad command line from a server that refused the run.
 */
export type LoadErrorCode =
  /** A flag is missing, unknown or out of range. */
  | 'BAD_OPTION'
  /** A server URL (or the token endpoint) did not answer. */
  | 'UNREACHABLE'
  /** The server refused the tokens: wrong secret, expired, or the token endpoint refused. */
  | 'AUTH_FAILED'
  /** The server's connection caps (per address or in total) refused peers. */
  | 'CAPS_HIT'
  /** Peers could not join for another reason, after their retries. */
  | 'JOIN_FAILED'
  /** A load process died or stopped answering. */
  | 'WORKER_FAILED'
  /** The run overran its deadline. */
  | 'TIMEOUT';

/** A typed failure of the load tool, with the message an operator reads. */
export class LoadError extends Error {
  constructor(
    readonly code: LoadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LoadError';
  }
}

/**
 * Exit statuses of `switchboard-load`: 0 the run passed its checks, 1 it ran but a check failed
 * (a peer did not join, a comment was lost or duplicated), 2 bad command line, 3 the run could
 * not take place (server unreachable, tokens refused, caps hit, a load process failed).
 */
export function exitCodeOf(code: LoadErrorCode): number {
  return code === 'BAD_OPTION' ? 2 : 3;
}
