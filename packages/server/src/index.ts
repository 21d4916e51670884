export { loadConfig, configHelp, type ServerConfig } from './config.js';
export { ServerError, type ServerErrorCode } from './errors.js';
export { Logger, type LogLevel, type LogFields, type LogSink } from './log.js';
export { startServer, type SwitchboardServer } from './server.js';
export { loadUws, type LoadedUws } from './http/uws.js';
