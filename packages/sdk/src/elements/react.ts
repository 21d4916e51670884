/**
 * The elements for React 19: importing this module registers every element (as
 * `@switchboard/sdk/elements` does) and gives them JSX types, with no declarations of your own:
 *
 * ```tsx
 * import '@switchboard/sdk/elements/react';
 *
 * <sb-room url={url} token={token} options={{ room: 'lobby' }} onsb-connected={(e) => setRoom(e.detail.room)}>
 *   <sb-danmaku motion="reduced" />
 * </sb-room>
 * ```
 *
 * React 19 sets a prop as a property when the element has one (so `options`, `track` and
 * `hideStatus` take values of any type) and listens to `on<event>` props as events: `onsb-connected`
 * for `sb-connected`. A page using the data-only elements imports those and only this module's
 * types: `import type {} from '@switchboard/sdk/elements/react'`.
 *
 * @packageDocumentation
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { SbElementTypes } from './element-props.js';

export * from './index.js';

type EventProps<E> = { [K in keyof E as `on${K & string}`]?: (event: E[K]) => void };

/** The JSX props of the element `T` in React. */
export type SbReactProps<T extends keyof SbElementTypes> = DetailedHTMLProps<HTMLAttributes<SbElementTypes[T]['element']>, SbElementTypes[T]['element']> &
  Partial<SbElementTypes[T]['properties']> &
  EventProps<SbElementTypes[T]['events']>;

type SbIntrinsicElements = { [T in keyof SbElementTypes]: SbReactProps<T> };

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface IntrinsicElements extends SbIntrinsicElements {}
  }
}
