import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/metrics.js';

/** One second of the node: every `/metrics` series and the Node process's own use. */
export interface ConsoleSample {
  /** When it was taken, ms since epoch. */
  t: number;
  /** Series (keyed as in `/metrics`, e.g. `switchboard_messages_in_total{channel="reliable"}`) → value. */
  v: Record<string, number>;
  /** The server process: resident memory in bytes and CPU seconds used (user + system). */
  process: { rssBytes: number; cpuSeconds: number };
}

/** Samples over a time span in columns: one time list, one value list per series (null before it existed). */
export interface SampleHistory {
  t: number[];
  series: Record<string, (number | null)[]>;
  process: { rssBytes: number[]; cpuSeconds: number[] };
}

/** What {@link MetricSampler} needs. */
export interface MetricSamplerOptions {
  metrics: Metrics;
  logger: Logger;
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
    };
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
      this.samples.push(sample);
      if (this.samples.length > this.keep) this.samples.shift();
      for (const listener of this.subscribers) listener(sample);
    } catch (error) {
      this.options.logger.warn('console sample failed', { error });
    } finally {
      this.busy = false;
    }
  }
}
