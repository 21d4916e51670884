import { encodeNotification, type NotificationName, type ServerNotifications } from '@switchboard/sdk/protocol';
import type { WebhookSink } from '../webhooks/webhook-event.js';
import { trackWebhook } from '../webhooks/room-webhooks.js';
import type { Peer } from './peer.js';

/**
 * Tells a room's members on this node what happened in the room: each notification encoded
 * once for all of them, and queued on each connection (see `NotificationFlush`), to members
 * whose join was answered (`announced`) and that are connected.
 */
export class RoomAnnouncer {
  constructor(
    private readonly room: string,
    private readonly members: ReadonlyMap<string, Peer>,
    private readonly webhooks: WebhookSink,
  ) {}

  /** News of this node: the members hear it, and track events go to the webhooks too. */
  broadcast<N extends NotificationName>(method: N, data: ServerNotifications[N], except?: Peer): void {
    this.tell(method, data, except);
    const event = trackWebhook(this.room, method, data);
    if (event) this.webhooks.emit(event);
  }

  /** News the members hear without a webhook (of other nodes' peers: their node sends those). */
  tell<N extends NotificationName>(method: N, data: ServerNotifications[N], except?: Peer): void {
    let frame: Uint8Array | undefined;
    for (const member of this.members.values()) {
      if (member === except || !member.announced || !member.connection) continue;
      frame ??= encodeNotification(method, data);
      member.connection.notifyEncoded(frame);
    }
  }
}
