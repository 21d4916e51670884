import { httpBase } from './options.js';

/** One scrape of a server's `/metrics`: what its Node process and its mediasoup workers use. */
export interface ServerSample {
  /** Epoch ms. */
  at: number;
  url: string;
  /** Node process: CPU seconds so far and resident memory, bytes (`process_*`). */
  nodeCpuSeconds?: number;
  nodeRssBytes?: number;
  /** mediasoup workers together: CPU seconds so far and resident memory, bytes. */
  workerCpuSeconds?: number;
  workerRssBytes?: number;
  /** Datagrams the workers' UDP sockets dropped unread so far (Linux servers). */
  workerUdpDrops?: number;
  /** Peers in rooms (`switchboard_peers`). */
  peers?: number;
}

const SCRAPE_TIMEOUT_MS = 2_000;

/** Reads `/metrics` of `url`; undefined when it does not answer (the run goes on without it). */
export async function scrapeServer(url: string): Promise<ServerSample | undefined> {
  let text: string;
  try {
    const response = await fetch(`${httpBase(url)}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    if (!response.ok) return undefined;
    text = await response.text();
  } catch {
    return undefined;
  }
  return { at: Date.now(), url, ...parseServerMetrics(text) };
}

/** The figures a load run plots, from Prometheus text; series that are absent stay undefined. */
export function parseServerMetrics(text: string): Omit<ServerSample, 'at' | 'url'> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) sums.set(match[1]!, (sums.get(match[1]!) ?? 0) + value);
  }
  const sample: Omit<ServerSample, 'at' | 'url'> = {};
  const take = (key: keyof typeof sample, name: string): void => {
    const value = sums.get(name);
    if (value !== undefined) sample[key] = value;
  };
  take('nodeCpuSeconds', 'process_cpu_seconds_total');
  take('nodeRssBytes', 'process_resident_memory_bytes');
  take('workerCpuSeconds', 'switchboard_worker_cpu_seconds');
  take('workerRssBytes', 'switchboard_worker_resident_memory_bytes');
  take('workerUdpDrops', 'switchboard_worker_udp_receive_drops');
  take('peers', 'switchboard_peers');
  return sample;
}
