/** Label values of one time series, e.g. `{ reason: 'rate_limited' }`. */
export type Labels = Record<string, string>;

interface Family {
  help: string;
  type: 'counter' | 'gauge';
  series: Map<string, { labels: Labels; value: number }>;
}

/** A counter family: monotonically increasing values, one per label set. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

/** One series of a counter, bound once: its `inc` is a property add, with no label string built. */
export interface BoundCounter {
  inc(by?: number): void;
}

/** A counter family declared on {@link Metrics}, whose series can be bound ahead of the hot path. */
export interface CounterFamily extends Counter {
  /** The series of `labels`; it appears in `/metrics` from its first increment on. */
  bind(labels: Labels): BoundCounter;
}

/** A gauge family set on each scrape by a collector. */
export interface Gauge {
  set(value: number, labels?: Labels): void;
}

/**
 * Prometheus metrics kept in memory and rendered in the text exposition format. Counters are
 * updated on the hot path (a map lookup and an add); gauges are filled by collectors that run
 * only when `/metrics` is scraped.
 */
export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly collectors: (() => void | Promise<void>)[] = [];

  /** Declares (or returns the already declared) counter `name`. */
  counter(name: string, help: string): CounterFamily {
    const family = this.family(name, help, 'counter');
    return {
      inc: (labels = {}, by = 1) => {
        const key = seriesKey(labels);
        const series = family.series.get(key);
        if (series) series.value += by;
        else family.series.set(key, { labels, value: by });
      },
      bind: (labels) => {
        const key = seriesKey(labels);
        let series = family.series.get(key);
        return {
          inc: (by = 1) => {
            // Created on first use, so a bound series nobody increments is not rendered.
            if (!series) {
              series = family.series.get(key) ?? { labels, value: 0 };
              family.series.set(key, series);
            }
            series.value += by;
          },
        };
      },
    };
  }

  /** Declares (or returns the already declared) gauge `name`. */
  gauge(name: string, help: string): Gauge {
    const family = this.family(name, help, 'gauge');
    return {
      set: (value, labels = {}) => {
        family.series.set(seriesKey(labels), { labels, value });
      },
    };
  }

  /** Registers a function that refreshes gauges right before each render. */
  collect(collector: () => void | Promise<void>): void {
    this.collectors.push(collector);
  }

  /** Current value of a series, or 0 (for tests and the HTTP API). */
  value(name: string, labels: Labels = {}): number {
    return this.families.get(name)?.series.get(seriesKey(labels))?.value ?? 0;
  }

  /** Every series as `/metrics` would show it now (the collectors run first), keyed as there. */
  async snapshot(): Promise<Map<string, number>> {
    await Promise.all(this.collectors.map((collect) => collect()));
    const values = new Map<string, number>();
    for (const [name, family] of this.families) {
      for (const { labels, value } of family.series.values()) values.set(`${name}${formatLabels(labels)}`, value);
    }
    return values;
  }

  /** All metrics in Prometheus text format. */
  async render(): Promise<string> {
    await Promise.all(this.collectors.map((collect) => collect()));
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.type}`);
      for (const { labels, value } of family.series.values()) lines.push(`${name}${formatLabels(labels)} ${value}`);
    }
    return lines.join('\n') + '\n';
  }

  private family(name: string, help: string, type: Family['type']): Family {
    let family = this.families.get(name);
    if (!family) {
      family = { help, type, series: new Map() };
      this.families.set(name, family);
    }
    return family;
  }
}

function seriesKey(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return keys
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;
}
