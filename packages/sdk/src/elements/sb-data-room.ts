import { connect, type DataConnectOptions } from '../data.js';
import type { AnyMessages, MessageMap } from '../messages/message-types.js';
import type { Room } from '../room.js';
import { defineElement } from './define.js';
import { RoomProvider } from './room-provider.js';

/**
 * `<sb-room url token>` of the data-only elements (`@switchboard/sdk/elements/data`): the same
 * element as `SbRoom`, joining with the data-only `connect`, so that a chat page does not load
 * mediasoup-client. Its room has no audio/video. Whichever of the two is registered first is
 * `<sb-room>` on a page.
 *
 * @fires sb-connected - `SbConnectedDetail`, when the room is joined
 * @fires sb-disconnected - `SbDisconnectedDetail`, when the room is over for good
 * @fires sb-error - `SbErrorDetail`, when joining failed
 * @slot - the room's content
 * @csspart status - the connection status line (role=status)
 * @cssprop --sb-room-status-color - text colour of the status line
 * @cssprop --sb-room-status-background - background of the status line
 */
export class SbDataRoom<M extends MessageMap = AnyMessages> extends RoomProvider<M, DataConnectOptions<M>> {
  protected override connectRoom(url: string, token: string, options: DataConnectOptions<M>): Promise<Room<M>> {
    return connect<M>(url, token, options);
  }
}

defineElement('sb-room', SbDataRoom);
