export { IncomingStream, type IncomingStreamEvents, type StreamProgress } from './incoming-stream.js';
export { StreamHandle, type StreamHandleEvents } from './outgoing-stream.js';
export { StreamError, type StreamEndedBy } from './stream-error.js';
export type { SendStreamOptions } from './room-streams.js';
export type { StreamSource } from './stream-source.js';
