/** A connection with room notifications waiting to be sent as one WebSocket message. */
export interface QueuedNotifications {
  /** Sends what waits, if anything. */
  flushNotifications(): void;
}

/** How often, at most, the room notifications waiting on connections are sent. */
export const NOTIFICATION_WINDOW_MS = 100;

/**
 * When the room notifications that wait on connections go out. A room's peer events reach every
 * member, so N joins cost N² sends: at 1,000 peers, one system call per member per event was
 * most of the server's CPU (docs/benchmarks.md, "Audience scale"). Connections queue those
 * notifications and this sends each connection's queue as one message: at the end of the
 * current turn when nothing was sent for a window, else a window after the last sending. A quiet
 * room hears of a join as soon as before; a busy one gets its events in one message per member
 * at most every {@link NOTIFICATION_WINDOW_MS}.
 */
export class NotificationFlush {
  private readonly due = new Set<QueuedNotifications>();
  private timer: { cancel(): void } | undefined;
  private lastRun = -Infinity;

  constructor(
    private readonly windowMs = NOTIFICATION_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** `connection` has notifications waiting: they go out with the next run. */
  schedule(connection: QueuedNotifications): void {
    this.due.add(connection);
    if (this.timer) return;
    const wait = this.lastRun + this.windowMs - this.now();
    if (wait > 0) {
      const timeout = setTimeout(() => this.run(), wait);
      this.timer = { cancel: () => clearTimeout(timeout) };
    } else {
      const immediate = setImmediate(() => this.run());
      this.timer = { cancel: () => clearImmediate(immediate) };
    }
  }

  private run(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.lastRun = this.now();
    const due = [...this.due];
    this.due.clear();
    for (const connection of due) connection.flushNotifications();
  }
}
