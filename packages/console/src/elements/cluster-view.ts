import { html, LitElement } from 'lit';
import type { ConsoleApi, Health, NodeStats } from '../api/console-api.js';
import type { Timeline } from '../metrics/timeline.js';
import { formatCount, formatDuration, formatValue } from './format.js';
import type { ChartLine } from './live-chart.js';
import { sharedStyles } from './shared-styles.js';

const HEALTH_EVERY_MS = 5000;
const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#64748b'];

/**
 * `<sb-cluster-view>`: the node the console is connected through and the cluster it sees
 * (`/healthz`), every live node's load (CPU, memory, rooms, peers, workers), this node's totals
 * as `/metrics` has them, and live graphs of the last 15 minutes.
 */
export class ClusterView extends LitElement {
  static override properties = {
    api: { attribute: false },
    timeline: { attribute: false },
    revision: { type: Number },
    nodeId: { type: String },
    health: { state: true },
    nodes: { state: true },
    error: { state: true },
  };

  static override styles = sharedStyles;

  declare api: ConsoleApi;
  declare timeline: Timeline;
  declare revision: number;
  declare nodeId: string;
  declare health: Health | undefined;
  declare nodes: NodeStats[] | undefined;
  declare error: string;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.revision = 0;
    this.nodeId = '';
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), HEALTH_EVERY_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const [health, { nodes }] = await Promise.all([this.api.health(), this.api.nodes()]);
      this.health = health;
      this.nodes = nodes;
      this.error = '';
    } catch (error) {
      this.error = `Health check failed: ${(error as Error).message}`;
    }
  }

  override render() {
    const tl = this.timeline;
    const t = tl.t;
    const reasons = tl.labelValues('switchboard_messages_dropped_total', 'reason');
    const workers = tl.labelValues('switchboard_worker_cpu_seconds', 'worker');
    const cpu = tl.processCpuPercent().at(-1) ?? 0;
    const lines = (labels: string[]): ChartLine[] => labels.map((label, i) => ({ label, color: COLORS[i % COLORS.length] ?? '#888' }));
    return html`
      ${this.error ? html`<div class="alert" role="alert">${this.error}</div>` : ''}
      <h2>Node ${this.nodeId}</h2>
      <div class="tiles">
        ${this.tile('health', 'Health', this.health?.status ?? '…', this.health ? `v${this.health.version}, up ${formatDuration(this.health.uptimeSeconds)}` : '', this.health?.status === 'ok' ? 'ok' : 'bad')}
        ${this.tile('cluster', 'Cluster', this.health ? (this.health.cluster.mode === 'redis' ? (this.health.cluster.reachable ? 'Redis: reachable' : 'Redis: unreachable') : 'single node') : '…', this.health ? `${this.health.cluster.nodes.length} node(s) alive` : '', this.health?.cluster.reachable === false ? 'bad' : '')}
        ${this.tile('workers', 'Media workers', this.health ? `${this.health.workers.filter((w) => w.alive).length} / ${this.health.workers.length} alive` : '…', `load ${formatCount(tl.latest('switchboard_worker_load'))} transports+consumers`)}
        ${this.tile('cpu', 'Server CPU', formatValue(cpu, 'percent'), `RSS ${formatValue(tl.processRss().at(-1) ?? 0, 'bytes')}`)}
        ${this.tile('rooms', 'Rooms', formatCount(tl.latest('switchboard_rooms')))}
        ${this.tile('peers', 'Peers', formatCount(tl.latest('switchboard_peers')), `${formatCount(tl.latest('switchboard_signaling_connections'))} connections`)}
        ${this.tile('messages-in', 'Messages in', formatCount(tl.latest('switchboard_messages_in_total')), formatValue(tl.rate('switchboard_messages_in_total').at(-1) ?? 0, 'rate'))}
        ${this.tile('deliveries', 'Deliveries', formatCount(tl.latest('switchboard_messages_out_total')), formatValue(tl.rate('switchboard_messages_out_total').at(-1) ?? 0, 'rate'))}
        ${this.tile('rejected', 'Rejected', formatCount(tl.latest('switchboard_messages_dropped_total')), formatValue(tl.rate('switchboard_messages_dropped_total').at(-1) ?? 0, 'rate'))}
        ${this.tile('bitrate', 'Forwarded', formatValue(tl.latest('switchboard_forwarded_bitrate'), 'bps'), `${formatCount(tl.latest('switchboard_producers'))} tracks, ${formatCount(tl.latest('switchboard_consumers'))} subscriptions`)}
      </div>
      ${this.nodes && this.nodes.length > 0
        ? html`<h2>Nodes</h2>
            <div class="table-wrap">
              <table id="nodes">
                <thead><tr><th>Node</th><th>State</th><th class="num">CPU</th><th class="num">RSS</th><th class="num">Rooms</th><th class="num">Peers</th><th class="num">Workers</th><th>Up</th></tr></thead>
                <tbody>
                  ${this.nodes.map((node) => this.nodeRow(node))}
                </tbody>
              </table>
            </div>`
        : ''}
      ${reasons.length > 0
        ? html`<h2>Rejections by reason</h2>
            <div class="table-wrap">
              <table>
                <thead><tr><th>Reason</th><th class="num">Total</th><th class="num">Now</th></tr></thead>
                <tbody>
                  ${reasons.map(
                    (reason) => html`<tr data-reason=${reason}>
                      <td>${reason}</td>
                      <td class="num">${formatCount(tl.latest('switchboard_messages_dropped_total', { reason }))}</td>
                      <td class="num">${formatValue(tl.rate('switchboard_messages_dropped_total', { reason }).at(-1) ?? 0, 'rate')}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
        : ''}
      <h2>Last 15 minutes</h2>
      <div class="charts">
        <sb-live-chart heading="Data messages per second" unit="rate" .lines=${lines(['received', 'delivered', 'rejected'])} .data=${[t, tl.rate('switchboard_messages_in_total'), tl.rate('switchboard_messages_out_total'), tl.rate('switchboard_messages_dropped_total')]}></sb-live-chart>
        <sb-live-chart heading="Peers and rooms" unit="count" .lines=${lines(['peers', 'rooms', 'connections'])} .data=${[t, tl.sum('switchboard_peers'), tl.sum('switchboard_rooms'), tl.sum('switchboard_signaling_connections')]}></sb-live-chart>
        <sb-live-chart heading="CPU, % of a core" unit="percent" .lines=${lines(['server', ...workers.map((w) => `worker ${w}`)])} .data=${[t, tl.processCpuPercent(), ...workers.map((worker) => tl.rate('switchboard_worker_cpu_seconds', { worker }).map((v) => (v === null ? null : v * 100)))]}></sb-live-chart>
        <sb-live-chart heading="Forwarded bitrate" unit="bps" .lines=${lines(['media and data'])} .data=${[t, tl.sum('switchboard_forwarded_bitrate')]}></sb-live-chart>
        ${reasons.length > 0
          ? html`<sb-live-chart heading="Rejections per second by reason" unit="rate" .lines=${lines(reasons)} .data=${[t, ...reasons.map((reason) => tl.rate('switchboard_messages_dropped_total', { reason }))]}></sb-live-chart>`
          : ''}
      </div>
    `;
  }

  private nodeRow(node: NodeStats) {
    const name = html`${node.node}${node.node === this.nodeId ? html` <span class="muted">(this console's node)</span>` : ''}`;
    if (node.error !== undefined) {
      return html`<tr data-node=${node.node}><td>${name}</td><td class="bad" colspan="7">alive, not answering: ${node.error}</td></tr>`;
    }
    return html`<tr data-node=${node.node}>
      <td>${name}</td>
      <td class="ok">alive</td>
      <td class="num" data-stat="cpu">${formatValue(node.cpuPercent, 'percent')}</td>
      <td class="num" data-stat="rss">${formatValue(node.rssBytes, 'bytes')}</td>
      <td class="num" data-stat="rooms">${formatCount(node.rooms)}</td>
      <td class="num" data-stat="peers">${formatCount(node.peers)}</td>
      <td class="num" data-stat="workers">${node.workers.alive} / ${node.workers.total}</td>
      <td>${formatDuration(node.uptimeSeconds)}</td>
    </tr>`;
  }

  private tile(id: string, label: string, value: string, detail = '', tone = '') {
    return html`<div class="tile" data-metric=${id}>
      <div class="label">${label}</div>
      <div class="value ${tone}">${value}</div>
      <div class="detail">${detail}</div>
    </div>`;
  }
}

customElements.define('sb-cluster-view', ClusterView);
