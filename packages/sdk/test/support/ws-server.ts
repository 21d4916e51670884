import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { Environment } from '../../src/env/environment.js';
import { decode, encode } from '../../src/protocol/index.js';

/** A client frame as the test server decodes it. */
export interface ReceivedFrame {
  type: string;
  id: number;
  method: string;
  data: Record<string, unknown>;
}

/** A WebSocket server on 127.0.0.1 (any free port) that hands each decoded frame to a test handler. */
export class TestWsServer {
  readonly sockets: WebSocket[] = [];
  readonly frames: ReceivedFrame[] = [];
  /** Raw bytes of every binary frame received. */
  readonly raw: Uint8Array[] = [];
  onFrame: (frame: ReceivedFrame, socket: WebSocket) => void = () => undefined;
  onConnection: (socket: WebSocket) => void = () => undefined;
  private constructor(private readonly server: WebSocketServer) {
    server.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('message', (data: Buffer) => {
        this.raw.push(new Uint8Array(data));
        const frame = decode(data) as ReceivedFrame;
        this.frames.push(frame);
        this.onFrame(frame, socket);
      });
      this.onConnection(socket);
    });
  }

  static async start(): Promise<TestWsServer> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new TestWsServer(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/rtc`;
  }

  static send(socket: WebSocket, frame: unknown): void {
    socket.send(encode(frame));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An environment with `ws` WebSockets; its devices come from `createDevice` if given. */
export function wsEnvironment(createDevice: Environment['createDevice'] = () => Promise.reject(new Error('no WebRTC in this test'))): Environment {
  return { createWebSocket: (url) => new WebSocket(url), createDevice };
}
