import { ContextConsumer } from '@lit/context';
import { LitElement } from 'lit';
import type { Room } from '../room.js';
import { roomContext } from './context.js';

/**
 * Base class of the elements that work inside an `<sb-room>`: it consumes {@link roomContext}
 * and calls {@link RoomElement.roomChanged} whenever the provided room changes (connected, left).
 * Extend it to write your own room-aware elements.
 */
export class RoomElement extends LitElement {
  /** The room provided by the nearest `<sb-room>` ancestor, once it is connected. */
  get room(): Room | undefined {
    return this.current;
  }

  private current: Room | undefined;
  // Undo functions for the listeners roomChanged added to the current room.
  private readonly cleanups: (() => void)[] = [];

  constructor() {
    super();
    new ContextConsumer(this, {
      context: roomContext,
      subscribe: true,
      callback: (room) => this.setRoom(room),
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // The consumer unsubscribes on disconnect; it asks again (and calls back) on reconnect.
    this.setRoom(undefined);
  }

  /**
   * Called with the new room (or `undefined`) after the previous room's listeners were removed.
   * Register listeners with {@link RoomElement.listen} so they are removed for you.
   */
  protected roomChanged(_room: Room | undefined): void {}

  /** Renders again whenever a peer joins, leaves or changes its metadata (for elements that list peers). */
  protected updateOnPeerChanges(room: Room): void {
    const update = (): void => this.requestUpdate();
    this.listen(room.on('peerJoined', update));
    this.listen(room.on('peerLeft', update));
    this.listen(room.on('peerUpdated', update));
  }

  /** Keeps `unsubscribe` to call when the room changes or the element is removed. */
  protected listen(unsubscribe: () => void): void {
    this.cleanups.push(unsubscribe);
  }

  private setRoom(room: Room | undefined): void {
    if (room === this.current) return;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.current = room;
    this.roomChanged(room);
    this.requestUpdate();
  }
}
