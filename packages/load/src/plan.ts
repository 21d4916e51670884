import type { GrantName } from '@switchboard/sdk/data';
import type { LoadOptions } from './options.js';

/** What a load peer does. */
export type PeerRole =
  /** Receives the live room's comments (data only, no send transport). */
  | 'viewer'
  /** A viewer of the join storm: joins while the comments flow. */
  | 'storm'
  /** Sends numbered comments (data only). */
  | 'commenter'
  /** Publishes a synthetic video track (full SDK). */
  | 'publisher'
  /** Subscribes to the video and counts its frames (full SDK). */
  | 'videoViewer'
  /** One side of a 1:1 pair: sends to and receives from the other. */
  | 'pair';

/** One load peer, as the coordinator hands it to a load process. */
export interface PeerSpec {
  identity: string;
  role: PeerRole;
  room: string;
  grants: GrantName[];
  /** The server URLs it uses, its own first (the SDK moves on to the next if one fails). */
  urls: string[];
  /** When it joins, in ms from the start of the run (storm peers: from the start of the messages). */
  joinAtMs: number;
  /** Messages per second it sends (commenters, pairs); 0 for the others. */
  sendRate: number;
}

const GRANTS: Record<PeerRole, GrantName[]> = {
  viewer: ['subscribe', 'receiveData'],
  storm: ['subscribe', 'receiveData'],
  commenter: ['sendData'],
  publisher: ['publish'],
  videoViewer: ['subscribe'],
  pair: ['sendData', 'receiveData'],
};

/**
 * Every peer of the run, in joining order, each with its join time: joins are paced at
 * `joinRate` per second before the messages; the storm's joins are spread evenly over its window
 * after they start. Peers take the server URLs in turn.
 */
export function planPeers(options: LoadOptions): PeerSpec[] {
  const peers: PeerSpec[] = [];
  const add = (role: PeerRole, identity: string, room: string, sendRate: number, joinAtMs?: number): void => {
    const index = peers.length;
    const urls = options.urls.map((_, i) => options.urls[(index + i) % options.urls.length] as string);
    peers.push({ identity, role, room, grants: GRANTS[role], urls, joinAtMs: joinAtMs ?? Math.round((paced() * 1000) / options.joinRate), sendRate });
  };
  let pacedCount = 0;
  const paced = (): number => pacedCount++;
  if (options.scenario === 'pairs') {
    for (let i = 0; i < options.pairs; i++) {
      const room = `${options.room}-pair-${i}`;
      add('pair', `pair-${i}-a`, room, options.pairRate);
      add('pair', `pair-${i}-b`, room, options.pairRate);
    }
    return peers;
  }
  if (options.publisher) add('publisher', 'publisher', options.room, 0);
  for (let i = 0; i < options.viewers; i++) add('viewer', `viewer-${i}`, options.room, 0);
  for (let i = 0; i < options.videoViewers; i++) add('videoViewer', `video-viewer-${i}`, options.room, 0);
  const perCommenter = options.commenters > 0 ? options.commentRate / options.commenters : 0;
  for (let i = 0; i < options.commenters; i++) add('commenter', `commenter-${i}`, options.room, perCommenter);
  for (let i = 0; i < options.storm; i++) add('storm', `storm-${i}`, options.room, 0, Math.round((i * options.stormSeconds * 1000) / options.storm));
  return peers;
}

/** The peers of each of `processes` load processes: dealt in turn, so each joins at the same pace. */
export function splitPeers(peers: readonly PeerSpec[], processes: number): PeerSpec[][] {
  const count = Math.max(1, Math.min(processes, peers.length));
  const shares: PeerSpec[][] = Array.from({ length: count }, () => []);
  peers.forEach((peer, i) => shares[i % count]!.push(peer));
  return shares;
}
