import * as fake from 'mediasoup-client/fakeParameters';
import { RequestError } from '../../src/errors.js';
import type { RequestMethod, WireError } from '../../src/protocol/index.js';
import type { RequestParams, RequestResult } from '../../src/signaling/server-frame.js';
import { RtcSession } from '../../src/transport/rtc-session.js';
import { FakeWebRtc } from './fake-webrtc.js';
import { joinResult } from './join-result.js';

/** A request as the fake server received it. */
export interface RecordedRequest {
  method: RequestMethod;
  data: Record<string, unknown>;
}

/**
 * The server's side of media requests, scripted: it records every request, answers `produce`
 * and `consume` with fresh IDs (and mediasoup-client's fake consumer parameters), everything
 * else with `{}`, and refuses the methods in `refuse`. Sessions run over {@link FakeWebRtc}.
 */
export class FakeMediaServer {
  readonly rtc = new FakeWebRtc();
  readonly requests: RecordedRequest[] = [];
  readonly refuse: Partial<Record<RequestMethod, WireError>> = {};
  private readonly sessions: RtcSession[] = [];
  private nextId = 1;

  /** A started session, as a connection's `ready` hands it out. */
  async session(): Promise<RtcSession> {
    const session = new RtcSession({
      environment: this.rtc.environment,
      join: joinResult(),
      request: (method, data) => this.answer(method, data),
      onData: () => undefined,
      onFailure: () => undefined,
      openTimeoutMs: 1000,
      disconnectedGraceMs: 1000,
    });
    this.sessions.push(session);
    await session.start();
    return session;
  }

  /** The data of the requests with `method`, oldest first. */
  of(method: RequestMethod): Array<Record<string, unknown>> {
    return this.requests.filter((request) => request.method === method).map((request) => request.data);
  }

  close(): void {
    for (const session of this.sessions) session.close();
  }

  private async answer<M extends RequestMethod>(method: M, data: RequestParams<M>): Promise<RequestResult<M>> {
    this.requests.push({ method, data: data as Record<string, unknown> });
    const refusal = this.refuse[method];
    if (refusal !== undefined) throw new RequestError(method, refusal.code, refusal.message);
    const id = `${method}-${this.nextId++}`;
    switch (method) {
      case 'produce':
      case 'produceData':
        return { id } as RequestResult<M>;
      case 'consume': {
        const { trackId } = data as RequestParams<'consume'>;
        const { rtpParameters } = fake.generateConsumerRemoteParameters({ codecMimeType: 'video/VP8' });
        return { id, trackId, peerId: 'alice', kind: 'video', rtpParameters, producerPaused: false } as RequestResult<M>;
      }
      default:
        return {} as RequestResult<M>;
    }
  }
}
