import { html, LitElement } from 'lit';
import type { ApiPeer, ConsoleApi, RoomHistory } from '../api/console-api.js';
import type { Timeline } from '../metrics/timeline.js';
import { formatCount, formatSince, formatValue } from './format.js';
import './live-chart.js';
import { sharedStyles } from './shared-styles.js';
import './confirm-dialog.js';
import type { ConfirmDialog } from './confirm-dialog.js';

const REFRESH_MS = 3000;
const RECENT_HISTORY = 10;
const TRAFFIC_LINES = [
  { label: 'received', color: '#3b82f6' },
  { label: 'delivered', color: '#f59e0b' },
  { label: 'rejected', color: '#ef4444' },
];

/**
 * `<sb-room-view>`: one room of the cluster: its peers (identity, node, grants, connected
 * since, tracks), its data traffic on this node (totals and live graphs from the sample
 * stream), its history policy and latest kept messages, and the moderation actions of the
 * HTTP API, each confirmed first: kick, mute in chat (revoke `sendData`) and announce.
 */
export class RoomView extends LitElement {
  static override properties = {
    api: { attribute: false },
    room: { type: String },
    timeline: { attribute: false },
    revision: { type: Number },
    peers: { state: true },
    history: { state: true },
    error: { state: true },
    refusal: { state: true },
    notice: { state: true },
  };

  static override styles = sharedStyles;

  declare api: ConsoleApi;
  declare room: string;
  declare timeline: Timeline;
  declare revision: number;
  declare peers: ApiPeer[] | undefined;
  declare history: RoomHistory | undefined;
  /** Why the room could not be read (cleared by the next read that works). */
  declare error: string;
  /** Why the last action failed: it stays until the next action, whatever the refreshes. */
  declare refusal: string;
  declare notice: string;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.room = '';
    this.revision = 0;
    this.error = '';
    this.refusal = '';
    this.notice = '';
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

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('room') && changed.get('room') !== undefined) {
      this.peers = undefined;
      this.history = undefined;
      this.notice = '';
      this.refusal = '';
      void this.refresh();
    }
  }

  private async refresh(): Promise<void> {
    const room = this.room;
    try {
      const [{ peers }, history] = await Promise.all([this.api.peers(room), this.api.history(room)]);
      if (room !== this.room) return;
      this.peers = peers;
      this.history = history;
      this.error = '';
    } catch (error) {
      if (room !== this.room) return;
      this.peers = undefined;
      this.error = (error as Error).message;
    }
  }

  /** Asks for confirmation, runs `action` through the API and says how it went. */
  private async act(question: string, action: () => Promise<string>): Promise<void> {
    const dialog = this.renderRoot.querySelector<ConfirmDialog>('sb-confirm-dialog');
    if (!dialog || !(await dialog.ask(question))) return;
    try {
      this.notice = await action();
      this.refusal = '';
    } catch (error) {
      this.notice = '';
      this.refusal = `Refused: ${(error as Error).message}`;
    }
    await this.refresh();
  }

  private kick(peer: ApiPeer): void {
    void this.act(`Remove ${label(peer)} from the room?`, async () => {
      await this.api.kick(this.room, peer.id, 'removed by an operator');
      return `${label(peer)} was removed.`;
    });
  }

  private toggleChat(peer: ApiPeer, allowed: boolean): void {
    const question = allowed ? `Let ${label(peer)} send messages again?` : `Mute ${label(peer)} in chat (revoke sendData)?`;
    void this.act(question, async () => {
      const { grants } = await this.api.setSendData(this.room, peer.id, allowed);
      return `${label(peer)} now has: ${grants.join(', ')}.`;
    });
  }

  private announce(event: SubmitEvent): void {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('text') as HTMLInputElement;
    const text = input.value.trim();
    if (text === '') {
      this.notice = '';
      this.refusal = 'Type the announcement first.';
      return;
    }
    void this.act(`Send "${text}" to everyone in ${this.room}?`, async () => {
      const { delivered } = await this.api.announce(this.room, text);
      input.value = '';
      return `Announcement sent to ${delivered} peer(s).`;
    });
  }

  override render() {
    const peers = this.peers;
    return html`
      <p><a href="#/rooms">← All rooms</a></p>
      <h2>Room <span id="room-name">${this.room}</span></h2>
      ${this.error || this.refusal ? html`<div class="alert" role="alert" id="error">${[this.refusal, this.error].filter(Boolean).join(' ')}</div>` : ''}
      ${this.notice ? html`<div class="notice" role="status" id="notice">${this.notice}</div>` : ''}
      ${peers === undefined ? '' : this.renderRoom(peers)}
      <sb-confirm-dialog></sb-confirm-dialog>
    `;
  }

  private renderRoom(peers: ApiPeer[]) {
    const policy = this.history?.policy;
    const recent = (this.history?.messages ?? []).slice(-RECENT_HISTORY).reverse();
    return html`
      <div class="tiles">
        <div class="tile" data-metric="room-peers"><div class="label">Peers</div><div class="value">${peers.length}</div><div class="detail">${peers.filter((p) => !p.connected).length} waiting to resume</div></div>
        <div class="tile" data-metric="room-publishers"><div class="label">Publishers</div><div class="value">${peers.filter((p) => p.tracks.length > 0).length}</div><div class="detail">${peers.reduce((n, p) => n + p.tracks.length, 0)} tracks</div></div>
        <div class="tile" data-metric="room-nodes"><div class="label">Nodes</div><div class="value">${new Set(peers.map((p) => p.node ?? '')).size}</div><div class="detail">the room spans</div></div>
        <div class="tile" data-metric="room-history"><div class="label">History policy</div><div class="value">${policy ? `last ${policy.limit}` : 'off'}</div><div class="detail">${policy ? [policy.types ? `types: ${policy.types.join(', ')}` : 'all types', `≤ ${policy.maxBytes} bytes`].join('; ') : 'no messages kept for late joiners'}</div></div>
      </div>
      ${this.renderTraffic()}
      <h2>Peers</h2>
      <div class="table-wrap">
        <table id="peers">
          <thead><tr><th>Identity</th><th>Peer ID</th><th>Node</th><th>Worker</th><th>Grants</th><th>Tracks</th><th>Sent</th><th>Connected since</th><th>Actions</th></tr></thead>
          <tbody>
            ${peers.map((peer) => {
              const canSend = peer.grants?.includes('sendData') ?? true;
              return html`<tr data-peer=${peer.id} data-identity=${peer.identity}>
                <td>${peer.identity}${peer.name ? html` <span class="muted">(${peer.name})</span>` : ''}</td>
                <td class="muted">${peer.id}</td>
                <td>${peer.node ?? 'this node'}</td>
                <td class="worker">${peer.worker === undefined ? html`<span class="muted">–</span>` : `pid ${peer.worker}`}</td>
                <td class="grants">${peer.grants?.join(', ') ?? ''}</td>
                <td>${peer.tracks.map((track) => track.source ?? track.kind).join(', ') || html`<span class="muted">none</span>`}</td>
                <td class="sent num">${peer.sent === undefined
                  ? html`<span class="muted">–</span>`
                  : html`<span class="messages">${formatCount(peer.sent.messages)}</span> msgs, <span class="bytes">${formatCount(peer.sent.bytes)}</span> B`}</td>
                <td>${formatSince(peer.joinedAt)}${peer.connected ? '' : html` <span class="bad">(dropped)</span>`}</td>
                <td>
                  <button class="action" data-action=${canSend ? 'mute' : 'unmute'} @click=${() => this.toggleChat(peer, !canSend)}>${canSend ? 'Mute chat' : 'Unmute chat'}</button>
                  <button class="action danger" data-action="kick" @click=${() => this.kick(peer)}>Kick</button>
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      <h2>Announce</h2>
      <form id="announce" @submit=${(e: SubmitEvent) => this.announce(e)}>
        <input type="text" name="text" maxlength="500" placeholder="Message to everyone in the room" aria-label="Announcement" />
        <button class="action" type="submit">Send</button>
      </form>
      <h2>Recent history</h2>
      ${recent.length === 0
        ? html`<p class="muted">${policy ? 'No messages kept yet.' : 'History is off for this room.'}</p>`
        : html`<div class="table-wrap">
            <table id="history">
              <thead><tr><th>#</th><th>From</th><th>Type</th><th>Data</th><th>At</th></tr></thead>
              <tbody>
                ${recent.map((m) => html`<tr><td class="num">${m.seq}</td><td>${m.from}</td><td>${m.type}</td><td>${preview(m.data)}</td><td>${new Date(m.serverTime).toLocaleTimeString('en-GB')}</td></tr>`)}
              </tbody>
            </table>
          </div>`}
    `;
  }

  private renderTraffic() {
    const tl = this.timeline;
    const latest = tl.room(this.room)?.latest ?? { messagesIn: 0, deliveries: 0, rejected: {} };
    const rejected = Object.values(latest.rejected).reduce((sum, n) => sum + n, 0);
    const reasons = Object.entries(latest.rejected).map(([reason, n]) => `${reason}: ${formatCount(n)}`);
    const now = (count: 'messagesIn' | 'deliveries' | 'rejected') => formatValue(tl.roomRecentRate(this.room, count), 'rate');
    return html`
      <h2>Data traffic on this node</h2>
      <div class="tiles">
        <div class="tile" data-metric="room-messages-in"><div class="label">Messages in</div><div class="value">${formatCount(latest.messagesIn)}</div><div class="detail">${now('messagesIn')}</div></div>
        <div class="tile" data-metric="room-deliveries"><div class="label">Deliveries</div><div class="value">${formatCount(latest.deliveries)}</div><div class="detail">${now('deliveries')}</div></div>
        <div class="tile" data-metric="room-rejected"><div class="label">Rejected</div><div class="value">${formatCount(rejected)}</div><div class="detail">${reasons.join(', ') || 'none'}</div></div>
      </div>
      <div class="charts">
        <sb-live-chart heading="Room data messages per second" unit="rate" .lines=${TRAFFIC_LINES} .data=${[tl.t, tl.roomRate(this.room, 'messagesIn'), tl.roomRate(this.room, 'deliveries'), tl.roomRate(this.room, 'rejected')]}></sb-live-chart>
      </div>
    `;
  }
}

function label(peer: ApiPeer): string {
  return peer.name ? `${peer.name} (${peer.identity})` : peer.identity;
}

function preview(data: unknown): string {
  const text = JSON.stringify(data) ?? '';
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

customElements.define('sb-room-view', RoomView);
