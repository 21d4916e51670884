import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Datagrams the kernel dropped because a process's UDP sockets were full (their receive buffer
 * overflowed while the process was not reading), summed over the sockets each process holds
 * now; from /proc (Linux). Processes whose figure cannot be read (gone, another OS) are left
 * out. A mediasoup worker reads every peer's packets from one socket: drops there become SCTP
 * retransmissions and late messages, and they say the worker fell behind (too little CPU, or a
 * buffer below `--rtc-socket-buffer`).
 *
 * The processes must be in this process's network namespace (a server's workers are): its
 * socket tables are read once for all of them, since they list every UDP socket of the
 * machine (thousands when load clients run beside the server).
 */
export async function udpReceiveDrops(pids: readonly number[]): Promise<Map<number, number>> {
  const drops = new Map<number, number>();
  if (pids.length === 0) return drops;
  const tables = await Promise.all(['udp', 'udp6'].map((name) => readFile(`/proc/net/${name}`, 'utf8').catch(() => undefined)));
  if (tables.some((table) => table === undefined)) return drops;
  await Promise.all(
    pids.map(async (pid) => {
      const inodes = await socketInodes(pid);
      if (inodes) drops.set(pid, tables.reduce((sum, table) => sum + dropsOf(table!, inodes), 0));
    }),
  );
  return drops;
}

/** The inodes of the sockets among the open files of `pid`. */
async function socketInodes(pid: number): Promise<string[] | undefined> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => undefined);
  if (!fds) return undefined;
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return links.flatMap((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1] ?? []);
}

/**
 * The `drops` column of a /proc/net/udp table, summed over the rows of `inodes`. Columns: sl,
 * local, remote, st, tx:rx queues, tr:when, retrnsmt, uid, timeout, inode, ref, pointer, drops.
 * Each inode is looked up rather than every row split: the table may have thousands of rows.
 */
export function dropsOf(table: string, inodes: readonly string[]): number {
  let drops = 0;
  for (const inode of inodes) {
    for (let at = table.indexOf(` ${inode} `); at !== -1; at = table.indexOf(` ${inode} `, at + 1)) {
      const start = table.lastIndexOf('\n', at) + 1;
      const end = table.indexOf('\n', at);
      const fields = table.slice(start, end === -1 ? undefined : end).trim().split(/\s+/);
      if (fields.length < 13 || fields[9] !== inode) continue;
      const count = Number(fields[12]);
      if (Number.isFinite(count)) drops += count;
      break;
    }
  }
  return drops;
}
