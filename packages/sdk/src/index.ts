export { encode, decode, ProtocolError, type ProtocolErrorCode } from './protocol/index.js';
