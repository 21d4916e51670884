/** Removes the listener it was returned for; calling it again does nothing. */
export type Unsubscribe = () => void;

/** A listener of an event whose payload is `P`. */
export type Listener<P> = (payload: P) => void;

interface Registration {
  listener: Listener<never>;
  once: boolean;
  /** Set when removed, so that an emit already under way skips it. */
  removed: boolean;
}

/**
 * A small typed event emitter: `Events` maps each event name to its one payload. A listener that
 * throws does not keep the others from running; its error is rethrown asynchronously, as DOM
 * event targets do, so it is reported and not swallowed.
 */
export class Emitter<Events extends object> {
  // Each list is replaced, never changed in place, so an emit iterates the list as it was when
  // the event came (listeners added meanwhile wait for the next one) without copying it.
  private readonly registrations = new Map<keyof Events, readonly Registration[]>();

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
    for (const registration of this.registrations.get(event) ?? []) {
      if (registration.listener === listener) this.remove(event, registration);
    }
  }

  /** Whether `event` has a listener: an emitter of costly payloads may skip building them. */
  has(event: keyof Events): boolean {
    return this.registrations.has(event);
  }

  /** Calls the listeners of `event` in the order they were added. */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.registrations.get(event);
    if (list === undefined) return;
    for (const registration of list) {
      if (registration.removed) continue;
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
    const registration: Registration = { listener: listener as Listener<never>, once, removed: false };
    this.registrations.set(event, [...(this.registrations.get(event) ?? []), registration]);
    return () => this.remove(event, registration);
  }

  private remove(event: keyof Events, registration: Registration): void {
    if (registration.removed) return;
    registration.removed = true;
    const kept = (this.registrations.get(event) ?? []).filter((r) => r !== registration);
    if (kept.length > 0) this.registrations.set(event, kept);
    else this.registrations.delete(event);
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

  /** Whether actions wait now: a caller with an action per message builds one only then. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Runs `action` now, or when released if held. */
  run(action: () => void): void {
    if (this.held !== undefined) this.held.push(action);
    else action();
  }
}
