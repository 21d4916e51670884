import { html, LitElement } from 'lit';
import type { ConsoleApi } from '../api/console-api.js';
import type { Timeline } from '../metrics/timeline.js';
import { formatCount, formatSince, formatValue } from './format.js';
import { sharedStyles } from './shared-styles.js';

/** A room as the HTTP API describes it. */
interface ApiRow {
  name: string;
  peers: number;
  publishers: number;
  nodes: number;
  createdAt: number;
  /** Rejections on this node since the room opened, by reason. */
  reasons: Record<string, number>;
}

/** A room as the list shows it: the API's description and its current rates from the sample stream. */
interface RoomRow extends ApiRow {
  messagesIn: number;
  deliveries: number;
  rejected: number;
}

type SortKey = 'name' | 'peers' | 'publishers' | 'nodes' | 'messagesIn' | 'deliveries' | 'rejected' | 'createdAt';

const REFRESH_MS = 3000;
const COLUMNS: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'name', label: 'Room', numeric: false },
  { key: 'peers', label: 'Peers', numeric: true },
  { key: 'publishers', label: 'Publishers', numeric: true },
  { key: 'nodes', label: 'Nodes', numeric: true },
  { key: 'messagesIn', label: 'Messages in/s', numeric: true },
  { key: 'deliveries', label: 'Deliveries/s', numeric: true },
  { key: 'rejected', label: 'Rejected', numeric: true },
  { key: 'createdAt', label: 'Open since', numeric: false },
];

/**
 * `<sb-rooms-view>`: every room of the cluster (`GET /api/rooms`), with its publishers and nodes
 * from its peer list and its rejections by reason, refreshed every 3 s; its messages in and
 * deliveries per second (over the last 10 s) come from the sample stream, updated with each
 * sample. Searchable by name, sortable by any column.
 */
export class RoomsView extends LitElement {
  static override properties = {
    api: { attribute: false },
    timeline: { attribute: false },
    revision: { type: Number },
    rows: { state: true },
    query: { state: true },
    sortKey: { state: true },
    descending: { state: true },
    error: { state: true },
  };

  static override styles = sharedStyles;

  declare api: ConsoleApi;
  declare timeline: Timeline;
  declare revision: number;
  declare rows: ApiRow[] | undefined;
  declare query: string;
  declare sortKey: SortKey;
  declare descending: boolean;
  declare error: string;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.revision = 0;
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
        rooms.map(async (room): Promise<ApiRow> => {
          // A room may empty between the two requests: it then shows with no peers until the next refresh.
          const peers = await this.api.peers(room.name).then((answer) => answer.peers, () => []);
          return {
            name: room.name,
            peers: room.peers,
            publishers: peers.filter((peer) => peer.tracks.length > 0).length,
            nodes: new Set(peers.map((peer) => peer.node ?? '')).size,
            createdAt: room.createdAt,
            reasons: room.traffic.rejected,
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
    const tl = this.timeline;
    const shown = (this.rows ?? [])
      .filter((row) => row.name.toLowerCase().includes(query))
      .map((row): RoomRow => ({
        ...row,
        messagesIn: tl.roomRecentRate(row.name, 'messagesIn'),
        deliveries: tl.roomRecentRate(row.name, 'deliveries'),
        rejected: Object.values(row.reasons).reduce((sum, n) => sum + n, 0),
      }))
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
                <td class="num" data-count="messages-in">${formatValue(row.messagesIn, 'rate')}</td>
                <td class="num" data-count="deliveries">${formatValue(row.deliveries, 'rate')}</td>
                <td class="num" data-count="rejected">
                  <span class="total">${formatCount(row.rejected)}</span>
                  ${Object.entries(row.reasons).map(([reason, n]) => html`<div class="muted reason" data-reason=${reason}>${reason}: ${formatCount(n)}</div>`)}
                </td>
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
