/** A stop for a run that hangs (a peer that never connects, a browser that never answers). */
export interface Watchdog {
  ms: number;
  /** Names the run in the message printed when it is stopped. */
  what: string;
  /** Runs first when the watchdog fires, e.g. to kill a child that would block the clean-up. */
  onFire?: () => void;
}

// The longest a clean-up may take once the watchdog fired: the exit must not hang in turn.
const CLEAN_UP_AFTER_WATCHDOG_MS = 10_000;

/**
 * Runs a benchmark's `main`, then `cleanUp`, then exits explicitly, success or not: Node exiting
 * with live wrtc objects can crash in a finalizer, and a stray worker or child would keep the
 * process alive. Exit codes: 0 done, 1 `main` failed (the error is printed), 2 the watchdog fired.
 */
export function runMain(main: () => Promise<void>, options: { cleanUp?: () => Promise<void>; watchdog?: Watchdog } = {}): void {
  const cleanUp = options.cleanUp ?? (() => Promise.resolve());
  const { watchdog } = options;
  const timer =
    watchdog &&
    setTimeout(() => {
      console.error(`\n${watchdog.what} did not finish within ${watchdog.ms / 1000} s; stopping.`);
      watchdog.onFire?.();
      void Promise.race([cleanUp(), new Promise((resolve) => setTimeout(resolve, CLEAN_UP_AFTER_WATCHDOG_MS))]).finally(() => process.exit(2));
    }, watchdog.ms);
  main()
    .then(
      () => 0,
      (error: unknown) => {
        console.error(error);
        return 1;
      },
    )
    .then(async (code) => {
      await cleanUp();
      clearTimeout(timer);
      process.exit(code);
    });
}
