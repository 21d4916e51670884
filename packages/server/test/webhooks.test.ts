import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from '@switchboard/sdk/protocol';
import { Metrics } from '../src/metrics/metrics.js';
import { WebhookDispatcher, type WebhookOptions } from '../src/webhooks/webhook-dispatcher.js';
import type { WebhookDelivery } from '../src/webhooks/webhook-event.js';
import { SIGNATURE_HEADER, signWebhook, verifyWebhook } from '../src/webhooks/webhook-signature.js';
import { RawPeer } from './support/raw-peer.js';
import { captureLogger } from './http-test-helpers.js';
import { sleep, startTestServer, waitFor, type TestServer } from './support/test-server.js';

const SECRET = 'webhook-secret-0123456789';

/** A local webhook receiver that answers with the statuses it is given, then 200. */
class Receiver {
  readonly received: { delivery: WebhookDelivery; valid: boolean }[] = [];
  attempts = 0;
  private readonly server: Server;

  private constructor(
    readonly statuses: number[],
    gate: Promise<void>,
  ) {
    this.server = createServer((req, res) => {
      void readBody(req).then(async (body) => {
        this.attempts++;
        await gate;
        const status = this.statuses.shift() ?? 200;
        if (status === 200) {
          const valid = verifyWebhook(SECRET, req.headers[SIGNATURE_HEADER] as string | undefined, body);
          this.received.push({ delivery: JSON.parse(body) as WebhookDelivery, valid });
        }
        res.writeHead(status).end();
      });
    });
  }

  /** `gate`: every answer waits for it (a receiver that hangs until the test lets it go). */
  static async start(statuses: number[] = [], gate: Promise<void> = Promise.resolve()): Promise<Receiver> {
    const receiver = new Receiver(statuses, gate);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  types(): string[] {
    return this.received.map((r) => r.delivery.type);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function dispatcher(urls: string[], options: Partial<WebhookOptions> = {}): { webhooks: WebhookDispatcher; metrics: Metrics } {
  const metrics = new Metrics();
  const webhooks = new WebhookDispatcher({
    urls,
    secret: SECRET,
    messageTypes: [],
    queueLimit: 100,
    maxAttempts: 3,
    retryDelayMs: 20,
    timeoutMs: 1000,
    logger: captureLogger().logger,
    metrics,
    ...options,
  });
  return { webhooks, metrics };
}

describe('webhooks', function () {
  this.timeout(30000);

  describe('signatures', () => {
    it('verify over the raw body and a recent timestamp only', () => {
      const now = Math.floor(Date.now() / 1000);
      const body = '{"type":"room.started","room":"r"}';
      const header = signWebhook(SECRET, now, body);
      assert.equal(verifyWebhook(SECRET, header, body), true);
      assert.equal(verifyWebhook(SECRET, header, body.replace('r"', 's"')), false, 'another body');
      assert.equal(verifyWebhook('another-secret-0123456789', header, body), false, 'another secret');
      assert.equal(verifyWebhook(SECRET, signWebhook(SECRET, now - 600, body), body), false, 'a replay ten minutes later');
      for (const bad of [undefined, '', 't=abc,v1=00', `t=${now}`, `t=${now},v1=zz`]) assert.equal(verifyWebhook(SECRET, bad, body), false, String(bad));
    });
  });

  describe('the dispatcher', () => {
    let receiver: Receiver | undefined;
    afterEach(() => receiver?.close());

    it('retries 5xx and 429 with backoff, keeps the order and the delivery ID, and counts', async () => {
      receiver = await Receiver.start([500, 429]);
      const { webhooks, metrics } = dispatcher([receiver.url]);
      webhooks.emit({ type: 'room.started', room: 'a' });
      webhooks.emit({ type: 'room.finished', room: 'a' });
      await waitFor(() => receiver!.received.length === 2, 'both events');
      assert.deepEqual(receiver.types(), ['room.started', 'room.finished']);
      assert.ok(receiver.received.every((r) => r.valid), 'signed');
      assert.equal(receiver.attempts, 4);
      assert.equal(metrics.value('switchboard_webhooks_retries_total'), 2);
      // The receiver records a delivery before it answers; the dispatcher counts the answer.
      await waitFor(() => metrics.value('switchboard_webhooks_delivered_total') === 2, 'both deliveries counted');
      await webhooks.close(1000);
    });

    it('gives up after the last attempt, and at once on a 4xx refusal', async () => {
      receiver = await Receiver.start([503, 503, 503, 400]);
      const { webhooks, metrics } = dispatcher([receiver.url]);
      webhooks.emit({ type: 'room.started', room: 'gone' });
      webhooks.emit({ type: 'room.started', room: 'refused' });
      webhooks.emit({ type: 'room.started', room: 'kept' });
      await waitFor(() => receiver!.received.length === 1, 'the third event');
      assert.equal((receiver.received[0]?.delivery as { room: string }).room, 'kept');
      assert.equal(receiver.attempts, 5);
      assert.equal(metrics.value('switchboard_webhooks_dropped_total', { reason: 'failed' }), 2);
      await webhooks.close(1000);
    });

    it('never blocks the caller: a hanging receiver only fills its own bounded queue, oldest dropped', async () => {
      let release: () => void = () => undefined;
      receiver = await Receiver.start([], new Promise((resolve) => (release = resolve)));
      const fast = await Receiver.start();
      try {
        const { webhooks, metrics } = dispatcher([receiver.url, fast.url], { queueLimit: 5, timeoutMs: 60_000 });
        for (let i = 0; i < 50; i++) {
          webhooks.emit({ type: 'peer.left', room: 'r', peerId: `p${i}`, identity: `u${i}`, reason: 'left' });
          await waitFor(() => fast.received.length === i + 1, `event ${i} at the other receiver`);
        }
        assert.equal(receiver.received.length, 0, 'the hanging receiver has answered nothing yet');
        assert.equal(metrics.value('switchboard_webhooks_dropped_total', { reason: 'queue_full' }), 44);
        release();
        await waitFor(() => receiver!.received.length === 6, 'what the hanging receiver kept');
        const kept = receiver.received.map((r) => (r.delivery as { peerId: string }).peerId);
        assert.deepEqual(kept, ['p0', 'p45', 'p46', 'p47', 'p48', 'p49'], 'the one in flight, then the newest five');
        await webhooks.close(1000);
      } finally {
        await fast.close();
      }
    });

    it('drops what a dead receiver cannot take without hurting the others', async () => {
      receiver = await Receiver.start();
      const { webhooks } = dispatcher(['http://127.0.0.1:9/unreachable', receiver.url], { maxAttempts: 2 });
      webhooks.emit({ type: 'room.started', room: 'r' });
      await waitFor(() => receiver!.received.length === 1, 'the live receiver');
      await webhooks.close(1000);
    });
  });

  describe('from a running server', () => {
    let receiver: Receiver;
    let t: TestServer;
    before(async () => {
      receiver = await Receiver.start();
      t = await startTestServer([
        '--webhook-urls',
        receiver.url,
        '--webhook-secret',
        SECRET,
        '--webhook-message-types',
        'comment',
        '--webhook-retry-delay-ms',
        '20',
      ]);
    });
    after(async () => {
      await t.close();
      await receiver.close();
    });

    it('reports the room starting and finishing, peers joining and leaving, and chosen message types', async () => {
      const alice = await RawPeer.join(t.wsUrl, await t.token('hooks', 'alice'));
      const bob = await RawPeer.join(t.wsUrl, await t.token('hooks', 'bob'));
      alice.send('reliable', { seq: 1, type: 'comment', data: encode({ text: 'hello', image: new Uint8Array([1, 2, 3]) }) });
      alice.send('reliable', { seq: 2, type: 'cursor', data: encode({ x: 1 }) });
      await waitFor(() => receiver.types().includes('message'), 'the comment');
      await bob.signaling.request('leave', {});
      await alice.signaling.request('leave', {});
      bob.close();
      alice.close();
      await waitFor(() => receiver.types().includes('room.finished'), 'the room finishing', 15000);
      const types = receiver.types();
      assert.deepEqual(types.filter((type) => type !== 'message'), ['room.started', 'peer.joined', 'peer.joined', 'peer.left', 'peer.left', 'room.finished']);
      assert.equal(types.filter((type) => type === 'message').length, 1, 'only the chosen type');
      assert.ok(receiver.received.every((r) => r.valid), 'every delivery signed');
      const message = receiver.received.find((r) => r.delivery.type === 'message')?.delivery;
      assert.deepEqual(message && { ...message, id: undefined, at: undefined }, {
        type: 'message',
        room: 'hooks',
        from: alice.session.self.id,
        messageType: 'comment',
        data: { text: 'hello', image: 'AQID' },
        id: undefined,
        at: undefined,
      });
      const left = receiver.received.filter((r) => r.delivery.type === 'peer.left').map((r) => r.delivery as { identity: string; reason: string });
      assert.deepEqual(left.map((l) => l.identity).sort(), ['alice', 'bob']);
      assert.equal(new Set(receiver.received.map((r) => r.delivery.id)).size, receiver.received.length, 'unique IDs');
    });

    it('reports a grant change with who made it, and none for a change that changes nothing', async () => {
      const admin = await RawPeer.join(t.wsUrl, await t.token('moderated', 'mod', { grants: { admin: true, sendData: true, receiveData: true } }));
      const viewer = await RawPeer.join(t.wsUrl, await t.token('moderated', 'viewer'));
      await admin.signaling.request('setGrants', { peerId: viewer.id, revoke: ['sendData', 'publish'] });
      await admin.signaling.request('setGrants', { peerId: viewer.id, revoke: ['sendData'] });
      await waitFor(() => receiver.types().includes('peer.grantsChanged'), 'the grant change');
      // A second event, if any, would come within this (one queue per URL, in order).
      await sleep(300);
      admin.close();
      viewer.close();
      const changes = receiver.received.filter((r) => r.delivery.type === 'peer.grantsChanged').map((r) => ({ ...r.delivery, id: undefined, at: undefined }));
      assert.deepEqual(changes, [
        {
          type: 'peer.grantsChanged',
          room: 'moderated',
          peerId: viewer.id,
          identity: 'viewer',
          grants: ['subscribe', 'receiveData'],
          previous: ['publish', 'subscribe', 'sendData', 'receiveData'],
          by: 'mod',
          id: undefined,
          at: undefined,
        },
      ]);
    });
  });
});
