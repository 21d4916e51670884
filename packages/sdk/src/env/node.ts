import { Device } from 'mediasoup-client';
import type { Environment, TlsOptions, WebSocketConstructor } from './environment.js';
import { exitWithoutNativeTeardown } from './node-exit.js';

/** The parts of `@roamhq/wrtc` (or another WebRTC implementation for Node) the SDK needs. */
export interface NodeWebRtc {
  RTCPeerConnection: unknown;
  MediaStream: unknown;
}

type WsWithOptions = new (url: string, options: TlsOptions) => ReturnType<Environment['createWebSocket']>;

/** What {@link nodeEnvironment} needs: the caller's own modules, so browser bundles never see them. */
export interface NodeEnvironmentOptions {
  /** The `@roamhq/wrtc` module. */
  wrtc: NodeWebRtc;
  /** `WebSocket` from the `ws` package (Node 20 has no global one; `tls` needs `ws`'s). */
  WebSocket: WebSocketConstructor;
  /**
   * How to check a `wss://` server's certificate, e.g. `{ ca: readFileSync('ca.pem') }` for a
   * server whose certificate a private CA signed (default: Node's bundled CAs).
   */
  tls?: TlsOptions;
}

/**
 * Node: WebSockets from the given class and WebRTC from `wrtc`. mediasoup-client reads
 * `RTCPeerConnection` and `MediaStream` from the global scope only, so creating a Device installs
 * wrtc's as globals. Video is published without simulcast unless `publish` asks for it: wrtc's
 * tracks report 640×480 whatever frames they carry, so layers chosen by that size could leave
 * subscribers with a quarter of a smaller picture.
 *
 * A process that connected this way ends through `process.exit()` when it exits, with its exit
 * code, because wrtc crashes in Node's own teardown otherwise (see `exitWithoutNativeTeardown`):
 * a bot exits with code 0 once `leave()` resolved and nothing else is pending.
 *
 * @example
 * ```ts
 * import wrtc from '@roamhq/wrtc';
 * import { WebSocket } from 'ws';
 * const room = await connect(url, token, { environment: nodeEnvironment({ wrtc, WebSocket }) });
 * ```
 */
export function nodeEnvironment({ wrtc, WebSocket, tls }: NodeEnvironmentOptions): Environment {
  return {
    // `ws` takes Node's TLS options as its second argument.
    createWebSocket: (url) => (tls === undefined ? new WebSocket(url) : new (WebSocket as WsWithOptions)(url, { ...tls })),
    RTCPeerConnection: wrtc.RTCPeerConnection as typeof RTCPeerConnection,
    createDevice: async () => {
      exitWithoutNativeTeardown();
      Object.assign(globalThis, { RTCPeerConnection: wrtc.RTCPeerConnection, MediaStream: wrtc.MediaStream });
      // wrtc is libwebrtc, which mediasoup-client drives like a current Chrome.
      return new Device({ handlerName: 'Chrome111' });
    },
    videoSimulcast: false,
  };
}
