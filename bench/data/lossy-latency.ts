import { UdpRelay, type Impairment } from '../../packages/server/test/support/udp-relay.js';
import { announcedWorkerAddress } from '../../packages/server/test/support/worker-port.js';
import { ServerProcess } from '../support/server-process.js';
import { joinRoom, leaveAll } from '../support/sdk-peer.js';
import { measureLatency, type LatencyResult } from './latency.js';

/** The impaired network: 5 % of the datagrams dropped each way, up to 20 ms of jitter. */
export const LOSSY_NETWORK: Impairment = { loss: 0.05, delayMs: 0, jitterMs: 20 };

/** One-to-one latency of reliable and lossy messages when both peers reach the worker over {@link LOSSY_NETWORK}. */
export interface LossyLatency {
  reliable: LatencyResult;
  lossy: LatencyResult;
}

/**
 * Runs its own server, announcing 127.0.0.2 in ICE candidates, with a user-space relay there
 * in front of the worker (this machine has no `netem`), and measures one-to-one latency of
 * both channels through it.
 */
export async function lossyLatency(): Promise<LossyLatency> {
  const server = await ServerProcess.start(['--rtc-announced-address', '127.0.0.2']);
  let relay: UdpRelay | undefined;
  try {
    const worker = await announcedWorkerAddress(server);
    relay = await UdpRelay.start({ listen: worker, target: { address: '127.0.0.1', port: worker.port }, impairment: LOSSY_NETWORK });
    const sender = await joinRoom(server.wsUrl, await server.token('lossy', 'sender'));
    const receiver = await joinRoom(server.wsUrl, await server.token('lossy', 'receiver'));
    try {
      const receive = (listener: (payload: Uint8Array) => void) =>
        receiver.on('message', (message) => listener(message.data as Uint8Array));
      return {
        reliable: await measureLatency((payload) => sender.send('bench', payload, { to: receiver.peerId }), receive),
        lossy: await measureLatency((payload) => sender.send('bench', payload, { to: receiver.peerId, reliable: false }), receive),
      };
    } finally {
      await leaveAll([sender, receiver]);
    }
  } finally {
    relay?.close();
    await server.stop();
  }
}
