import { html, LitElement } from 'lit';
import type { ConsoleApi } from '../api/console-api.js';
import { formatSince } from './format.js';
import { sharedStyles } from './shared-styles.js';

/** A room as the list shows it. */
interface RoomRow {
  name: string;
  peers: number;
  publishers: number;
  nodes: number;
  createdAt: number;
}

type SortKey = 'name' | 'peers' | 'publishers' | 'nodes' | 'createdAt';

const REFRESH_MS = 3000;
const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'name', label: 'Room', numeric: false },
  { key: 'peers', label: 'Peers', numeric: true },
  { key: 'publishers', label: 'Publishers', numeric: true },
  { key: 'nodes', label: 'Nodes', numeric: true },
  { key: 'createdAt', label: 'Open since', numeric: false },
];

/**
 * `<sb-rooms-view>`: every room of the cluster (`GET /api/rooms`), with its publishers and nodes
 * from its peer list; searchable by name, sortable by any column, refreshed every 3 s.
 */
export class RoomsView extends LitElement {
  static override properties = {
    api: { attribute: false },
    rows: { state: true },
    query: { state: true },
    sortKey: { state: true },
    descending: { state: true },
    error: { state: true },
  };

  static override styles = sharedStyles;

  declare api: ConsoleApi;
  declare rows: RoomRow[] | undefined;
  declare query: string;
  declare sortKey: SortKey;
  declare descending: boolean;
  declare error: string;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.query = '';
    this.sortKey = 'peers';
    this.descending = true;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const { rooms } = await this.api.rooms();
      this.rows = await Promise.all(
        rooms.map(async (room): Promise<RoomRow> => {
          // A room may empty between the two requests: it then shows with no peers until the next refresh.
          const peers = await this.api.peers(room.name).then((answer) => answer.peers, () => []);
          return {
            name: room.name,
            peers: room.peers,
            publishers: peers.filter((peer) => peer.tracks.length > 0).length,
            nodes: new Set(peers.map((peer) => peer.node ?? '')).size,
            createdAt: room.createdAt,
          };
        }),
      );
      this.error = '';
    } catch (error) {
      this.error = `Could not list the rooms: ${(error as Error).message}`;
    }
  }

  private sortBy(key: SortKey): void {
    this.descending = this.sortKey === key ? !this.descending : key !== 'name';
    this.sortKey = key;
  }

  override render() {
    const query = this.query.trim().toLowerCase();
    const shown = (this.rows ?? [])
      .filter((row) => row.name.toLowerCase().includes(query))
      .sort((a, b) => {
        const x = a[this.sortKey];
        const y = b[this.sortKey];
        const order = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
        return this.descending ? -order : order;
      });
    return html`
      ${this.error ? html`<div class="alert" role="alert">${this.error}</div>` : ''}
      <h2>Rooms</h2>
      <p>
        <input type="search" id="search" placeholder="Search rooms" aria-label="Search rooms by name" .value=${this.query} @input=${(e: Event) => (this.query = (e.target as HTMLInputElement).value)} />
        <span class="muted" id="count">${this.rows === undefined ? 'loading…' : `${shown.length} of ${this.rows.length} rooms`}</span>
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              ${COLUMNS.map(
                (column) => html`<th class=${column.numeric ? 'num' : ''} aria-sort=${this.sortKey === column.key ? (this.descending ? 'descending' : 'ascending') : 'none'}>
                  <button data-sort=${column.key} @click=${() => this.sortBy(column.key)}>${column.label}${this.sortKey === column.key ? (this.descending ? ' ▾' : ' ▴') : ''}</button>
                </th>`,
              )}
            </tr>
          </thead>
          <tbody>
            ${shown.map(
              (row) => html`<tr data-room=${row.name}>
                <td><a href="#/rooms/${encodeURIComponent(row.name)}">${row.name}</a></td>
                <td class="num">${row.peers}</td>
                <td class="num">${row.publishers}</td>
                <td class="num">${row.nodes}</td>
                <td>${formatSince(row.createdAt)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }
}

customElements.define('sb-rooms-view', RoomsView);
