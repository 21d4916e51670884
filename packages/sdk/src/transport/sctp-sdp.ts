import type { DtlsFingerprint } from 'mediasoup-client/types';
import type { TransportInfo } from '../protocol/index.js';

// SCTP's maximum message size when the transport states none (RFC 8841's default for WebRTC).
const DEFAULT_MAX_MESSAGE_SIZE = 65536;

/** What our offer says that the answer and the server need. */
export interface OfferFacts {
  /** The `a=mid` of the data section. */
  mid: string;
  /** Our DTLS certificate fingerprint, for the server's `connectTransport`. */
  fingerprint: DtlsFingerprint;
}

/** Reads the data section's mid and our fingerprint from a local offer. */
export function readOffer(sdp: string): OfferFacts {
  const fingerprint = /^a=fingerprint:(\S+) (\S+)/m.exec(sdp);
  const mid = /^a=mid:(\S+)/m.exec(sdp);
  if (!fingerprint?.[1] || !fingerprint[2] || !mid?.[1]) throw new Error('the local offer has no fingerprint or mid');
  return { mid: mid[1], fingerprint: { algorithm: fingerprint[1].toLowerCase() as DtlsFingerprint['algorithm'], value: fingerprint[2] } };
}

/**
 * The server's side of a data-only connection, as an SDP answer to our offer: its ICE-lite
 * candidates and credentials, its DTLS fingerprint with the passive role (we are the DTLS
 * client, as we tell the server in `connectTransport`), and its SCTP port and message size.
 * The server never sees SDP: this only tells our RTCPeerConnection what the transport is.
 */
export function sctpAnswer(transport: TransportInfo, offer: OfferFacts): string {
  const { iceParameters, iceCandidates, dtlsParameters, sctpParameters } = transport;
  const fingerprints = dtlsParameters.fingerprints;
  const fingerprint = fingerprints.find((f) => f.algorithm === 'sha-256') ?? fingerprints[fingerprints.length - 1];
  if (fingerprint === undefined) throw new Error('the transport has no DTLS fingerprint');
  const lines = [
    'v=0',
    'o=switchboard 1 1 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    ...(iceParameters.iceLite ? ['a=ice-lite'] : []),
    `a=group:BUNDLE ${offer.mid}`,
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
    'm=application 7 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 127.0.0.1',
    `a=mid:${offer.mid}`,
    `a=ice-ufrag:${iceParameters.usernameFragment}`,
    `a=ice-pwd:${iceParameters.password}`,
    ...iceCandidates.map(
      (c) => `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ ${c.type}${c.tcpType ? ` tcptype ${c.tcpType}` : ''}`,
    ),
    'a=end-of-candidates',
    'a=setup:passive',
    `a=sctp-port:${sctpParameters.port}`,
    `a=max-message-size:${sctpParameters.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE}`,
  ];
  return `${lines.join('\r\n')}\r\n`;
}
