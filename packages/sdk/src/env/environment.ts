import type { Device } from 'mediasoup-client';

/** The event a {@link WebSocketLike} passes to `message` listeners. */
export interface WebSocketMessageEvent {
  data: unknown;
}

/** The event a {@link WebSocketLike} passes to `close` listeners. */
export interface WebSocketCloseEvent {
  code: number;
  reason: string;
}

/**
 * The event a {@link WebSocketLike} passes to `error` listeners: Node's `ws` sets `error` (the
 * socket's error) and `message`; a browser's says nothing.
 */
export interface WebSocketErrorEvent {
  error?: unknown;
  message?: string;
}

/**
 * The part of a WebSocket the SDK uses: the browser's `WebSocket` and the `ws` package's both
 * have it.
 */
export interface WebSocketLike {
  /** The SDK sets `'arraybuffer'`. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: WebSocketMessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: WebSocketCloseEvent) => void): void;
  addEventListener(type: 'error', listener: (event: WebSocketErrorEvent) => void): void;
  addEventListener(type: 'open', listener: () => void): void;
}

/**
 * How a Node WebSocket checks the server's certificate: options of Node's `tls.connect`, which
 * the `ws` package passes on. `ca` adds the certificate authorities to trust (e.g. a private CA's
 * PEM) in place of Node's bundled ones.
 */
export interface TlsOptions {
  ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** The name to check the certificate against, when it is not the URL's host. */
  servername?: string;
}

/** A WebSocket class: the browser's global `WebSocket`, or `WebSocket` from the `ws` package. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * What differs between the browser and Node: where WebSockets and WebRTC come from. Use
 * {@link browserEnvironment} (the default) or {@link nodeEnvironment}.
 */
export interface Environment {
  /** Opens a WebSocket to `url`. */
  createWebSocket(url: string): WebSocketLike;
  /** The RTCPeerConnection class of direct channels (default: the global one). */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** A new, not yet loaded, mediasoup-client Device whose handler works here. */
  createDevice(): Promise<Device>;
  /**
   * Whether video is published with simulcast unless `publish` says otherwise (default true).
   * Simulcast layers are chosen by the track's size, so it needs tracks that report their real
   * size, as browsers' do.
   */
  videoSimulcast?: boolean;
}
