export { encode, decode, ProtocolError } from './protocol/index.js';
