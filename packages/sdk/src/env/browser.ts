import { Device } from 'mediasoup-client';
import type { Environment } from './environment.js';

/**
 * The browser: the global `WebSocket`, and a mediasoup-client Device whose handler is detected
 * from the user agent.
 */
export function browserEnvironment(): Environment {
  return {
    createWebSocket: (url) => new WebSocket(url),
    createDevice: () => Device.factory(),
  };
}
