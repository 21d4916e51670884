interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  /** The uWebSockets.js package release, e.g. `@based/uws@6.0.1`. */
  uws: string;
  /** The Node.js version, e.g. `v22.23.3`. */
  node: string;
  workers: { pid: number; alive: boolean }[];
}

const POLL_MS = 5000;

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found;
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

function show(health: Health): void {
  const alive = health.workers.filter((w) => w.alive).length;
  const summary = element('summary');
  summary.dataset.state = health.status;
  summary.textContent = health.status === 'ok' ? 'The server is alive.' : 'The server is up but degraded.';
  element('version').textContent = health.version;
  element('uws').textContent = `uWebSockets.js (${health.uws}) on Node ${health.node}`;
  element('workers').textContent = `${alive} of ${health.workers.length} running`;
  element('uptime').textContent = formatDuration(health.uptimeSeconds);
  element('details').hidden = false;
}

function showDown(reason: string): void {
  const summary = element('summary');
  summary.dataset.state = 'down';
  summary.textContent = `The server does not answer (${reason}).`;
}

async function poll(): Promise<void> {
  try {
    const response = await fetch('/healthz', { cache: 'no-store' });
    show((await response.json()) as Health);
  } catch (error) {
    showDown((error as Error).message);
  } finally {
    setTimeout(() => void poll(), POLL_MS);
  }
}

void poll();

// The landing page's links follow the room typed in.
const roomInput = element('room-input') as HTMLInputElement;
const updateLinks = (): void => {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-page]')) {
    link.href = `${link.dataset.page}?room=${encodeURIComponent(roomInput.value.trim() || 'demo')}`;
  }
};
roomInput.addEventListener('input', updateLinks);
// Enter (or the Watch button) opens the watch page of the room typed in.
element('open-room').addEventListener('submit', (event) => {
  event.preventDefault();
  location.assign(`watch.html?room=${encodeURIComponent(roomInput.value.trim() || 'demo')}`);
});
