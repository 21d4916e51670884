import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { SdkFixture, sleep, waitFor, type TestPeer } from '../../sdk/test/e2e/sdk-peers.js';
import { builtConsole, ConsolePages, launchChromium, metricSum, PHONE, SECRET, shownNumber, signIn, untilEqual } from './console-harness.js';

const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
// Screenshots for the docs are only written on request, so that test runs leave the tree alone.
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1';
// The scripted load: a lossy burst above the server's rate limit (some refused), then chat.
const BURST = 40;
const CHAT = 12;

type Messages = { chat: { text: string }; announcement: { text: string } };
type Traffic = { messagesIn: number; deliveries: number; rejected: Record<string, number> };

/**
 * The built console, served by a dev-mode server with `--console`, in Debian's Chromium, while
 * SDK peers in Node send a scripted load: what it shows is checked against `/metrics` and the
 * HTTP API, and its actions against what the peers receive.
 */
describe('operator console (Chromium)', function () {
  // Generous: the suite shares two cores with other engineers' tests, and each test is a browser context.
  this.timeout(180000);

  let fixture: SdkFixture;
  let browser: Browser;
  let pages: ConsolePages;
  let base: string;
  let alice: TestPeer<Messages>;
  let bob: TestPeer<Messages>;
  let carol: TestPeer<Messages>;
  let dave: TestPeer<Messages>;

  const api = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${SECRET}`, ...init.headers } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const metrics = async () => (await fetch(`${base}/metrics`)).text();
  const roomTraffic = async (name: string): Promise<Traffic> => {
    const rooms = (await api('/api/rooms')).body.rooms as { name: string; traffic: Traffic }[];
    return rooms.find((room) => room.name === name)?.traffic ?? { messagesIn: 0, deliveries: 0, rejected: {} };
  };
  const open = (viewport?: { width: number; height: number }) => pages.open(viewport ? { viewport } : {});

  before(async function () {
    const outDir = await builtConsole();
    fixture = await SdkFixture.start([
      '--console',
      '--console-dir',
      outDir,
      '--messages-per-second',
      '20',
      '--message-burst',
      '20',
      '--history-limit',
      '20',
      '--history-types',
      'chat,announcement',
    ]);
    base = fixture.server.server.url;
    alice = await fixture.join<Messages>('lobby', 'alice', { claims: { name: 'Alice' } });
    bob = await fixture.join<Messages>('lobby', 'bob', { claims: { name: 'Bob' } });
    carol = await fixture.join<Messages>('lobby', 'carol');
    dave = await fixture.join<Messages>('stage', 'dave');
    if (SCREENSHOTS) await mkdir(IMAGES, { recursive: true });
    browser = await launchChromium();
    pages = new ConsolePages(browser, base);
  });

  after(async function () {
    await pages?.close();
    await browser?.close();
    await fixture?.close();
  });

  it('is off by default: no page, no sample stream', async function () {
    const plain = await SdkFixture.start();
    try {
      const url = plain.server.server.url;
      expect((await fetch(`${url}/console/`)).status).to.equal(404);
      expect((await fetch(`${url}/api/console/samples`, { headers: { Authorization: `Bearer ${SECRET}` } })).status).to.equal(404);
    } finally {
      await plain.close();
    }
  });

  it('refuses a wrong secret with the server\u2019s message, on the page and on the sample stream', async function () {
    const page = await open();
    await signIn(page, 'not-the-api-secret');
    await page.locator('#login-error', { hasText: 'wrong API secret' }).waitFor();
    expect(await page.locator('sb-cluster-view').count()).to.equal(0);
    const stream = await fetch(`${base}/api/console/samples`, { headers: { Authorization: 'Bearer not-the-api-secret' } });
    expect(stream.status).to.equal(401);
    expect(((await stream.json()) as { error: { code: string } }).error.code).to.equal('PERMISSION_DENIED');
  });

  it('shows the node\u2019s totals as /metrics has them while peers send, and graphs them live', async function () {
    const page = await open();
    await signIn(page);
    await page.locator('#stream-state[data-state="live"]').waitFor();
    const refused: unknown[] = [];
    alice.room.on('messageRejected', (error) => refused.push(error));
    await Promise.all(Array.from({ length: BURST }, (_, i) => alice.room.send('chat', { text: `burst ${i}` }, { reliable: false })));
    for (let i = 0; i < CHAT; i += 1) {
      await bob.room.send('chat', { text: `chat ${i}` });
      await sleep(100);
    }
    await waitFor(() => alice.inbox.length === CHAT && carol.inbox.length + refused.length >= BURST + CHAT, 'the load to arrive or be refused', 10000);
    const series = async (name: string) => metricSum(await metrics(), name);
    await untilEqual(page, '[data-metric="messages-in"] .value', () => series('switchboard_messages_in_total'));
    await untilEqual(page, '[data-metric="deliveries"] .value', () => series('switchboard_messages_out_total'));
    await untilEqual(page, '[data-metric="rejected"] .value', () => series('switchboard_messages_dropped_total'));
    await untilEqual(page, '[data-metric="rooms"] .value', () => series('switchboard_rooms'));
    await untilEqual(page, '[data-metric="peers"] .value', () => series('switchboard_peers'));
    const text = await metrics();
    expect(metricSum(text, 'switchboard_messages_dropped_total', { reason: 'rate_limited' })).to.be.greaterThan(0);
    const reason = page.locator('tr[data-reason="rate_limited"] td.num').first();
    expect(Number((await reason.innerText()).replace(/\D/g, ''))).to.equal(metricSum(text, 'switchboard_messages_dropped_total', { reason: 'rate_limited' }));
    // Each chart is drawn, with one line per series and the samples of the stream.
    expect(await page.locator('sb-live-chart').count()).to.be.greaterThanOrEqual(4);
    expect(await page.locator('sb-live-chart canvas').count()).to.be.greaterThanOrEqual(4);
    const health = (await api('/healthz')).body as { cluster: { nodes: string[] } };
    await page.locator(`tr[data-node="${health.cluster.nodes[0]}"]`).waitFor();
    if (SCREENSHOTS) await page.screenshot({ path: join(IMAGES, 'console-cluster.png') });
  });

  it('lists the rooms as the HTTP API does, with their traffic, searchable and sortable', async function () {
    const page = await open();
    await signIn(page);
    await page.goto(`${base}/console/#/rooms`);
    const { body } = await api('/api/rooms');
    const rooms = body.rooms as { name: string; peers: number; traffic: Traffic }[];
    for (const room of rooms) {
      await page.locator(`tr[data-room="${room.name}"] td.num`, { hasText: String(room.peers) }).first().waitFor();
    }
    expect(await page.locator('tr[data-room]').count()).to.equal(rooms.length);
    // The rooms' counts add up to the node's /metrics series (no room has closed).
    const text = await metrics();
    const total = (count: (traffic: Traffic) => number) => rooms.reduce((sum, room) => sum + count(room.traffic), 0);
    expect(total((t) => t.messagesIn)).to.equal(metricSum(text, 'switchboard_messages_in_total'));
    expect(total((t) => t.deliveries)).to.equal(metricSum(text, 'switchboard_messages_out_total'));
    expect(total((t) => Object.values(t.rejected).reduce((a, b) => a + b, 0))).to.equal(metricSum(text, 'switchboard_messages_dropped_total'));
    // Rejections by reason, as the API counts them for the room.
    const lobby = rooms.find((room) => room.name === 'lobby')!.traffic;
    expect(lobby.rejected.rate_limited).to.be.greaterThan(0);
    await untilEqual(page, 'tr[data-room="lobby"] [data-reason="rate_limited"]', async () => (await roomTraffic('lobby')).rejected.rate_limited ?? 0);
    await untilEqual(page, 'tr[data-room="lobby"] td[data-count="rejected"] .total', async () => Object.values((await roomTraffic('lobby')).rejected).reduce((a, b) => a + b, 0));
    // Sorted by peers, most first; then by name, A to Z; then by rejections, most first.
    expect(await page.locator('tr[data-room]').first().getAttribute('data-room')).to.equal('lobby');
    const order = () => page.locator('tr[data-room]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-room')));
    await page.locator('button[data-sort="name"]').click();
    expect(await order()).to.deep.equal(['lobby', 'stage']);
    await page.locator('button[data-sort="name"]').click();
    expect(await order()).to.deep.equal(['stage', 'lobby']);
    await page.locator('button[data-sort="rejected"]').click();
    expect(await order()).to.deep.equal(['lobby', 'stage']);

    // Messages in per second, live: Dave sends in "stage" until the list shows it, then stops;
    // the rate falls back to 0 once his last message is out of the 10 s average.
    const inRate = (room: string) => shownNumber(page, `tr[data-room="${room}"] td[data-count="messages-in"]`);
    let sending = true;
    const load = (async () => {
      for (let i = 0; sending && i < 600; i += 1) {
        await dave.room.send('chat', { text: `stage ${i}` });
        await sleep(100);
      }
    })();
    try {
      await page.locator('tr[data-room="stage"] td[data-count="messages-in"]', { hasText: /^[1-9]/ }).waitFor({ timeout: 30000 });
      await page.locator('button[data-sort="messagesIn"]').click();
      const shown = await order();
      const rates = await Promise.all(shown.map((room) => inRate(room ?? '')));
      expect(rates).to.deep.equal([...rates].sort((x, y) => y - x));
      if (SCREENSHOTS) await page.screenshot({ path: join(IMAGES, 'console-rooms.png') });
    } finally {
      sending = false;
      await load;
    }
    await page.locator('tr[data-room="stage"] td[data-count="messages-in"]', { hasText: /^0\/s$/ }).waitFor({ timeout: 30000 });

    await page.locator('#search').fill('sta');
    await page.locator('#count', { hasText: '1 of 2 rooms' }).waitFor();
    expect(await order()).to.deep.equal(['stage']);
  });

  it('shows a room\u2019s peers with identity, node, worker, grants and what each sent, its history, and acts on them after confirmation', async function () {
    const page = await open();
    await signIn(page);
    await page.goto(`${base}/console/#/rooms/lobby`);
    const { body } = await api('/api/rooms/lobby/peers');
    const peers = body.peers as { id: string; identity: string; grants: string[]; worker: number; sent: { messages: number } }[];
    for (const peer of peers) {
      const row = page.locator(`tr[data-peer="${peer.id}"]`);
      await row.waitFor();
      expect(await row.locator('td').first().innerText()).to.contain(peer.identity);
      expect(await row.locator('td.grants').innerText()).to.equal(peer.grants.join(', '));
      expect(peer.worker, `${peer.identity}'s worker`).to.be.a('number');
      expect(await row.locator('td.worker').innerText()).to.equal(`pid ${peer.worker}`);
    }
    // What each peer sent, as the API counts it (the senders have sent, so a count above 0 shows).
    const sender = peers.find((peer) => peer.sent.messages > 0);
    expect(sender, 'a peer that sent').to.not.equal(undefined);
    await untilEqual(page, `tr[data-peer="${sender!.id}"] td.sent .messages`, async () => {
      const now = ((await api('/api/rooms/lobby/peers')).body.peers as typeof peers).find((peer) => peer.id === sender!.id)!;
      return now.sent.messages;
    });
    await page.locator('[data-metric="room-history"] .value', { hasText: 'last 20' }).waitFor();
    // Its traffic on this node as the API counts it, and its live graph.
    await untilEqual(page, '[data-metric="room-messages-in"] .value', async () => (await roomTraffic('lobby')).messagesIn);
    await untilEqual(page, '[data-metric="room-deliveries"] .value', async () => (await roomTraffic('lobby')).deliveries);
    await untilEqual(page, '[data-metric="room-rejected"] .value', async () => Object.values((await roomTraffic('lobby')).rejected).reduce((a, b) => a + b, 0));
    expect(await page.locator('[data-metric="room-rejected"] .detail').innerText()).to.contain('rate_limited: ');
    await page.locator('sb-room-view sb-live-chart canvas').first().waitFor();
    await page.locator('#history td', { hasText: 'chat 11' }).first().waitFor();

    // Mute Bob in chat: cancelled first (nothing changes), then confirmed.
    const bobRow = page.locator(`tr[data-peer="${bob.room.peerId}"]`);
    await bobRow.locator('button[data-action="mute"]').click();
    await page.locator('dialog[open] button[value="no"]').click();
    expect(((await api('/api/rooms/lobby/peers')).body.peers as { identity: string; grants: string[] }[]).find((p) => p.identity === 'bob')?.grants).to.include('sendData');
    await bobRow.locator('button[data-action="mute"]').click();
    await page.locator('dialog[open] button[value="yes"]').click();
    await page.locator('#notice', { hasText: 'Bob (bob) now has' }).waitFor();
    await bobRow.locator('button[data-action="unmute"]').waitFor();
    expect(((await api('/api/rooms/lobby/peers')).body.peers as { identity: string; grants: string[] }[]).find((p) => p.identity === 'bob')?.grants).not.to.include('sendData');
    await waitFor(() => !bob.room.grants.sendData, 'Bob to learn he is muted');

    // Announce to the room.
    await page.locator('#announce input').fill('Doors close in 5 minutes');
    await page.locator('#announce button').click();
    await page.locator('dialog[open] button[value="yes"]').click();
    await page.locator('#notice', { hasText: 'Announcement sent to 3 peer(s)' }).waitFor();
    await waitFor(() => alice.inbox.some((m) => m.type === 'announcement' && m.from === 'server'), 'Alice to get the announcement');
    if (SCREENSHOTS) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(IMAGES, 'console-room.png') });
    }

    // Kick Carol.
    await page.locator(`tr[data-peer="${carol.room.peerId}"] button[data-action="kick"]`).click();
    await page.locator('dialog[open] button[value="yes"]').click();
    await page.locator('#notice', { hasText: 'carol was removed' }).waitFor();
    await page.locator(`tr[data-peer="${carol.room.peerId}"]`).waitFor({ state: 'detached' });
    expect(((await api('/api/rooms/lobby/peers')).body.peers as { identity: string }[]).map((p) => p.identity).sort()).to.deep.equal(['alice', 'bob']);
  });

  it('says what went wrong for an unknown room and for an action the server refuses', async function () {
    const page = await open();
    await signIn(page);
    await page.goto(`${base}/console/#/rooms/no-such-room`);
    await page.locator('#error', { hasText: 'no room "no-such-room"' }).waitFor();

    // The operator asks to kick Alice; before they confirm, she is removed through the API. The
    // question stands (it names her peer ID), so confirming it is refused by the server. No
    // timing is involved: the page may or may not have re-read its list meanwhile, and the
    // refusal must outlast the re-reads that follow.
    await page.goto(`${base}/console/#/rooms/lobby`);
    await page.locator(`tr[data-peer="${alice.room.peerId}"] button[data-action="kick"]`).click();
    await page.locator('dialog[open]').waitFor();
    expect((await api(`/api/rooms/lobby/peers/${alice.room.peerId}/kick`, { method: 'POST' })).status).to.equal(200);
    await page.locator('dialog[open] button[value="yes"]').click();
    const refusal = `Refused: no peer "${alice.room.peerId}" in room "lobby"`;
    await page.locator('#error', { hasText: refusal }).waitFor();
    // The list re-read after the action drops her; the refusal stays on screen meanwhile.
    await page.locator(`tr[data-peer="${alice.room.peerId}"]`).waitFor({ state: 'detached' });
    expect(await page.locator('#error').innerText()).to.contain(refusal);
  });

  it('is usable on a phone: no sideways scrolling of the page, tables scroll inside their box', async function () {
    const page = await open(PHONE);
    await signIn(page);
    await page.locator('#stream-state[data-state="live"]').waitFor();
    await page.locator('sb-live-chart canvas').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).to.be.at.most(0);
    if (SCREENSHOTS) await page.screenshot({ path: join(IMAGES, 'console-phone.png') });
    await page.goto(`${base}/console/#/rooms/lobby`);
    await page.locator('#peers').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).to.be.at.most(0);
  });
});
