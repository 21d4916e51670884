import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { NotificationName, PeerInfo, ServerNotifications, WireError } from '../../src/protocol/index.js';
import type { JoinResult, RequestParams } from '../../src/signaling/server-frame.js';
import { joinResult, peerInfo } from './join-result.js';
import { TestWsServer, type ReceivedFrame } from './ws-server.js';

/**
 * Just enough of the signaling server for the SDK's connection logic: joins and resumes,
 * transport and channel set-up, and the simple requests; the test scripts the rest.
 */
export class FakeSignalingServer {
  /** Peers other than the client, as the next join reports them. */
  peers: PeerInfo[] = [];
  /** Reported by the next resume as the highest reliable `seq` processed. */
  lastAcceptedSeq = 0;
  /** When set, the next join or resume is answered with this error. */
  joinError: WireError | undefined;
  /** Whether to answer requests at all. */
  answering = true;
  /**
   * Notifications sent right behind the next join's answer, in the same TCP write, as a loaded
   * server's often arrive: the client reads them in the same chunk as the answer.
   */
  afterJoin: Array<{ method: NotificationName; data: ServerNotifications[NotificationName] }> = [];

  private constructor(readonly ws: TestWsServer) {
    ws.onFrame = (frame, socket) => {
      if (this.answering) this.answer(frame, socket);
    };
  }

  static async start(): Promise<FakeSignalingServer> {
    return new FakeSignalingServer(await TestWsServer.start());
  }

  /** The signaling URL without its path, as an application passes it. */
  get baseUrl(): string {
    return this.ws.url.replace(/\/rtc$/, '');
  }

  /** The requests received with `method`, oldest first. */
  requests(method: string): Array<Record<string, unknown>> {
    return this.ws.frames.filter((frame) => frame.method === method).map((frame) => frame.data);
  }

  /** The parameters of every join, oldest first. */
  get joins(): Array<RequestParams<'join'>> {
    return this.requests('join') as Array<RequestParams<'join'>>;
  }

  /** Sends a notification on the newest connection. */
  notify<N extends NotificationName>(method: N, data: ServerNotifications[N]): void {
    TestWsServer.send(this.latest(), { type: 'notification', method, data });
  }

  /** Cuts the newest connection without a close handshake, as a network failure would. */
  drop(): void {
    this.latest().terminate();
  }

  async close(): Promise<void> {
    await this.ws.close();
  }

  private latest(): WebSocket {
    const socket = this.ws.sockets.at(-1);
    if (socket === undefined) throw new Error('no connection yet');
    return socket;
  }

  private answer(frame: ReceivedFrame, socket: WebSocket): void {
    const reply = (data: unknown): void => TestWsServer.send(socket, { type: 'response', id: frame.id, ok: true, data });
    switch (frame.method) {
      case 'join': {
        if (this.joinError !== undefined) {
          TestWsServer.send(socket, { type: 'response', id: frame.id, ok: false, error: this.joinError });
          return;
        }
        const resumed = frame.data.resume !== undefined;
        const result: JoinResult = joinResult({
          self: peerInfo('me'),
          peers: this.peers,
          resumed,
          lastAcceptedSeq: resumed ? this.lastAcceptedSeq : 0,
        });
        const behind = this.afterJoin;
        this.afterJoin = [];
        const tcp = (socket as unknown as { _socket: Socket })._socket;
        tcp.cork();
        reply(result);
        for (const { method, data } of behind) TestWsServer.send(socket, { type: 'notification', method, data });
        process.nextTick(() => tcp.uncork());
        return;
      }
      case 'produceData':
        reply({ id: `producer-${String(frame.data.channel)}-${frame.id}` });
        return;
      case 'updateSelf':
        reply({ self: { ...peerInfo('me'), ...frame.data } });
        return;
      default:
        reply({});
    }
  }
}
