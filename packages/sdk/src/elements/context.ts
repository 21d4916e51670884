import { createContext } from '@lit/context';
import type { Room } from '../room.js';

/**
 * The context key under which `<sb-room>` provides its {@link Room} to descendants. The value is
 * `undefined` until the room is connected, and again once it has left.
 *
 * Use it in your own Lit elements with `new ContextConsumer(this, { context: roomContext, subscribe: true })`.
 */
export const roomContext = createContext<Room | undefined>(Symbol('switchboard-room'));
