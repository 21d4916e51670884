import type { WebRtcTransport } from 'mediasoup/types';

/** How old the `switchboard_forwarded_bitrate` figure may be. */
export const FORWARDED_BITRATE_MAX_AGE_MS = 5_000;

// Stats requests in flight at once: the worker answers them between the data it forwards.
const CONCURRENCY = 16;

/**
 * Bits per second the server sends to its peers (media and data), summed from every receive
 * transport's stats: one worker request per peer. Read on every scrape, that was 1,000 requests
 * a second in a room of 1,000 under a 1 s scraper, the next scrape starting before the last had
 * its answers, all of it on the worker channel that carries the room's messages. So the sum is
 * kept for {@link FORWARDED_BITRATE_MAX_AGE_MS}, one refresh runs at a time (scrapes meanwhile
 * share it) and it asks {@link CONCURRENCY} transports at a time.
 */
export class ForwardedBitrate {
  private value = 0;
  private measuredAt = -Infinity;
  private refreshing: Promise<number> | undefined;

  constructor(private readonly transports: () => WebRtcTransport[]) {}

  /** The sum, refreshed first when it is older than the maximum age. */
  read(): Promise<number> {
    if (performance.now() - this.measuredAt < FORWARDED_BITRATE_MAX_AGE_MS) return Promise.resolve(this.value);
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refresh(): Promise<number> {
    const list = this.transports();
    let sum = 0;
    for (let i = 0; i < list.length; i += CONCURRENCY) {
      const stats = await Promise.all(list.slice(i, i + CONCURRENCY).map((t) => t.getStats().catch(() => [])));
      for (const [stat] of stats) sum += stat?.sendBitrate ?? 0;
    }
    this.value = sum;
    this.measuredAt = performance.now();
    return sum;
  }
}
