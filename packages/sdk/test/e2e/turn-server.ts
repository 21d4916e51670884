import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const TURNSERVER = '/usr/bin/turnserver';

/** A coturn process on loopback with `use-auth-secret`, as docs/deploy.md sets one up. */
export class TurnServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly secret: string,
    private readonly output: string[],
  ) {}

  /** The TURN URL clients get, UDP on loopback. */
  get url(): string {
    return `turn:127.0.0.1:${this.port}?transport=udp`;
  }

  /** Everything coturn logged so far. */
  get log(): string {
    return this.output.join('');
  }

  /** Starts coturn on a free loopback port and waits until it listens. */
  static async start(secret: string): Promise<TurnServer> {
    if (!existsSync(TURNSERVER)) {
      throw new Error(`${TURNSERVER} is missing: run \`npm run setup\`, which installs Debian's coturn`);
    }
    const port = await freeTcpPort();
    const child = spawn(
      TURNSERVER,
      [
        '--listening-ip=127.0.0.1',
        `--listening-port=${port}`,
        '--relay-ip=127.0.0.1',
        // Peers on loopback: the mediasoup server of the test.
        '--allow-loopback-peers',
        '--use-auth-secret',
        `--static-auth-secret=${secret}`,
        '--realm=switchboard.test',
        '--fingerprint',
        '--no-cli',
        '--no-tls',
        '--no-dtls',
        '--no-tcp-relay',
        '--log-file=stdout',
        '--simple-log',
        '--verbose',
        // Not the machine's own coturn configuration or pid file.
        '-c',
        '/dev/null',
        '--pidfile=/dev/null',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stdout?.setEncoding('utf8').on('data', (text: string) => output.push(text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => output.push(text));
    const server = new TurnServer(child, port, secret, output);
    const deadline = Date.now() + 10_000;
    while (!/UDP listener opened on/.test(server.log)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        server.stop();
        throw new Error(`coturn did not start (exit ${child.exitCode}):\n${server.log.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return server;
  }

  /** Stops this coturn (by its PID only). */
  stop(): void {
    if (this.child.exitCode === null && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGTERM');
  }
}

// A TCP port free right now on loopback; coturn binds UDP and TCP on it.
function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
