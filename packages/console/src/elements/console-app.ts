import { css, html, LitElement } from 'lit';
import { ConsoleApi } from '../api/console-api.js';
import { SampleStream } from '../api/sample-stream.js';
import { Timeline } from '../metrics/timeline.js';
import './cluster-view.js';
import './live-chart.js';
import './room-view.js';
import './rooms-view.js';

const SECRET_KEY = 'switchboard-console-secret';

type Route = { view: 'cluster' } | { view: 'rooms' } | { view: 'room'; room: string };

/**
 * `<sb-console-app>`: asks for the API secret (kept for the tab's session only), then shows
 * the node and cluster, the rooms, or one room, as the URL's hash says. One sample stream
 * feeds every graph.
 */
export class ConsoleApp extends LitElement {
  static override properties = {
    secret: { state: true },
    route: { state: true },
    loginError: { state: true },
    streamState: { state: true },
    nodeId: { state: true },
    revision: { state: true },
  };

  static override styles = css`
    :host {
      --panel: light-dark(#ffffff, #1f2226);
      --border: light-dark(#d8dbe0, #33373d);
      --muted: light-dark(#5f6670, #9aa1ab);
      --accent: #2563eb;
      --good: light-dark(#047857, #34d399);
      --bad: light-dark(#b91c1c, #f87171);
      display: block;
    }
    header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 6px 16px;
      padding: 8px 16px;
      background: var(--panel);
      border-bottom: 1px solid var(--border);
    }
    h1 {
      font-size: 16px;
      margin: 0;
    }
    nav {
      display: flex;
      gap: 4px;
    }
    nav a {
      color: inherit;
      text-decoration: none;
      padding: 4px 10px;
      border-radius: 4px;
    }
    nav a[aria-current='page'] {
      background: var(--accent);
      color: white;
    }
    .state {
      margin-left: auto;
      font-size: 12px;
      color: var(--muted);
    }
    .state[data-state='live']::before {
      content: '● ';
      color: var(--good);
    }
    .state[data-state='reconnecting']::before,
    .state[data-state='refused']::before {
      content: '● ';
      color: var(--bad);
    }
    main {
      padding: 0 16px 24px;
      max-width: 1400px;
      margin: 0 auto;
    }
    form.login {
      max-width: 380px;
      margin: 12vh auto 0;
      display: flex;
      flex-direction: column;
      gap: 8px;
      background: var(--panel);
      border: 1px solid var(--border);
      border-radius: 8px;
      padding: 20px;
    }
    form.login input,
    form.login button {
      font: inherit;
      padding: 8px;
      border-radius: 4px;
      border: 1px solid var(--border);
    }
    form.login button {
      background: var(--accent);
      color: white;
      border: none;
      cursor: pointer;
    }
    .alert {
      color: var(--bad);
    }
    button.link {
      all: unset;
      cursor: pointer;
      font-size: 12px;
      color: var(--muted);
      text-decoration: underline;
    }
  `;

  declare secret: string;
  declare route: Route;
  declare loginError: string;
  declare streamState: 'connecting' | 'live' | 'reconnecting' | 'refused';
  declare nodeId: string;
  declare revision: number;
  private api: ConsoleApi | undefined;
  private stream: SampleStream | undefined;
  private readonly timeline = new Timeline();
  private readonly onHash = () => (this.route = parseRoute(location.hash));

  constructor() {
    super();
    this.secret = '';
    this.route = parseRoute(location.hash);
    this.loginError = '';
    this.streamState = 'connecting';
    this.nodeId = '';
    this.revision = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHash);
    const saved = sessionStorage.getItem(SECRET_KEY);
    if (saved) void this.signIn(saved);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    this.stream?.close();
  }

  /** Checks the secret with one API request before anything is shown. */
  private async signIn(secret: string): Promise<void> {
    const api = new ConsoleApi(secret);
    try {
      await api.rooms();
    } catch (error) {
      sessionStorage.removeItem(SECRET_KEY);
      this.loginError = (error as Error).message;
      return;
    }
    sessionStorage.setItem(SECRET_KEY, secret);
    this.loginError = '';
    this.api = api;
    this.secret = secret;
    this.stream = new SampleStream(secret, {
      hello: (nodeId, history) => {
        this.nodeId = nodeId;
        this.timeline.load(history);
        this.revision += 1;
      },
      sample: (sample) => {
        this.timeline.push(sample);
        this.revision += 1;
      },
      state: (state, reason) => {
        this.streamState = state;
        if (state === 'refused') this.signOut(reason ?? 'the server refused the console');
      },
    });
  }

  private signOut(reason = ''): void {
    this.stream?.close();
    this.stream = undefined;
    this.api = undefined;
    this.secret = '';
    this.loginError = reason;
    sessionStorage.removeItem(SECRET_KEY);
  }

  override render() {
    if (!this.api) {
      return html`<form
        class="login"
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          const input = (e.target as HTMLFormElement).elements.namedItem('secret') as HTMLInputElement;
          if (input.value === '') this.loginError = 'Enter the server\u2019s API secret.';
          else void this.signIn(input.value);
        }}
      >
        <h1>Switchboard console</h1>
        <label for="secret">API secret</label>
        <input id="secret" name="secret" type="password" autocomplete="current-password" required />
        <button type="submit">Open the console</button>
        ${this.loginError ? html`<div class="alert" role="alert" id="login-error">${this.loginError}</div>` : ''}
      </form>`;
    }
    const view = this.route.view;
    const current = (name: string) => (view === name || (name === 'rooms' && view === 'room') ? 'page' : 'false');
    return html`
      <header>
        <h1>Switchboard console</h1>
        <nav>
          <a href="#/cluster" aria-current=${current('cluster')}>Cluster</a>
          <a href="#/rooms" aria-current=${current('rooms')}>Rooms</a>
        </nav>
        <span class="state" data-state=${this.streamState} id="stream-state">${this.streamState} · node ${this.nodeId || '…'}</span>
        <button class="link" @click=${() => this.signOut()}>Sign out</button>
      </header>
      <main>${this.renderView()}</main>
    `;
  }

  private renderView() {
    const api = this.api;
    if (!api) return '';
    switch (this.route.view) {
      case 'cluster':
        return html`<sb-cluster-view .api=${api} .timeline=${this.timeline} .revision=${this.revision} .nodeId=${this.nodeId}></sb-cluster-view>`;
      case 'rooms':
        return html`<sb-rooms-view .api=${api} .timeline=${this.timeline} .revision=${this.revision}></sb-rooms-view>`;
      case 'room':
        return html`<sb-room-view .api=${api} .room=${this.route.room} .timeline=${this.timeline} .revision=${this.revision}></sb-room-view>`;
    }
  }
}

function parseRoute(hash: string): Route {
  const match = /^#\/rooms\/(.+)$/.exec(hash);
  if (match?.[1]) {
    try {
      return { view: 'room', room: decodeURIComponent(match[1]) };
    } catch {
      return { view: 'rooms' };
    }
  }
  return hash === '#/rooms' ? { view: 'rooms' } : { view: 'cluster' };
}

customElements.define('sb-console-app', ConsoleApp);
