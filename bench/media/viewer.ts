import wrtc from '@roamhq/wrtc';
import { WebSocket } from 'ws';
import { connect, nodeEnvironment, type Room } from '@switchboard/sdk';
import { AccessToken } from '../../packages/server/src/auth/access-token.js';
import { DEV_SECRETS } from '../../packages/server/src/config.js';

/** A token that may only watch (subscribe to tracks, receive data), as a viewer's would. */
export function viewerToken(room: string, identity: string): Promise<string> {
  return new AccessToken(DEV_SECRETS.tokenSecret, { room, identity, grants: ['subscribe', 'receiveData'], ttlSeconds: 600 }).toJwt();
}

// Every RTCPeerConnection the SDK creates in this process, in order: the viewer's received bytes
// and decoded frames come from them, since the SDK's track.getStats() fails under wrtc (it asks
// for a track's stats, which wrtc does not support) while a whole connection's getStats() works.
const created: RTCPeerConnection[] = [];
const TrackedPeerConnection = new Proxy(wrtc.RTCPeerConnection, {
  construct(target, args, newTarget) {
    const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
    created.push(pc);
    return pc;
  },
});
const environment = nodeEnvironment({ wrtc: { RTCPeerConnection: TrackedPeerConnection, MediaStream: wrtc.MediaStream }, WebSocket });

/** A viewer: its room and the peer connections its `connect()` created. */
export interface Viewer {
  room: Room;
  connections: RTCPeerConnection[];
}

/**
 * Joins as a viewer through the SDK with its defaults (auto-subscribe on). Call one at a time:
 * the connections created while it joins are taken as its own (the SDK creates both transports
 * in `connect()`; subscriptions are added to the receiving one).
 */
export async function joinViewer(wsUrl: string, token: string): Promise<Viewer> {
  const first = created.length;
  const room = await connect(wsUrl, token, { environment });
  return { room, connections: created.slice(first) };
}

/** What a viewer has received so far. */
export interface Reception {
  /** Bytes its connections received, RTP, RTCP, DTLS and SCTP (the `transport` stats). */
  bytes: number;
  /** Video frames decoded, all its video streams together. */
  framesDecoded: number;
  /** Width of the video it decodes (of its busiest stream), 0 if none yet. */
  width: number;
}

/** Reads a viewer's connections' stats (closed ones, e.g. mediasoup-client's probe, are skipped). */
export async function reception(viewer: Viewer): Promise<Reception> {
  const total: Reception = { bytes: 0, framesDecoded: 0, width: 0 };
  let busiest = -1;
  for (const pc of viewer.connections) {
    if (pc.signalingState === 'closed') continue;
    (await pc.getStats()).forEach((entry: Record<string, unknown>) => {
      if (entry.type === 'transport') total.bytes += Number(entry.bytesReceived ?? 0);
      if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
        const frames = Number(entry.framesDecoded ?? 0);
        total.framesDecoded += frames;
        if (frames > busiest) {
          busiest = frames;
          total.width = Number(entry.frameWidth ?? 0);
        }
      }
    });
  }
  return total;
}
