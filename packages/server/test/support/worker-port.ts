import { PROTOCOL_VERSION } from '@switchboard/sdk/protocol';
import { RawSignaling } from './raw-peer.js';

/**
 * The address and UDP port the server's (only) worker announces in its ICE candidates, learnt
 * from a throwaway join: where a relay in front of the worker must listen. Takes a test server
 * or a benchmark's server process.
 */
export async function announcedWorkerAddress(t: {
  wsUrl: string;
  token(room: string, identity: string): Promise<string>;
}): Promise<{ address: string; port: number }> {
  const probe = await RawSignaling.open(t.wsUrl);
  try {
    const session = await probe.request('join', { protocolVersion: PROTOCOL_VERSION, token: await t.token('probe', 'probe') });
    await probe.request('leave', {});
    const candidate = session.recvTransport.iceCandidates.find((c) => c.protocol === 'udp');
    if (!candidate) throw new Error(`no UDP candidate in ${JSON.stringify(session.recvTransport.iceCandidates)}`);
    return { address: candidate.address, port: candidate.port };
  } finally {
    probe.close();
  }
}
