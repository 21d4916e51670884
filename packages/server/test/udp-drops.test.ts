import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dropsOf, udpReceiveDrops } from '../src/media/udp-drops.js';

const TABLE = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  113: 0100007F:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17
  114: 0100007F:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 5
  115: 0100007F:9C42 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4244 2 0000000000000000 1
`;

describe('UDP receive drops of a process (the worker metric)', () => {
  it('sums the drops column of the sockets the process holds, and nothing else', () => {
    assert.equal(dropsOf(TABLE, ['4242', '4244']), 18);
    assert.equal(dropsOf(TABLE, []), 0);
    assert.equal(dropsOf(TABLE, ['2']), 0, 'a number in another column is not an inode');
    assert.equal(dropsOf('header only\n', ['4242']), 0);
  });

  it('leaves out a process that is not there', async () => {
    const drops = await udpReceiveDrops([process.pid, 2 ** 22 + 12345]);
    assert.deepEqual([...drops.keys()], [process.pid]);
  });

  it("counts the datagrams the kernel dropped while this process's socket was full", async function () {
    if (process.platform !== 'linux') this.skip();
    this.timeout(20000);
    const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 4096 });
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const before = (await udpReceiveDrops([process.pid])).get(process.pid);
    assert.equal(typeof before, 'number');
    // Another process sends 400 datagrams of 1 KB while this one's event loop is blocked (from
    // the moment the process exists until it has exited), so nothing reads the socket and its
    // 4 KiB buffer overflows.
    const sender = spawn(process.execPath, [
      '-e',
      `const s = require('node:dgram').createSocket('udp4'); let n = 0;
       setTimeout(function next() { if (n++ === 400) return s.close(); s.send(Buffer.alloc(1000), ${socket.address().port}, '127.0.0.1', next); }, 100);`,
    ]);
    const exited = once(sender, 'exit');
    blockUntilExited(sender.pid!, 15000);
    await exited;
    const after = (await udpReceiveDrops([process.pid])).get(process.pid);
    socket.close();
    assert.ok(after !== undefined && before !== undefined && after - before > 300, `dropped ${after! - before!} of 400`);
  });
});

/** Blocks this thread (no event loop: nothing reads any socket) until `pid` has exited, or `ms`. */
function blockUntilExited(pid: number, ms: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (const end = Date.now() + ms; Date.now() < end; ) {
    let state: string;
    try {
      state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? 'Z';
    } catch {
      return;
    }
    // Until the event loop runs again nobody reaps the child: it stays a zombie.
    if (state === 'Z') return;
    Atomics.wait(pause, 0, 0, 20);
  }
}
