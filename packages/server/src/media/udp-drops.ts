import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Datagrams the kernel dropped because a process's UDP sockets were full (their receive buffer
 * overflowed while the process was not reading), summed over the sockets it holds now; from
 * /proc (Linux), undefined elsewhere or when the process is gone. A mediasoup worker reads every
 * peer's packets from one socket: drops there become SCTP retransmissions and late messages,
 * and they say the worker fell behind (too little CPU, or a buffer below `--rtc-socket-buffer`).
 */
export async function udpReceiveDrops(pid: number): Promise<number | undefined> {
  const inodes = await socketInodes(pid);
  if (!inodes) return undefined;
  let drops = 0;
  for (const table of ['udp', 'udp6']) {
    const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    drops += dropsOf(text, inodes);
  }
  return drops;
}

/** The inodes of the sockets among the open files of `pid`. */
async function socketInodes(pid: number): Promise<Set<string> | undefined> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => undefined);
  if (!fds) return undefined;
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  const inodes = new Set<string>();
  for (const link of links) {
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match) inodes.add(match[1]!);
  }
  return inodes;
}

/**
 * The `drops` column of a /proc/net/udp table, summed over the rows whose inode is in `inodes`.
 * Columns: sl, local, remote, st, tx:rx queues, tr:when, retrnsmt, uid, timeout, inode, ref,
 * pointer, drops.
 */
export function dropsOf(table: string, inodes: ReadonlySet<string>): number {
  let drops = 0;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 13 || !inodes.has(fields[9]!)) continue;
    const count = Number(fields[12]);
    if (Number.isFinite(count)) drops += count;
  }
  return drops;
}
