import { css, html } from 'lit';
import type { PeerInfo } from '../protocol/index.js';
import type { Room } from '../room.js';
import { defineElement } from './define.js';
import { RoomElement } from './room-element.js';

/**
 * `<sb-peer-list>` lists the peers of the room provided by the nearest `<sb-room>` (by name, or
 * identity when they have none), with a count, and follows `peerJoined`, `peerLeft` and
 * `peerUpdated`.
 *
 * @csspart count - the "N people here" line (announced politely when it changes)
 * @csspart list - the `<ul>`
 * @csspart peer - each `<li>`
 * @csspart self - the `<li>` of this peer (with `show-self`)
 * @cssprop --sb-peer-list-gap - space between entries
 * @cssprop --sb-peer-list-self-color - text colour of this peer's entry
 */
export class SbPeerList extends RoomElement {
  static override properties = {
    showSelf: { type: Boolean, attribute: 'show-self' },
    label: { type: String },
  };

  static override styles = css`
    :host {
      display: block;
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: var(--sb-peer-list-gap, 0.25em);
    }
    [part~='self'] {
      color: var(--sb-peer-list-self-color, inherit);
    }
  `;

  /** Also lists this peer, marked "(you)", and counts it. */
  declare showSelf: boolean;
  /** The list's accessible name. */
  declare label: string;

  constructor() {
    super();
    this.showSelf = false;
    this.label = 'People in the room';
  }

  /** The peers shown, in join order: the other peers, and this one first with `show-self`. */
  get peers(): PeerInfo[] {
    const room = this.room;
    if (room === undefined) return [];
    const others = [...room.peers.values()].sort((a, b) => a.joinedAt - b.joinedAt);
    return this.showSelf ? [room.self, ...others] : others;
  }

  protected override roomChanged(room: Room | undefined): void {
    if (room !== undefined) this.updateOnPeerChanges(room);
  }

  protected override render(): unknown {
    const room = this.room;
    const peers = this.peers;
    const count = peers.length === 1 ? '1 person' : `${peers.length} people`;
    return html`<div part="count" role="status" aria-live="polite">${count}</div>
      <ul part="list" aria-label=${this.label}>
        ${peers.map((peer) => {
          const self = peer.id === room?.peerId;
          return html`<li part=${self ? 'peer self' : 'peer'} data-peer-id=${peer.id}>${peer.name || peer.identity}${self ? ' (you)' : ''}</li>`;
        })}
      </ul>`;
  }
}

defineElement('sb-peer-list', SbPeerList);

declare global {
  interface HTMLElementTagNameMap {
    'sb-peer-list': SbPeerList;
  }
}
