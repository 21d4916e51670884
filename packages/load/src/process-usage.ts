import { readFile } from 'node:fs/promises';

/** CPU seconds so far and resident memory of one process. */
export interface ProcessUsage {
  cpuSeconds: number;
  rssBytes: number;
}

// Linux's /proc reports CPU in clock ticks: 100 per second on every platform Node supports.
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/**
 * What process `pid` uses, from /proc (Linux); undefined elsewhere or once it exited. The load
 * processes are measured this way so a report can tell the clients' CPU from the server's.
 */
export async function processUsage(pid: number): Promise<ProcessUsage | undefined> {
  try {
    const [stat, statm] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/statm`, 'utf8')]);
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const pages = Number(statm.split(' ')[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(pages)) return undefined;
    return { cpuSeconds: ticks / TICKS_PER_SECOND, rssBytes: pages * PAGE_BYTES };
  } catch {
    return undefined;
  }
}
