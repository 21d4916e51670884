'use strict';
// A karma middleware that starts a real Switchboard server (a child process, dev mode, free
// loopback ports) for browser tests and tells the page where it is:
//   GET /switchboard-test-server        -> { wsUrl, httpUrl, closedUrl, silentUrl }
// closedUrl is a loopback port where nothing listens; silentUrl one that accepts connections and
// never answers (for the tests of connection failures).
//   GET /switchboard-test-server/token?room=R&identity=I[&grants=sendData,receiveData][&history=N]
//                                       -> { token }  (signed with the dev token secret; history=N
//                                          asks a room it opens to keep its last N messages)
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = path.join(__dirname, '..');
const DEV_TOKEN_SECRET = 'switchboard-dev-token-secret';

function startServer(logger) {
  const child = spawn(
    process.execPath,
    // In scripts/test-netns.sh WebRTC also listens on the namespace's non-loopback address, which
    // Firefox needs (it never uses loopback candidates); elsewhere, on loopback only.
    ['--conditions=source', '--import', 'tsx', 'packages/server/src/main.ts', '--dev', '--port', '0', '--rtc-port', '0', '--rtc-lan-ip', process.env.SWITCHBOARD_TEST_LAN_IP || 'none', '--workers', '1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.level === 'error' || entry.level === 'warn') logger.warn(line);
      if (entry.msg === 'listening') resolve(entry.url);
    });
    child.once('exit', (code) => reject(new Error(`the test server exited with code ${code} before listening`)));
  });
  return { child, ready };
}

/** A loopback port that accepts connections and never says anything, and one where nothing listens. */
function startDeadEnds() {
  const held = new Set();
  const silent = net.createServer((socket) => held.add(socket));
  const closed = net.createServer();
  const listening = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  const ports = Promise.all([listening(silent), listening(closed)]).then(async ([silentPort, closedPort]) => {
    await new Promise((resolve) => closed.close(resolve));
    return { silentUrl: `ws://127.0.0.1:${silentPort}`, closedUrl: `ws://127.0.0.1:${closedPort}` };
  });
  const stop = () => {
    for (const socket of held) socket.destroy();
    silent.close();
  };
  return { ports, stop };
}

function createSwitchboardServerMiddleware(logger, emitter) {
  const log = logger.create('switchboard-server');
  const { child, ready } = startServer(log);
  const deadEnds = startDeadEnds();
  ready.then((url) => log.info(`test server at ${url}`), (error) => log.error(error.message));
  emitter.on('exit', (done) => {
    child.kill('SIGTERM');
    deadEnds.stop();
    done();
  });

  return (req, res, next) => {
    const url = new URL(req.url, 'http://karma');
    if (!url.pathname.startsWith('/switchboard-test-server')) return next();
    const reply = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    ready.then(
      async (httpUrl) => {
        if (url.pathname === '/switchboard-test-server') {
          reply(200, { httpUrl, wsUrl: httpUrl.replace(/^http/, 'ws'), ...(await deadEnds.ports) });
          return;
        }
        const { SignJWT } = await import('jose');
        const room = url.searchParams.get('room');
        const identity = url.searchParams.get('identity');
        if (!room || !identity) return reply(400, { error: 'room and identity are required' });
        const listed = url.searchParams.get('grants');
        const claims = { room };
        // Tokens list their grants by name (docs/protocol.md); the server refuses unknown ones.
        if (listed !== null) claims.grants = listed.split(',').filter((g) => g !== '');
        const history = url.searchParams.get('history');
        if (history !== null) claims.room_history = { limit: Number(history) };
        const token = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(identity)
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(DEV_TOKEN_SECRET));
        reply(200, { token });
      },
      (error) => reply(500, { error: error.message }),
    );
  };
}
createSwitchboardServerMiddleware.$inject = ['logger', 'emitter'];

module.exports = { 'middleware:switchboard-server': ['factory', createSwitchboardServerMiddleware] };
