import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';
import { RoomTrafficChanges, type RoomChanges, type TrafficSource } from './room-changes.js';

/** One second of the node: every `/metrics` series and the Node process's own use. */
export interface ConsoleSample {
  /** When it was taken, ms since epoch. */
  t: number;
  /** Series (keyed as in `/metrics`, e.g. `switchboard_messages_in_total{channel="reliable"}`) → value. */
  v: Record<string, number>;
  /** The server process: resident memory in bytes and CPU seconds used (user + system). */
  process: { rssBytes: number; cpuSeconds: number };
  /** The rooms whose data traffic changed since the previous sample, with their counts; absent if none. */
  rooms?: RoomChanges;
}

/** Samples over a time span in columns: one time list, one value list per series (null before it existed). */
export interface SampleHistory {
  t: number[];
  series: Record<string, (number | null)[]>;
  process: { rssBytes: number[]; cpuSeconds: number[] };
  /** Each sample's room changes (null: none); the first also holds the rooms' counts before it. */
  rooms: (RoomChanges | null)[];
}

/** What {@link MetricSampler} needs. */
export interface MetricSamplerOptions {
  metrics: Metrics;
  logger: Logger;
  /** The node's open rooms, whose data traffic each sample carries. */
  rooms?: () => Iterable<TrafficSource>;
  /** Time between samples, ms. */
  intervalMs?: number;
  /** Samples kept for viewers that connect later: 15 minutes at one a second. */
  keep?: number;
}

/**
 * Samples the node's metrics once a second for the console and hands each sample to every
 * subscriber. The cost is one `/metrics` collection a second whatever the number of viewers;
 * each viewer adds one write of the already encoded sample.
 */
export class MetricSampler {
  private readonly samples: ConsoleSample[] = [];
  private readonly subscribers = new Set<(sample: ConsoleSample) => void>();
  private readonly keep: number;
  private readonly timer: NodeJS.Timeout;
  private readonly roomChanges = new RoomTrafficChanges();
  private busy = false;

  constructor(private readonly options: MetricSamplerOptions) {
    this.keep = options.keep ?? 900;
    this.timer = setInterval(() => void this.sample(), options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Calls `listener` with every new sample until the returned function is called. */
  subscribe(listener: (sample: ConsoleSample) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** The samples kept, oldest first, in columns. */
  history(): SampleHistory {
    const keys = new Set(this.samples.flatMap((sample) => Object.keys(sample.v)));
    const series: SampleHistory['series'] = {};
    for (const key of keys) series[key] = this.samples.map((sample) => sample.v[key] ?? null);
    return {
      t: this.samples.map((sample) => sample.t),
      series,
      process: {
        rssBytes: this.samples.map((sample) => sample.process.rssBytes),
        cpuSeconds: this.samples.map((sample) => sample.process.cpuSeconds),
      },
      rooms: this.samples.map((sample, i) => (i === 0 ? this.roomChanges.first(sample.rooms) : sample.rooms) ?? null),
    };
  }

  /** The process's CPU use over the last `seconds` of samples, in percent of one core (0 before two samples). */
  cpuPercent(seconds = 5): number {
    const last = this.samples.at(-1);
    const first = this.samples.at(-1 - Math.min(seconds, this.samples.length - 1));
    if (!last || !first || last.t <= first.t) return 0;
    return ((last.process.cpuSeconds - first.process.cpuSeconds) / ((last.t - first.t) / 1000)) * 100;
  }

  stop(): void {
    clearInterval(this.timer);
    this.subscribers.clear();
  }

  private async sample(): Promise<void> {
    // A collection slower than the interval (a busy worker) skips a tick rather than piling up.
    if (this.busy) return;
    this.busy = true;
    try {
      const values = await this.options.metrics.snapshot();
      const cpu = process.cpuUsage();
      const sample: ConsoleSample = {
        t: Date.now(),
        v: Object.fromEntries(values),
        process: { rssBytes: process.memoryUsage.rss(), cpuSeconds: (cpu.user + cpu.system) / 1e6 },
      };
      const rooms = this.roomChanges.next(this.options.rooms?.() ?? []);
      if (rooms) sample.rooms = rooms;
      this.samples.push(sample);
      if (this.samples.length > this.keep) this.roomChanges.dropped(this.samples.shift()?.rooms);
      for (const listener of this.subscribers) listener(sample);
    } catch (error) {
      this.options.logger.warn('console sample failed', { error });
    } finally {
      this.busy = false;
    }
  }
}
