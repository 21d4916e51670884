import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startTestRedis, type TestRedis } from './redis-server.js';
import { sleep } from './test-server.js';

/** A primary, its replica and three sentinels watching them, all on free loopback ports. */
export interface TestSentinelGroup {
  readonly masterName: string;
  readonly primary: TestRedis;
  readonly replica: TestRedis;
  /** The sentinels' addresses, as `--redis-sentinels` takes them. */
  readonly sentinels: { host: string; port: number }[];
  /** The port of the primary the sentinels name now. */
  currentPrimaryPort(): Promise<number | undefined>;
  /** Stops everything, by PID. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a primary, a replica of it, and three sentinels (quorum 2) that declare the primary
 * down after 1 s and fail over to the replica; resolves once the replica is in sync and every
 * sentinel knows it.
 */
export async function startSentinelGroup(masterName = 'sbmaster'): Promise<TestSentinelGroup> {
  if (spawnSync('redis-sentinel', ['--version']).error) {
    throw new Error('redis-sentinel is not installed; run `bash scripts/setup.sh --for-tests` (Debian package redis-sentinel)');
  }
  const primary = await startTestRedis();
  const replica = await startTestRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-sentinel-'));
  const children: ChildProcess[] = [];
  const sentinels: { host: string; port: number }[] = [];
  const close = async () => {
    await Promise.all(children.map(kill));
    await replica.close();
    await primary.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${i}.conf`);
      writeFileSync(file, [
        `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'loglevel warning',
        `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        `sentinel parallel-syncs ${masterName} 1`, '',
      ].join('\n'));
      const child = spawn('redis-sentinel', [file], { stdio: ['ignore', 'ignore', 'inherit'] });
      running.add(child);
      child.once('exit', () => running.delete(child));
      children.push(child);
      sentinels.push({ host: '127.0.0.1', port });
    }
    const group: TestSentinelGroup = {
      masterName,
      primary,
      replica,
      sentinels,
      currentPrimaryPort: () => askSentinels(sentinels, masterName),
      close,
    };
    await until(async () => (await replicaInSync(replica.port)) && (await everySentinelSeesReplica(sentinels, masterName)), 'the replica to sync and the sentinels to see it', 20_000);
    return group;
  } catch (error) {
    await close();
    throw error;
  }
}

/** Resolves once the Redis at `port`, a replica, is linked to its primary and in sync. */
export function replicaSynced(port: number, timeoutMs = 10_000): Promise<void> {
  return until(() => replicaInSync(port), 'the replica to sync', timeoutMs);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function withClient<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function replicaInSync(port: number): Promise<boolean> {
  const info = await withClient(port, (c) => c.info('replication'));
  return /master_link_status:up/.test(info);
}

// A failover needs a majority of sentinels that know of each other and of the replica.
async function everySentinelSeesReplica(sentinels: { port: number }[], name: string): Promise<boolean> {
  for (const { port } of sentinels) {
    const replicas = (await withClient(port, (c) => c.call('SENTINEL', 'REPLICAS', name))) as unknown[];
    const others = (await withClient(port, (c) => c.call('SENTINEL', 'SENTINELS', name))) as unknown[];
    if (replicas.length === 0 || others.length < sentinels.length - 1) return false;
  }
  return true;
}

async function askSentinels(sentinels: { port: number }[], name: string): Promise<number | undefined> {
  for (const { port } of sentinels) {
    try {
      const address = (await withClient(port, (c) => c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name))) as [string, string] | null;
      if (address) return Number(address[1]);
    } catch {
      // Ask the next one.
    }
  }
  return undefined;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
