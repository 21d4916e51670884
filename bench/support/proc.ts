import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// Clock ticks per second of /proc's CPU counters (100 on every common Linux build, but asked).
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) from a /proc `stat` file: the process's, or one thread's. */
function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Field 2 (comm) may contain spaces and parentheses; the fields we need follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, i.e. 11 and 12 after comm and state.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU seconds process `pid` has used so far, all threads (exited ones included). Linux only. */
export function processCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds of each live thread of `pid`, by thread ID, with the thread's name. */
function threadCpuSeconds(pid: number): Map<string, { name: string; seconds: number }> {
  const threads = new Map<string, { name: string; seconds: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const name = tid === String(pid) ? `${comm} main thread` : `${comm} thread`;
      threads.set(tid, { name, seconds: statCpuSeconds(`/proc/${pid}/task/${tid}/stat`) });
    } catch {
      // The thread ended between listing and reading.
    }
  }
  return threads;
}

/**
 * UDP datagrams the kernel dropped because a socket of `pid` had a full receive buffer: the
 * `drops` column of /proc/net/udp{,6} for the sockets among the process's file descriptors.
 * WebRTC runs over UDP, and on loopback a drop means the reader was late, not the network.
 */
function udpDrops(pid: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // The descriptor was closed between listing and reading.
    }
  }
  let drops = 0;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // inode is the 10th column, drops the last.
      if (fields.length > 10 && inodes.has(fields[9]!)) drops += Number(fields[fields.length - 1]);
    }
  }
  return drops;
}

/** What named processes used over a measured span. */
export interface ProcessUse {
  /** CPU seconds by process name. */
  cpu: Record<string, number>;
  /** Each process's busiest thread: near 100% of the span means that thread was a bottleneck. */
  busiest: Record<string, { thread: string; seconds: number }>;
  /** UDP datagrams dropped on arrival (receive buffer full), by process name. */
  udpDrops: Record<string, number>;
}

interface Snapshot {
  cpu: number;
  threads: Map<string, { name: string; seconds: number }>;
  udpDrops: number;
}

/**
 * Measures named processes (this one, a server child, a receiver host...) from now until
 * {@link ProcessMeter.read}: CPU per process and per thread, and UDP receive drops, so a report
 * can say which process, and which thread in it, was busy or late.
 */
export class ProcessMeter {
  private readonly start: Record<string, Snapshot>;

  constructor(private readonly pids: Record<string, number>) {
    this.start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, snapshot(pid)]));
  }

  read(): ProcessUse {
    const use: ProcessUse = { cpu: {}, busiest: {}, udpDrops: {} };
    for (const [process, pid] of Object.entries(this.pids)) {
      const start = this.start[process]!;
      const now = snapshot(pid);
      use.cpu[process] = now.cpu - start.cpu;
      use.udpDrops[process] = now.udpDrops - start.udpDrops;
      let busiest = { thread: '', seconds: 0 };
      for (const [tid, { name, seconds }] of now.threads) {
        const used = seconds - (start.threads.get(tid)?.seconds ?? 0);
        if (used > busiest.seconds) busiest = { thread: name, seconds: used };
      }
      use.busiest[process] = busiest;
    }
    return use;
  }
}

function snapshot(pid: number): Snapshot {
  return { cpu: processCpuSeconds(pid), threads: threadCpuSeconds(pid), udpDrops: udpDrops(pid) };
}
