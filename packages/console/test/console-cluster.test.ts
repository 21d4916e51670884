import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { ClusterFixture } from '../../sdk/test/e2e/cluster-peers.js';
import { waitFor, type TestPeer } from '../../sdk/test/e2e/sdk-peers.js';
import type { ClusterNode } from '../../server/test/support/cluster-harness.js';
import { builtConsole, ConsolePages, launchChromium, metricSum, SECRET, signIn, untilEqual } from './console-harness.js';

type Messages = { chat: { text: string } };
type Traffic = { messagesIn: number; deliveries: number; rejected: Record<string, number> };
const CHATS = 5;

/**
 * The console of a two-node cluster on Redis, opened through the node where the room's sender
 * is not: it lists both nodes, the room with the peers of both, the traffic the node it is
 * opened on counted, and acts on a peer of the other node.
 */
describe('operator console in cluster mode (Chromium, two nodes, Redis)', function () {
  this.timeout(240000);
  let cluster: ClusterFixture;
  let browser: Browser;
  let pages: ConsolePages;
  let viewed: ClusterNode;
  let alice: TestPeer<Messages>;
  let bob: TestPeer<Messages>;

  const api = async (node: ClusterNode, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${node.url}${path}`, { ...init, headers: { Authorization: `Bearer ${SECRET}`, ...init.headers } });
    return (await response.json()) as Record<string, unknown>;
  };
  const lobbyTraffic = async (node: ClusterNode): Promise<Traffic> =>
    ((await api(node, '/api/rooms')).rooms as { name: string; traffic: Traffic }[]).find((room) => room.name === 'lobby')!.traffic;

  before(async function () {
    cluster = await ClusterFixture.start(2, ['--console', '--console-dir', await builtConsole()]);
    // Alice joins through node-1, Bob through node-2; the console is opened on node-2.
    alice = await cluster.join<Messages>('lobby', 'alice', { claims: { name: 'Alice' } });
    bob = await cluster.join<Messages>('lobby', 'bob', { claims: { name: 'Bob' } });
    viewed = cluster.nodes[1]!;
    browser = await launchChromium();
    pages = new ConsolePages(browser, viewed.url);
  });

  after(async function () {
    await pages?.close();
    await browser?.close();
    await cluster?.close();
  });

  async function openOnNode2(hash = ''): Promise<Page> {
    const page = await pages.open();
    await signIn(page);
    await page.locator('#stream-state[data-state="live"]').waitFor();
    if (hash) await page.goto(`${viewed.url}/console/${hash}`);
    return page;
  }

  it('shows every node of the cluster with its load, and Redis\u2019 state, from any node', async function () {
    const page = await openOnNode2();
    await page.locator('[data-metric="cluster"] .value', { hasText: 'Redis: reachable' }).waitFor();
    for (const node of cluster.nodes) {
      // Each node's peers and rooms as its own /metrics has them; its CPU and memory are its own too.
      const series = async (name: string) => metricSum(await (await fetch(`${node.url}/metrics`)).text(), name);
      await untilEqual(page, `tr[data-node="${node.nodeId}"] [data-stat="peers"]`, () => series('switchboard_peers'));
      await untilEqual(page, `tr[data-node="${node.nodeId}"] [data-stat="rooms"]`, () => series('switchboard_rooms'));
      expect(await page.locator(`tr[data-node="${node.nodeId}"] [data-stat="rss"]`).innerText()).to.match(/^\d+ MiB$/);
      expect(await page.locator(`tr[data-node="${node.nodeId}"] [data-stat="workers"]`).innerText()).to.equal('1 / 1');
    }
    expect(await page.locator('#stream-state').innerText()).to.contain(viewed.nodeId);
  });

  it('lists the room with the peers of both nodes, and this node\u2019s traffic as its API and /metrics count it', async function () {
    for (let i = 0; i < CHATS; i += 1) await alice.room.send('chat', { text: `hello ${i}` });
    await waitFor(() => bob.inbox.length === CHATS, 'Bob to get Alice\u2019s messages across nodes', 20000);
    const page = await openOnNode2('#/rooms');
    await page.locator('tr[data-room="lobby"] td.num', { hasText: '2' }).first().waitFor();
    // Peers, then publishers, then nodes.
    expect(await page.locator('tr[data-room="lobby"] td.num').nth(2).innerText()).to.equal('2');

    // Node-2 delivered Alice's messages to Bob; it received none from its own peers.
    expect(await lobbyTraffic(viewed)).to.deep.include({ messagesIn: 0, deliveries: CHATS });
    expect((await lobbyTraffic(cluster.nodes[0]!)).messagesIn).to.equal(CHATS);
    await page.goto(`${viewed.url}/console/#/rooms/lobby`);
    await untilEqual(page, '[data-metric="room-deliveries"] .value', async () => (await lobbyTraffic(viewed)).deliveries);
    await untilEqual(page, '[data-metric="room-messages-in"] .value', async () => (await lobbyTraffic(viewed)).messagesIn);
    const metrics = await (await fetch(`${viewed.url}/metrics`)).text();
    expect(metricSum(metrics, 'switchboard_messages_out_total')).to.equal((await lobbyTraffic(viewed)).deliveries);
    for (const [peer, node] of [[alice, 'node-1'], [bob, 'node-2']] as const) {
      const row = page.locator(`tr[data-peer="${peer.room.peerId}"]`);
      await row.waitFor();
      expect(await row.locator('td').nth(2).innerText()).to.equal(node);
    }
  });

  it('kicks a peer of the other node after confirmation', async function () {
    const page = await openOnNode2('#/rooms/lobby');
    await page.locator(`tr[data-peer="${alice.room.peerId}"] button[data-action="kick"]`).click();
    await page.locator('dialog[open] button[value="yes"]').click();
    await page.locator('#notice', { hasText: 'Alice (alice) was removed' }).waitFor();
    await page.locator(`tr[data-peer="${alice.room.peerId}"]`).waitFor({ state: 'detached' });
    const peers = (await api(cluster.nodes[0]!, '/api/rooms/lobby/peers')).peers as { identity: string }[];
    expect(peers.map((peer) => peer.identity)).to.deep.equal(['bob']);
  });
});
