import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A redis-server of the test's own on a free loopback port, stopped by its PID. Without
 * persistence (the default) `stop()` then `start()` brings it back on the same port, empty, as
 * an outage does; with an append-only file it comes back with what the file kept.
 */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** PID of the running redis-server, or undefined while stopped. */
  readonly pid: number | undefined;
  /** Starts it again (same port) after {@link stop}. */
  start(): Promise<void>;
  /** Kills it (SIGKILL, like a crash) and waits until it has exited. */
  stop(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  /** Lets a frozen one run again (SIGCONT). */
  resume(): void;
  /** Stops it for good and removes its working directory. Idempotent. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test run that dies without its `after` hooks must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** How a test Redis keeps its data: not at all, or in an append-only file synced as given. */
export interface TestRedisOptions {
  appendfsync?: 'always' | 'everysec';
  /** Extra redis-server arguments (e.g. `--replicaof`). */
  args?: readonly string[];
}

/** Starts a redis-server on a free 127.0.0.1 port; throws a clear error if it is not installed. */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('redis-server is not installed; run `bash scripts/setup.sh --for-tests` (Debian package redis-server)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      child = await launch(port, dir, options);
      break;
    } catch (error) {
      // Another process may have taken the port between probing and binding; try another.
      if (attempt >= 4) throw error;
      port = await freePort();
    }
  }
  let closed = false;
  const redis: TestRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async start() {
      if (closed) throw new Error('this test Redis is closed');
      if (child) return;
      child = await launch(port, dir, options);
    },
    async stop() {
      if (!child) return;
      const stopping = child;
      child = undefined;
      await kill(stopping);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async close() {
      if (closed) return;
      closed = true;
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

async function launch(port: number, dir: string, options: TestRedisOptions): Promise<ChildProcess> {
  const persistence = options.appendfsync ? ['--appendonly', 'yes', '--appendfsync', options.appendfsync] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir, '--loglevel', 'warning', ...(options.args ?? [])];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (exited) throw new Error(`redis-server exited at start-up on port ${port}`);
    if (Date.now() > deadline) {
      await kill(child);
      throw new Error(`redis-server did not answer on port ${port} within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Whether something on the port answers a RESP `PING` with `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
