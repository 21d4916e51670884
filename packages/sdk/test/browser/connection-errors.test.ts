import { assert } from 'chai';
import { connect, ConnectionError, type ConnectionFailure } from '../../src/index.js';

interface Endpoints {
  wsUrl: string;
  /** A loopback port where nothing listens. */
  closedUrl: string;
  /** A loopback port that accepts connections and never answers. */
  silentUrl: string;
}

// A browser reports every failed WebSocket alike (close code 1006, an error event without
// detail); what the SDK tells apart, it learns by asking the same host and port over HTTP(S).
describe('connect: why the signaling WebSocket could not be opened (browser)', function () {
  this.timeout(20000);
  let endpoints: Endpoints;

  before(async () => {
    endpoints = (await (await fetch('/switchboard-test-server')).json()) as Endpoints;
  });

  async function failure(url: string, reason: ConnectionFailure, requestTimeoutMs?: number): Promise<ConnectionError> {
    const error = await connect(url, 'token', requestTimeoutMs ? { requestTimeoutMs } : {}).then(
      () => assert.fail(`${url} connected`),
      (rejection: unknown) => rejection,
    );
    assert.instanceOf(error, ConnectionError);
    const connectionError = error as ConnectionError;
    assert.equal(connectionError.code, 'UNREACHABLE');
    assert.equal(connectionError.reason, reason, connectionError.message);
    return connectionError;
  }

  it('notWebSocket: the server answers HTTP at that URL but takes no WebSocket there (a wrong path)', async () => {
    const error = await failure(`${endpoints.wsUrl}/not-switchboard`, 'notWebSocket');
    assert.match(error.message, /answers HTTP but accepted no WebSocket at \/not-switchboard\/rtc/);
  });

  it('wrongScheme: a wss:// URL to a port that speaks plain HTTP', async () => {
    const error = await failure(endpoints.wsUrl.replace(/^ws:/, 'wss:'), 'wrongScheme');
    assert.match(error.message, /does not speak TLS: use ws:\/\//);
  });

  it('unreachable: nothing listens (which the browser does not tell from an untrusted certificate)', async () => {
    const error = await failure(endpoints.closedUrl, 'unreachable');
    assert.match(error.message, /nothing listening, a TLS certificate that is not trusted, or a network that blocks it/);
  });

  it('timeout: the port accepts the connection and never answers, within requestTimeoutMs', async () => {
    const error = await failure(endpoints.silentUrl, 'timeout', 500);
    assert.match(error.message, /no answer within 500 ms/);
  });
});
