import { css, html } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { PeerInfo } from '../protocol/index.js';
import type { Room } from '../room.js';
import { defineElement } from './define.js';
import { RoomElement } from './room-element.js';
import './sb-video.js';

/**
 * `<sb-video-grid>` shows every other user of the room of the nearest `<sb-room>` as a tile: an
 * `<sb-video identity name>` playing their track named `name` (default `camera`; a placeholder
 * while they publish none) with their name below. A tile follows the user, not the session: when
 * they drop and rejoin under a new peer ID, their tile stays and plays the new session's track.
 *
 * @csspart grid - the grid of tiles
 * @csspart tile - each user's `<figure>`
 * @csspart video - each tile's `<sb-video>`
 * @csspart name - each tile's `<figcaption>`
 * @cssprop --sb-video-grid-min - the narrowest a tile gets before the grid wraps (default 240px)
 * @cssprop --sb-video-grid-gap - space between tiles (default 0.5em)
 */
export class SbVideoGrid extends RoomElement {
  static override properties = {
    name: { type: String },
    label: { type: String },
  };

  static override styles = css`
    :host {
      display: block;
    }
    [part='grid'] {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(var(--sb-video-grid-min, 240px), 1fr));
      gap: var(--sb-video-grid-gap, 0.5em);
      margin: 0;
      padding: 0;
      list-style: none;
    }
    figure {
      margin: 0;
    }
    figcaption {
      font-size: 0.875em;
      padding-top: 0.25em;
    }
  `;

  /** The name of the track each tile plays (`camera`, `screen`, …). */
  declare name: string;
  /** The grid's accessible name. */
  declare label: string;

  constructor() {
    super();
    this.name = 'camera';
    this.label = 'Participants';
  }

  /** The users shown, one per identity (their latest session), in the order they joined. */
  get participants(): PeerInfo[] {
    const room = this.room;
    if (room === undefined) return [];
    const byIdentity = new Map<string, PeerInfo>();
    // While a dropped session lingers beside its rejoined one, the later one stands for the user.
    for (const peer of [...room.peers.values()].sort((a, b) => a.joinedAt - b.joinedAt)) {
      byIdentity.delete(peer.identity);
      byIdentity.set(peer.identity, peer);
    }
    return [...byIdentity.values()];
  }

  protected override roomChanged(room: Room | undefined): void {
    if (room !== undefined) this.updateOnPeerChanges(room);
  }

  protected override render(): unknown {
    return html`<ul part="grid" aria-label=${this.label}>
      ${repeat(
        this.participants,
        (peer) => peer.identity,
        (peer) => html`<li>
          <figure part="tile" data-identity=${peer.identity}>
            <sb-video part="video" .identity=${peer.identity} .name=${this.name} label=${`${peer.name || peer.identity}'s ${this.name}`}></sb-video>
            <figcaption part="name">${peer.name || peer.identity}</figcaption>
          </figure>
        </li>`,
      )}
    </ul>`;
  }
}

defineElement('sb-video-grid', SbVideoGrid);

declare global {
  interface HTMLElementTagNameMap {
    'sb-video-grid': SbVideoGrid;
  }
}
