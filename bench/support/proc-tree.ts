import { readdirSync, readFileSync } from 'node:fs';
import { processCpuSeconds } from './proc.js';

/** PID → parent PID of every process visible in /proc. */
function parents(): Map<number, number> {
  const map = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The parent PID is the second field after comm, which may contain spaces and ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      map.set(Number(entry), ppid);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return map;
}

/** Every live descendant of `root` (children, their children...), not `root` itself. Linux only. */
export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const queue = [root];
  // Bounded: every PID is visited once, and /proc lists finitely many.
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The executable name of `pid` (`/proc/<pid>/comm`), or undefined if it has ended. */
export function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds a group of processes used from construction to {@link GroupMeter.read}, e.g. a
 * browser's processes. A process that ends meanwhile drops out (its CPU is not counted).
 */
export class GroupMeter {
  private readonly start: Map<number, number>;

  constructor(private readonly pids: readonly number[]) {
    this.start = new Map(pids.flatMap((pid) => cpuOf(pid).map((seconds) => [pid, seconds] as const)));
  }

  read(): number {
    let total = 0;
    for (const pid of this.pids) {
      const before = this.start.get(pid);
      const now = cpuOf(pid)[0];
      if (before !== undefined && now !== undefined) total += now - before;
    }
    return total;
  }
}

function cpuOf(pid: number): number[] {
  try {
    return [processCpuSeconds(pid)];
  } catch {
    return [];
  }
}
