/**
 * The elements for Solid: importing this module registers every element (as
 * `@switchboard/sdk/elements` does) and gives them JSX types, with no declarations of your own:
 *
 * ```tsx
 * import '@switchboard/sdk/elements/solid';
 *
 * <sb-room url={url} token={token} options={{ room: 'lobby' }} on:sb-connected={(e) => setRoom(e.detail.room)}>
 *   <sb-danmaku motion="reduced" />
 * </sb-room>
 * ```
 *
 * Solid sets the props of a custom element as properties (so `options` and `track` take values
 * of any type) and listens to `on:<event>` props as events, with the event's name as written:
 * `on:sb-connected` for `sb-connected`. A page using the data-only elements imports those and
 * only this module's types: `import type {} from '@switchboard/sdk/elements/solid'`.
 *
 * @packageDocumentation
 */
import type { JSX } from 'solid-js';
import type { SbElementTypes } from './element-props.js';

export * from './index.js';

type EventProps<E> = { [K in keyof E as `on:${K & string}`]?: (event: E[K]) => void };

/** The JSX props of the element `T` in Solid. */
export type SbSolidProps<T extends keyof SbElementTypes> = Omit<JSX.HTMLAttributes<SbElementTypes[T]['element']>, keyof SbElementTypes[T]['properties']> &
  Partial<SbElementTypes[T]['properties']> &
  EventProps<SbElementTypes[T]['events']>;

type SbIntrinsicElements = { [T in keyof SbElementTypes]: SbSolidProps<T> };

declare module 'solid-js' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface IntrinsicElements extends SbIntrinsicElements {}
  }
}
