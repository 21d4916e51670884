export { encode, decode } from './codec.js';
export { SwitchboardError, ProtocolError, type ErrorCode, type WireError } from './error-codes.js';
export * from './peers.js';
export * from './signaling.js';
export * from './envelope.js';
export * from './batch.js';
export * from './media.js';
export * from './direct.js';
export { unsafeTextReason } from './display-text.js';
