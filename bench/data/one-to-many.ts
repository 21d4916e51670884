import type { SendOptions } from '@switchboard/sdk';
import { joinRoom } from '../support/sdk-peer.js';
import type { ServerProcess } from '../support/server-process.js';
import { floodThenSteady, measureFanout, type FanoutResult, type FanoutRuns } from './fanout.js';
import type { ReceiverHost } from './receivers.js';

/** A one-to-many run through the server, with the server's own view of it. */
export interface ServerFanoutResult extends FanoutResult {
  /** Deliveries the server counted (`switchboard_messages_out_total`). */
  serverDeliveries: number;
  /** Messages the server dropped (`switchboard_messages_dropped_total`), by reason. */
  serverDrops: Record<string, number>;
}

let nextRoom = 1;

/**
 * One SDK sender broadcasts 200-byte reliable messages to `receivers` SDK peers in the receiver
 * host, through the server in its child process: a flood, then paced runs if it was not steady
 * (see {@link floodThenSteady}).
 */
export async function sdkOneToMany(
  server: ServerProcess,
  host: ReceiverHost,
  receivers: number,
  sendOptions: SendOptions = {},
): Promise<FanoutRuns<ServerFanoutResult>> {
  const room = `one-to-many-${receivers}-${nextRoom++}`;
  const tokens = await Promise.all(Array.from({ length: receivers }, (_, i) => server.token(room, `receiver-${i}`)));
  await host.call('join', { wsUrl: server.wsUrl, tokens });
  const sender = await joinRoom(server.wsUrl, await server.token(room, 'sender'));
  // Awaited by the sending loop, at default options unless a row says otherwise.
  const send = (payload: Uint8Array) => sender.send('bench', payload, sendOptions);
  const counters = async () => ({
    out: sum(await server.counter('switchboard_messages_out_total', 'channel')),
    drops: await server.counter('switchboard_messages_dropped_total', 'reason'),
  });
  try {
    return await floodThenSteady(async (drive) => {
      const before = await counters();
      const result = await measureFanout(host, receivers, send, drive, server.pids);
      const after = await counters();
      const serverDrops = Object.fromEntries(
        Object.entries(after.drops)
          .map(([reason, count]) => [reason, count - (before.drops[reason] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );
      // The warm-up message is in the server's count but not in the result's.
      return { ...result, serverDeliveries: after.out - before.out - receivers, serverDrops };
    });
  } finally {
    await sender.leave().catch(() => undefined);
    await host.call('clear', {});
  }
}

function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}
