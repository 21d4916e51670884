import { decode, type NotificationName, type ServerNotifications } from '@switchboard/sdk/protocol';
import type { WebhookEvent } from './webhook-event.js';

/** The webhook event for a room notification about tracks, if it is one webhooks report. */
export function trackWebhook<N extends NotificationName>(room: string, method: N, data: ServerNotifications[N]): WebhookEvent | undefined {
  if (method === 'trackPublished') {
    const { track } = data as ServerNotifications['trackPublished'];
    return { type: 'track.published', room, peerId: track.peerId, track };
  }
  if (method === 'trackUnpublished') {
    const { trackId, peerId } = data as ServerNotifications['trackUnpublished'];
    return { type: 'track.unpublished', room, peerId, trackId };
  }
  return undefined;
}

/**
 * The `message` event for a data message of a reported type. The payload travels as
 * MessagePack; the receiver gets it as JSON, binary values as base64 strings.
 */
export function messageWebhook(
  room: string,
  from: string,
  messageType: string,
  targets: readonly string[] | undefined,
  topic: string | undefined,
  payload: Uint8Array,
): WebhookEvent {
  let data: unknown;
  try {
    data = jsonSafe(decode(payload));
  } catch {
    data = { base64: Buffer.from(payload).toString('base64') };
  }
  return {
    type: 'message',
    room,
    from,
    messageType,
    ...(targets === undefined ? {} : { to: [...targets] }),
    ...(topic === undefined ? {} : { topic }),
    data,
  };
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsonSafe(v)]));
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}
