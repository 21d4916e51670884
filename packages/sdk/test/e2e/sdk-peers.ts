import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import { connect, nodeEnvironment, type AnyReceivedMessage, type ConnectOptions, type MessageMap, type Room } from '../../src/index.js';
import { startTestServer, type TestServer } from '../../../server/test/support/test-server.js';

export { sleep, waitFor } from '../../../server/test/support/test-server.js';

/** Node environment for every SDK peer of the end-to-end tests. */
export const environment = nodeEnvironment({ wrtc, WebSocket });

/** A room plus everything it received, for assertions. */
export interface TestPeer<M extends MessageMap> {
  room: Room<M>;
  inbox: AnyReceivedMessage<M>[];
}

/** A server and SDK peers joined to it; `close()` leaves every room and stops the server. */
export class SdkFixture {
  private readonly rooms: Room<MessageMap>[] = [];

  private constructor(readonly server: TestServer) {}

  static async start(flags: string[] = []): Promise<SdkFixture> {
    return new SdkFixture(await startTestServer(flags));
  }

  /** Joins `room` as `identity` with the SDK and records every message it receives. */
  async join<M extends MessageMap = Record<string, unknown>>(
    room: string,
    identity: string,
    options: ConnectOptions<M> & { claims?: Parameters<TestServer['token']>[2] } = {},
  ): Promise<TestPeer<M>> {
    const { claims, ...connectOptions } = options;
    const token = await this.server.token(room, identity, claims ?? {});
    const joined = await connect<M>(this.server.wsUrl, token, { environment, ...connectOptions });
    this.rooms.push(joined as unknown as Room<MessageMap>);
    const inbox: AnyReceivedMessage<M>[] = [];
    joined.on('message', (message) => inbox.push(message));
    return { room: joined, inbox };
  }

  async close(): Promise<void> {
    await Promise.all(this.rooms.map((room) => room.leave().catch(() => undefined)));
    await this.server.close();
  }
}
