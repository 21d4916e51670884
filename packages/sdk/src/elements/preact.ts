/**
 * The elements for Preact 10: importing this module registers every element (as
 * `@switchboard/sdk/elements` does) and gives them JSX types, with no declarations of your own:
 *
 * ```tsx
 * import '@switchboard/sdk/elements/preact';
 *
 * <sb-room url={url} token={token} options={{ room: 'lobby' }} onsb-connected={(e) => setRoom(e.detail.room)}>
 *   <sb-danmaku motion="reduced" />
 * </sb-room>
 * ```
 *
 * Preact sets a prop as a property when the element has one (so `options` and `track` take
 * values of any type) and listens to `on<event>` props as events: `onsb-connected` for
 * `sb-connected`. A page using the data-only elements imports those and only this module's
 * types: `import type {} from '@switchboard/sdk/elements/preact'`.
 *
 * @packageDocumentation
 */
import type { JSX } from 'preact';
import type { SbElementTypes } from './element-props.js';

export * from './index.js';

type EventProps<E> = { [K in keyof E as `on${K & string}`]?: (event: E[K]) => void };

/** The JSX props of the element `T` in Preact. */
export type SbPreactProps<T extends keyof SbElementTypes> = Omit<JSX.HTMLAttributes<SbElementTypes[T]['element']>, keyof SbElementTypes[T]['properties']> &
  Partial<SbElementTypes[T]['properties']> &
  EventProps<SbElementTypes[T]['events']>;

type SbIntrinsicElements = { [T in keyof SbElementTypes]: SbPreactProps<T> };

declare module 'preact' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface IntrinsicElements extends SbIntrinsicElements {}
  }
}
