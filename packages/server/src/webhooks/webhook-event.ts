import type { GrantName, PeerInfo, TrackInfo } from '@switchboard/sdk/protocol';

/** Why a peer left, as webhooks report it. */
export type PeerLeftReason = 'left' | 'kicked' | 'timeout' | 'duplicateIdentity' | 'resumeFailed' | 'serverShutdown' | 'nodeLost' | string;

/**
 * What a webhook receiver is told, as the JSON body of one POST. Every event names its room
 * and carries `id` (unique, for deduplication: a retried delivery keeps its ID) and `at` (ms
 * since epoch when it happened).
 */
export type WebhookEvent =
  | { type: 'room.started'; room: string }
  | { type: 'room.finished'; room: string }
  | { type: 'peer.joined'; room: string; peer: PeerInfo }
  | { type: 'peer.left'; room: string; peerId: string; identity: string; reason: PeerLeftReason }
  | { type: 'peer.grantsChanged'; room: string; peerId: string; identity: string; grants: GrantName[]; previous: GrantName[]; by: string }
  | { type: 'track.published'; room: string; peerId: string; track: TrackInfo }
  | { type: 'track.unpublished'; room: string; peerId: string; trackId: string }
  | { type: 'message'; room: string; from: string; messageType: string; to?: string[]; topic?: string; data: unknown };

/** The envelope every delivery carries. */
export type WebhookDelivery = WebhookEvent & { id: string; at: number };

/** Where rooms report what happens; the dispatcher sends it on, or nothing is configured. */
export interface WebhookSink {
  /** Queues the event for every configured URL and returns at once: it never blocks a room. */
  emit(event: WebhookEvent): void;
  /** Whether messages of this application type are reported (a cheap check for the data path). */
  wantsMessages(type: string): boolean;
}

/** A sink that reports nothing: for data planes run without a server (benchmarks). */
export const NO_WEBHOOKS: WebhookSink = { emit: () => undefined, wantsMessages: () => false };
