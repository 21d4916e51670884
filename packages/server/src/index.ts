export { loadConfig, configHelp, type ServerConfig } from './config.js';
export { ServerError, type ServerErrorCode } from './errors.js';
export { Logger, type LogLevel, type LogFields, type LogSink } from './log.js';
export { startServer, type SwitchboardServer } from './server.js';
export { loadUws, type LoadedUws } from './http/uws.js';
export { AccessToken, DEFAULT_TOKEN_TTL_SECONDS, type AccessTokenOptions } from './auth/access-token.js';
export { verifyToken, DEFAULT_MAX_TOKEN_TTL_SECONDS, type TokenPolicy, type VerifiedToken } from './auth/token.js';
export { GRANT_NAMES, type GrantName, type Grants, type PeerMetadata } from '@switchboard/sdk/protocol';
