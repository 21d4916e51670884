import assert from 'node:assert/strict';
import type { Device } from 'mediasoup-client';
import type { TransportOptions } from 'mediasoup-client/types';
import type { IceServer } from '../src/protocol/index.js';
import { RtcSession } from '../src/transport/rtc-session.js';
import type { IceSettings } from '../src/transport/session.js';
import { FakeWebRtc } from './support/fake-webrtc.js';
import { joinResult } from './support/join-result.js';

const SERVER_ICE: IceServer[] = [
  { urls: ['stun:stun.example.com:3478'] },
  { urls: ['turn:turn.example.com:3478?transport=udp'], username: '1767229200:alice', credential: 'c2VjcmV0' },
];

/** The options each transport was created with, for a session started with `ice`. */
async function transportOptions(iceServers: IceServer[] | undefined, ice?: IceSettings): Promise<TransportOptions[]> {
  const rtc = new FakeWebRtc();
  const created: TransportOptions[] = [];
  const createDevice = rtc.environment.createDevice;
  const environment = {
    ...rtc.environment,
    createDevice: async (): Promise<Device> => {
      const device = await createDevice();
      const spied = device as unknown as Record<string, (options: TransportOptions) => unknown>;
      for (const method of ['createSendTransport', 'createRecvTransport']) {
        const create = spied[method]!.bind(device);
        spied[method] = (options) => {
          created.push(options);
          return create(options);
        };
      }
      return device;
    },
  };
  const session = new RtcSession({
    environment,
    join: joinResult(iceServers === undefined ? {} : { iceServers }),
    request: async (method) => (method === 'produceData' ? { id: 'producer' } : {}) as never,
    onData: () => undefined,
    onFailure: () => undefined,
    openTimeoutMs: 1000,
    disconnectedGraceMs: 1000,
    ...(ice ? { ice } : {}),
  });
  await session.start();
  session.close();
  return created;
}

describe('ICE servers of the transports', () => {
  it('uses the servers of the join result for both transports, with every candidate type', async () => {
    const created = await transportOptions(SERVER_ICE);
    assert.equal(created.length, 2);
    for (const options of created) {
      assert.deepEqual(options.iceServers, SERVER_ICE);
      assert.equal(options.iceTransportPolicy, 'all');
    }
  });

  it('lets the app replace the servers and ask for relay only', async () => {
    const own: RTCIceServer[] = [{ urls: 'turns:turn.app.example:443?transport=tcp', username: 'u', credential: 'p' }];
    const created = await transportOptions(SERVER_ICE, { servers: own, transportPolicy: 'relay' });
    for (const options of created) {
      assert.deepEqual(options.iceServers, own);
      assert.equal(options.iceTransportPolicy, 'relay');
    }
  });

  it('uses no ICE servers when neither the server nor the app gives any', async () => {
    const created = await transportOptions(undefined);
    for (const options of created) assert.deepEqual(options.iceServers, []);
  });
});
