import type { Grants } from '@switchboard/sdk/protocol';
import { RawPeer } from './raw-peer.js';
import { sleep, startTestServer, type TestServer } from './test-server.js';

/** A wait long enough for a loopback delivery to have arrived if it was going to. */
export const SETTLE_MS = 400;

/** Where a raw peer joins: a room, or a room and the grants its token carries. */
export type RawPeerSpec = string | { room: string; grants: Partial<Grants> };

/** A test server with raw peers joined to it, each under its key as identity. */
export interface RawPeers<N extends string> {
  t: TestServer;
  peers: Record<N, RawPeer>;
  /** Empties every peer's received envelopes and signaling notifications. */
  clearInboxes(): void;
  /** Closes every peer, then the server. */
  close(): Promise<void>;
}

/** Starts a test server with `flags` and joins one raw peer per entry of `specs`, in order. */
export async function startRawPeers<N extends string>(flags: string[], specs: Record<N, RawPeerSpec>): Promise<RawPeers<N>> {
  const t = await startTestServer(flags);
  const peers = {} as Record<N, RawPeer>;
  for (const [identity, spec] of Object.entries(specs) as [N, RawPeerSpec][]) {
    const { room, grants } = typeof spec === 'string' ? { room: spec, grants: undefined } : spec;
    peers[identity] = await RawPeer.join(t.wsUrl, await t.token(room, identity, grants ? { grants } : {}));
  }
  // Lets each peer see the others' peerJoined before a test starts counting notifications.
  await sleep(200);
  const all = Object.values<RawPeer>(peers);
  return {
    t,
    peers,
    clearInboxes: () => {
      for (const p of all) {
        p.received.length = 0;
        p.signaling.notifications.length = 0;
      }
    },
    close: async () => {
      all.forEach((p) => p.close());
      await t.close();
    },
  };
}

/** The messages refused to `p` so far, as the seq it sent and the error code it got. */
export function rejections(p: RawPeer): { seq: number; code: string }[] {
  return p.signaling.notificationsOf('messageRejected').map((n) => {
    const data = n.data as { seq: number; error: { code: string } };
    return { seq: data.seq, code: data.error.code };
  });
}
