import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { nodeEnvironment, type Environment } from '../../src/index.js';

/**
 * A Node environment whose network can be cut: `cut()` kills the open socket abruptly (no close
 * frame, as when a network drops) and makes new connection attempts fail until `restore()`.
 */
export class FlakyNetwork {
  private sockets: WebSocket[] = [];
  private down = false;
  readonly environment: Environment;

  constructor() {
    const base = nodeEnvironment({ wrtc, WebSocket });
    this.environment = {
      ...base,
      createWebSocket: (url) => {
        // Port 9 (discard) on loopback refuses at once: the attempt fails like a dead network.
        const socket = new WebSocket(this.down ? 'ws://127.0.0.1:9/rtc' : url);
        this.sockets.push(socket);
        return socket as unknown as ReturnType<Environment['createWebSocket']>;
      },
    };
  }

  cut(): void {
    this.down = true;
    for (const socket of this.sockets.splice(0)) socket.terminate();
  }

  restore(): void {
    this.down = false;
  }
}
