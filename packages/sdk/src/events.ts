/** Removes the listener it was returned for; calling it again does nothing. */
export type Unsubscribe = () => void;

/** A listener of an event whose payload is `P`. */
export type Listener<P> = (payload: P) => void;

interface Registration {
  listener: Listener<never>;
  once: boolean;
}

/**
 * A small typed event emitter: `Events` maps each event name to its one payload. A listener that
 * throws does not keep the others from running; its error is rethrown asynchronously, as DOM
 * event targets do, so it is reported and not swallowed.
 */
export class Emitter<Events extends object> {
  private readonly registrations = new Map<keyof Events, Registration[]>();

  /** Calls `listener` on every `event` until the returned function is called. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.add(event, listener, false);
  }

  /** Calls `listener` on the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    return this.add(event, listener, true);
  }

  /** Removes `listener` from `event` (every registration of it). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const list = this.registrations.get(event);
    if (list === undefined) return;
    const kept = list.filter((registration) => registration.listener !== listener);
    if (kept.length > 0) this.registrations.set(event, kept);
    else this.registrations.delete(event);
  }

  /** Calls the listeners of `event` in the order they were added. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.registrations.get(event);
    if (list === undefined) return;
    // A copy, so listeners added meanwhile wait for the next event; removed ones are skipped.
    for (const registration of [...list]) {
      if (!this.registrations.get(event)?.includes(registration)) continue;
      if (registration.once) this.remove(event, registration);
      try {
        (registration.listener as Listener<Events[K]>)(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private add<K extends keyof Events>(event: K, listener: Listener<Events[K]>, once: boolean): Unsubscribe {
    const registration: Registration = { listener: listener as Listener<never>, once };
    const list = this.registrations.get(event);
    if (list === undefined) this.registrations.set(event, [registration]);
    else list.push(registration);
    return () => this.remove(event, registration);
  }

  private remove(event: keyof Events, registration: Registration): void {
    const list = this.registrations.get(event);
    const index = list?.indexOf(registration) ?? -1;
    if (list === undefined || index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.registrations.delete(event);
  }
}

/**
 * Runs actions at once, except between {@link hold} and {@link release}: then they wait, and run
 * in order on the next task after `release`.
 */
export class Holdback {
  private held: Array<() => void> | undefined;

  /** Makes actions wait from now on. */
  hold(): void {
    this.held ??= [];
  }

  /** Runs what waited, on the next task; later actions run at once again. */
  release(): void {
    setTimeout(() => {
      const held = this.held ?? [];
      this.held = undefined;
      for (const action of held) action();
    }, 0);
  }

  /** Runs `action` now, or when released if held. */
  run(action: () => void): void {
    if (this.held !== undefined) this.held.push(action);
    else action();
  }
}
