import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from './test-server.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** One server process of a test cluster. */
export interface ClusterNode {
  readonly nodeId: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  readonly pid: number;
  /** Its JSON log lines so far. */
  readonly logs: readonly Record<string, unknown>[];
  /** Whether the process is still running. */
  readonly alive: boolean;
  /** Kills it with `signal` (default SIGKILL, a crash) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Timings short enough for tests: a dead node is noticed within about 2 s. Redis may take 3 s to
 * answer before it counts as frozen: a test machine busy with other suites must not make it
 * look so (the tests of a frozen Redis set the default, 1 s, again).
 */
export const TEST_CLUSTER_FLAGS = ['--cluster-heartbeat-ms', '200', '--cluster-node-ttl-ms', '1500', '--redis-timeout-ms', '3000'] as const;

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Options of {@link startClusterNodes}. */
export interface ClusterOptions {
  /** Node IDs are `<prefix>-1`, `<prefix>-2`… (default `node`). */
  prefix?: string;
  /** Added to every node's command line. */
  flags?: readonly string[];
  /** Whether to wait until each node has joined the cluster (default true; false when Redis is down on purpose). */
  waitForCluster?: boolean;
}

/**
 * Starts `count` server processes (`packages/server/src/main.ts`) in dev mode on free loopback
 * ports, all in cluster mode on `redisUrl`, and resolves once each listens and (unless told
 * otherwise) has joined the cluster.
 */
export async function startClusterNodes(count: number, redisUrl: string, options: ClusterOptions = {}): Promise<ClusterNode[]> {
  const prefix = options.prefix ?? 'node';
  return Promise.all(Array.from({ length: count }, (_, i) => startNode(`${prefix}-${i + 1}`, redisUrl, options.flags ?? [], options.waitForCluster ?? true)));
}

/** Stops every node still running (SIGKILL), for `after` hooks. */
export async function stopClusterNodes(nodes: readonly ClusterNode[]): Promise<void> {
  await Promise.all(nodes.map((node) => node.kill()));
}

async function startNode(nodeId: string, redisUrl: string, flags: readonly string[], waitForCluster: boolean): Promise<ClusterNode> {
  const args = [
    '--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts',
    '--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', 'none', '--workers', '1', '--log-level', 'info',
    '--redis-url', redisUrl, '--node-id', nodeId, ...TEST_CLUSTER_FLAGS, ...flags,
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    children.delete(child);
    resolve();
  }));
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push({ msg: line });
    }
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  try {
    const started = () => logs.some((l) => l.msg === 'listening') && (!waitForCluster || logs.some((l) => l.msg === 'joined the cluster'));
    // Generous: starting from TypeScript sources takes over 30 s on a busy 2-core test machine.
    await waitFor(() => !running() || started(), `${nodeId} to start`, 60_000);
    if (!running()) throw new Error(`${nodeId} exited at start-up: ${JSON.stringify(logs.slice(-3))}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const url = logs.find((l) => l.msg === 'listening')!.url as string;
  return {
    nodeId,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    pid: child.pid!,
    logs,
    get alive() {
      return running();
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (running()) child.kill(signal);
      await exited;
    },
  };
}
