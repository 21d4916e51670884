export { encode, decode } from './codec.js';
export { ProtocolError, type ProtocolErrorCode } from './errors.js';
