import assert from 'node:assert/strict';
import type { TransportInfo } from '../src/protocol/index.js';
import { readOffer, sctpAnswer } from '../src/transport/sctp-sdp.js';

const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=fingerprint:SHA-256 AA:BB:CC',
  'a=setup:actpass',
  'a=mid:0',
  'a=sctp-port:5000',
].join('\r\n');

const TRANSPORT = {
  id: 't1',
  iceParameters: { usernameFragment: 'ufrag', password: 'pwd', iceLite: true },
  iceCandidates: [
    { foundation: 'udpcandidate', priority: 1076302079, address: '203.0.113.10', protocol: 'udp', port: 40000, type: 'host' },
    { foundation: 'tcpcandidate', priority: 1076276479, address: '203.0.113.10', protocol: 'tcp', port: 40000, type: 'host', tcpType: 'passive' },
  ],
  dtlsParameters: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-1', value: '11:22' },
      { algorithm: 'sha-256', value: 'DD:EE:FF' },
    ],
  },
  sctpParameters: { port: 5000, OS: 1024, MIS: 1024, maxMessageSize: 262144 },
} as TransportInfo;

describe('SCTP-only SDP of the data-only entry point', () => {
  it('reads our mid and fingerprint from the offer', () => {
    assert.deepEqual(readOffer(OFFER), { mid: '0', fingerprint: { algorithm: 'sha-256', value: 'AA:BB:CC' } });
    assert.throws(() => readOffer('v=0\r\n'), /no fingerprint or mid/);
  });

  it("answers as the server: ICE-lite, its candidates (UDP and ICE-TCP), sha-256 fingerprint, passive DTLS, SCTP port and size", () => {
    const answer = sctpAnswer(TRANSPORT, readOffer(OFFER));
    const lines = answer.split('\r\n');
    for (const line of [
      'a=ice-lite',
      'a=group:BUNDLE 0',
      'a=fingerprint:sha-256 DD:EE:FF',
      'm=application 7 UDP/DTLS/SCTP webrtc-datachannel',
      'a=mid:0',
      'a=ice-ufrag:ufrag',
      'a=ice-pwd:pwd',
      'a=candidate:udpcandidate 1 udp 1076302079 203.0.113.10 40000 typ host',
      'a=candidate:tcpcandidate 1 tcp 1076276479 203.0.113.10 40000 typ host tcptype passive',
      'a=setup:passive',
      'a=sctp-port:5000',
      'a=max-message-size:262144',
    ]) {
      assert.ok(lines.includes(line), `missing ${line}`);
    }
    assert.ok(answer.endsWith('\r\n'));
  });
});
