import { connect, type ConnectOptions } from '../connect.js';
import type { AnyMessages, MessageMap } from '../messages/message-types.js';
import type { Room } from '../room.js';
import { defineElement } from './define.js';
import { RoomProvider, type SbConnectedDetail, type SbDisconnectedDetail, type SbErrorDetail } from './room-provider.js';

export type { SbConnectedDetail, SbDisconnectedDetail, SbErrorDetail, SbRoomState } from './room-provider.js';

/**
 * `<sb-room url token>` joins a Switchboard room with {@link connect} once both attributes are
 * set, and provides the {@link Room} to its descendants through `roomContext`. It leaves the
 * room when removed from the document, or when `url` or `token` change (and then joins again).
 * `M` is the application's message map: `(element as SbRoom<Messages>).room` is a `Room<Messages>`.
 *
 * @fires sb-connected - {@link SbConnectedDetail}, when the room is joined
 * @fires sb-disconnected - {@link SbDisconnectedDetail}, when the room is over for good
 * @fires sb-error - {@link SbErrorDetail}, when joining failed
 * @slot - the room's content
 * @csspart status - the connection status line (role=status)
 * @cssprop --sb-room-status-color - text colour of the status line
 * @cssprop --sb-room-status-background - background of the status line
 */
export class SbRoom<M extends MessageMap = AnyMessages> extends RoomProvider<M, ConnectOptions<M>> {
  protected override connectRoom(url: string, token: string, options: ConnectOptions<M>): Promise<Room<M>> {
    return connect<M>(url, token, options);
  }
}

defineElement('sb-room', SbRoom);

declare global {
  interface HTMLElementTagNameMap {
    'sb-room': SbRoom;
  }
  interface HTMLElementEventMap {
    'sb-connected': CustomEvent<SbConnectedDetail>;
    'sb-disconnected': CustomEvent<SbDisconnectedDetail>;
    'sb-error': CustomEvent<SbErrorDetail>;
  }
}
