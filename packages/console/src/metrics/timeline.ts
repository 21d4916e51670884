import type { Sample, SampleHistory } from '../api/sample-stream.js';
import { RoomSeries, type RoomColumns } from './room-series.js';

/** How far back the graphs reach. */
export const WINDOW_SECONDS = 15 * 60;
/** The span a room's current rates are averaged over, in the rooms list. */
export const RECENT_SECONDS = 10;

type Labels = Record<string, string>;
type Column = (number | null)[];

/**
 * The node's samples over the last 15 minutes and what the console derives from them: the sums
 * of a metric family's series (optionally those with some labels), their rates per second, and
 * the label values seen. Series keys are the lines of `/metrics` (`name{label="value"}`).
 */
export class Timeline {
  /** Sample times, in seconds (uPlot's unit). */
  readonly t: number[] = [];
  private readonly series = new Map<string, Column>();
  private readonly parsed = new Map<string, { name: string; labels: Labels }>();
  private readonly rss: Column = [];
  private readonly cpu: Column = [];
  private readonly rooms = new RoomSeries();

  /** Starts over from the server's kept samples. */
  load(history: SampleHistory): void {
    this.t.splice(0, this.t.length, ...history.t.map((ms) => ms / 1000));
    this.series.clear();
    for (const [key, values] of Object.entries(history.series)) this.series.set(key, [...values]);
    this.rss.splice(0, this.rss.length, ...history.process.rssBytes);
    this.cpu.splice(0, this.cpu.length, ...history.process.cpuSeconds);
    this.rooms.clear();
    history.t.forEach((_, i) => this.rooms.append(i, history.rooms[i]));
  }

  push(sample: Sample): void {
    const length = this.t.length;
    this.rooms.append(length, sample.rooms);
    this.t.push(sample.t / 1000);
    for (const [key, value] of Object.entries(sample.v)) {
      let column = this.series.get(key);
      if (!column) {
        column = new Array<number | null>(length).fill(null);
        this.series.set(key, column);
      }
      column.push(value);
    }
    for (const column of this.series.values()) if (column.length === length) column.push(null);
    this.rss.push(sample.process.rssBytes);
    this.cpu.push(sample.process.cpuSeconds);
    const oldest = sample.t / 1000 - WINDOW_SECONDS;
    let drop = 0;
    while (drop < this.t.length && (this.t[drop] ?? 0) < oldest) drop += 1;
    if (drop > 0) {
      this.t.splice(0, drop);
      for (const column of [...this.series.values(), this.rss, this.cpu]) column.splice(0, drop);
      this.rooms.drop(drop);
    }
  }

  get size(): number {
    return this.t.length;
  }

  /** The sum over time of family `name`'s series that have `labels`. */
  sum(name: string, labels: Labels = {}): Column {
    const columns = this.matching(name, labels);
    if (columns.length === 0) return this.t.map(() => null);
    return this.t.map((_, i) => {
      let total: number | null = null;
      for (const column of columns) {
        const value = column[i];
        if (value !== null && value !== undefined) total = (total ?? 0) + value;
      }
      return total;
    });
  }

  /** The last value of {@link sum}, or 0 before any sample. */
  latest(name: string, labels: Labels = {}): number {
    return this.sum(name, labels).at(-1) ?? 0;
  }

  /** Per-second rate of a counter family's sum (a restarted counter reads as 0, not negative). */
  rate(name: string, labels: Labels = {}): Column {
    return perSecond(this.t, this.sum(name, labels));
  }

  /** Room `name`'s data traffic on this node over the window; undefined if it had none. */
  room(name: string): RoomColumns | undefined {
    return this.rooms.room(name);
  }

  /** Per-second rate of one of room `name`'s counts, sample by sample. */
  roomRate(name: string, count: 'messagesIn' | 'deliveries' | 'rejected'): Column {
    const columns = this.rooms.room(name);
    return columns ? perSecond(this.t, columns[count]) : this.t.map(() => null);
  }

  /** Room `name`'s mean rate of a count over the last `seconds` (0 for a room with no traffic). */
  roomRecentRate(name: string, count: 'messagesIn' | 'deliveries' | 'rejected', seconds = RECENT_SECONDS): number {
    const column = this.rooms.room(name)?.[count];
    const last = this.t.length - 1;
    if (!column || last < 1) return 0;
    let first = last;
    while (first > 0 && (this.t[first - 1] ?? 0) >= (this.t[last] ?? 0) - seconds) first -= 1;
    while (first < last && column[first] === null) first += 1;
    const dt = (this.t[last] ?? 0) - (this.t[first] ?? 0);
    const from = column[first];
    const to = column[last];
    if (dt <= 0 || from === null || from === undefined || to === null || to === undefined) return 0;
    return Math.max(0, (to - from) / dt);
  }

  /** The server process's CPU use, in percent of one core. */
  processCpuPercent(): Column {
    return perSecond(this.t, this.cpu).map((value) => (value === null ? null : value * 100));
  }

  processRss(): Column {
    return this.rss;
  }

  /** The values label `label` takes in family `name`, sorted. */
  labelValues(name: string, label: string): string[] {
    const values = new Set<string>();
    for (const key of this.series.keys()) {
      const parsed = this.parse(key);
      const value = parsed.labels[label];
      if (parsed.name === name && value !== undefined) values.add(value);
    }
    return [...values].sort();
  }

  private matching(name: string, labels: Labels): Column[] {
    const columns: Column[] = [];
    for (const [key, column] of this.series) {
      const parsed = this.parse(key);
      if (parsed.name === name && Object.entries(labels).every(([k, v]) => parsed.labels[k] === v)) columns.push(column);
    }
    return columns;
  }

  private parse(key: string): { name: string; labels: Labels } {
    let parsed = this.parsed.get(key);
    if (!parsed) {
      const brace = key.indexOf('{');
      const labels: Labels = {};
      if (brace >= 0) {
        for (const match of key.slice(brace).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
          labels[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        }
      }
      parsed = { name: brace >= 0 ? key.slice(0, brace) : key, labels };
      this.parsed.set(key, parsed);
    }
    return parsed;
  }
}

function perSecond(t: number[], values: Column): Column {
  return values.map((value, i) => {
    const previous = values[i - 1];
    const dt = (t[i] ?? 0) - (t[i - 1] ?? 0);
    if (i === 0 || value === null || previous === null || previous === undefined || dt <= 0) return null;
    return Math.max(0, (value - previous) / dt);
  });
}
