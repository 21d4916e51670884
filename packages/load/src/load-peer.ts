import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import { connect as connectData, type Room } from '@switchboard/sdk/data';
import { DeliveryTracker } from './delivery-tracker.js';
import type { VideoReport } from './ipc.js';
import type { PeerSpec } from './plan.js';
import { syntheticCamera, type FrameCounter, countFrames } from './synthetic-video.js';

/** The one message type of a load run: sender identity, its number, and when it was sent. */
export type LoadMessages = { load: { s: string; n: number; at: number } };

/** Where a peer reports what happens to it. */
export interface PeerHooks {
  /** A message arrived after `latencyMs`; `duplicate` if it had arrived before. */
  delivered(latencyMs: number, duplicate: boolean): void;
  /** A send was handed to the SDK (`ok`) or refused. */
  sent(ok: boolean): void;
  /** The connection dropped, came back, or ended. */
  connection(event: 'lost' | 'resumed' | 'closed', reason?: string): void;
}

// How long a failed join waits for its socket's close code.
const CLOSE_WAIT_MS = 1_000;
// How often a sender wakes to send what is due: short enough to keep the rate smooth.
const SEND_TICK_MS = 50;

/** One load peer: joins its room, then receives, sends, publishes or watches as its role says. */
export class LoadPeer {
  readonly tracker: DeliveryTracker;
  /** Messages numbered so far (1..sent). */
  sent = 0;
  private room: Room<LoadMessages> | undefined;
  private sendTimer: ReturnType<typeof setInterval> | undefined;
  private joinedAt = 0;
  private video: { stop(): void } | undefined;
  private frames: FrameCounter | undefined;
  private firstFrameAt: number | undefined;
  /** How the server last closed this peer's signaling socket: a cap's code may come before any answer. */
  private lastClose: { code: number; reason: string } | undefined;
  private socket: WebSocket | undefined;

  constructor(
    readonly spec: PeerSpec,
    private readonly hooks: PeerHooks,
  ) {
    this.tracker = new DeliveryTracker(spec.identity);
  }

  /**
   * Joins with `token`; rejects with the SDK's typed error, or one naming the close code when the
   * server closed the socket at a cap (4003 per address, 1013 in all).
   */
  async join(token: string, timeoutMs: number): Promise<void> {
    const { spec } = this;
    const options = { requestTimeoutMs: timeoutMs };
    let room: Room<LoadMessages>;
    try {
      room =
        spec.role === 'publisher' || spec.role === 'videoViewer'
          ? await this.joinWithMedia(token, options)
          : await connectData<LoadMessages>(spec.urls.map(wsUrl), token, {
              ...options,
              environment: { createWebSocket: this.createWebSocket, RTCPeerConnection: wrtc.RTCPeerConnection as typeof RTCPeerConnection },
            });
    } catch (error) {
      // The join may fail on a socket the server is closing, before its close code arrived.
      await this.socketClosed(CLOSE_WAIT_MS);
      const closed = this.lastClose;
      if (closed?.code === 4003 || closed?.code === 1013) {
        throw Object.assign(new Error(`the signaling connection closed (code ${closed.code}: ${closed.reason})`), { code: 'DISCONNECTED', cause: error });
      }
      throw error;
    }
    this.room = room;
    this.joinedAt = Date.now();
    room.on('message:load', ({ data }) => {
      if (data.s === spec.identity) return;
      const fresh = this.tracker.arrived(data.s, data.n);
      this.hooks.delivered(Date.now() - data.at, !fresh);
    });
    room.on('connectionStateChanged', ({ state, previous }) => {
      if (state === 'reconnecting') this.hooks.connection('lost');
      else if (state === 'connected' && previous === 'reconnecting') this.hooks.connection('resumed');
    });
    room.on('disconnected', ({ reason, message }) => {
      if (reason !== 'left') this.hooks.connection('closed', `${reason}: ${message}`);
    });
    if (spec.role === 'publisher') {
      const camera = syntheticCamera();
      this.video = camera;
      await room.publish(camera.track, { name: 'camera' });
    }
    if (spec.role === 'videoViewer') {
      room.on('trackSubscribed', ({ track }) => {
        const media = track.mediaStreamTrack;
        if (media?.kind !== 'video' || this.frames) return;
        this.frames = countFrames(media, () => (this.firstFrameAt ??= Date.now()));
      });
    }
  }

  /** Starts sending numbered messages at the spec's rate (nothing for a peer that does not send). */
  startSending(): void {
    const { room, spec } = this;
    if (!room || spec.sendRate <= 0 || this.sendTimer) return;
    const started = Date.now();
    this.sendTimer = setInterval(() => {
      const due = Math.floor(((Date.now() - started) / 1000) * spec.sendRate);
      while (this.sent < due) {
        const n = ++this.sent;
        room.send('load', { s: spec.identity, n, at: Date.now() }).then(
          () => this.hooks.sent(true),
          () => this.hooks.sent(false),
        );
      }
    }, SEND_TICK_MS);
  }

  /** Stops sending; returns how many messages it numbered. */
  stopSending(): number {
    clearInterval(this.sendTimer);
    this.sendTimer = undefined;
    return this.sent;
  }

  /** What a video viewer saw. */
  videoReport(): VideoReport {
    const report: VideoReport = { identity: this.spec.identity, frames: this.frames?.frames ?? 0 };
    if (this.firstFrameAt !== undefined) report.firstFrameMs = this.firstFrameAt - this.joinedAt;
    return report;
  }

  /** Leaves the room (best effort) and stops the synthetic media. */
  async leave(): Promise<void> {
    this.stopSending();
    this.frames?.stop();
    this.video?.stop();
    await this.room?.leave().catch(() => undefined);
  }

  /** A joined room that the run no longer wants (its join outlived the attempt's timeout). */
  static async discard(room: Promise<unknown>): Promise<void> {
    const late = (await room.catch(() => undefined)) as { leave(): Promise<void> } | undefined;
    await late?.leave().catch(() => undefined);
  }

  private async joinWithMedia(token: string, options: { requestTimeoutMs: number }): Promise<Room<LoadMessages>> {
    // The full SDK, for media: mediasoup-client on wrtc. Loaded only by runs with video.
    const { connect, nodeEnvironment } = await import('@switchboard/sdk');
    const environment = { ...nodeEnvironment({ wrtc, WebSocket }), createWebSocket: this.createWebSocket };
    return connect<LoadMessages>(this.spec.urls.map(wsUrl), token, { ...options, environment });
  }

  private socketClosed(timeoutMs: number): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      socket.once('close', () => (clearTimeout(timer), resolve()));
    });
  }

  private readonly createWebSocket = (url: string): WebSocket => {
    const socket = (this.socket = new WebSocket(url));
    socket.on('close', (code, reason) => (this.lastClose = { code, reason: reason.toString() }));
    return socket;
  };
}

/** A server URL as the SDK takes it: ws(s)://host:port. */
export function wsUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  return parsed.toString().replace(/\/$/, '');
}
