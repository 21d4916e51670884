import type { MediaKind, RtpCapabilities, RtpParameters } from 'mediasoup-client/types';

/** What a published track shows: a camera, a microphone, a shared screen, or anything else. */
export type TrackSource = 'camera' | 'microphone' | 'screen' | 'custom';

/** A published track as every peer of the room sees it. */
export interface TrackInfo {
  /** Unique ID of the track (the server's Producer ID). */
  id: string;
  /** The publishing peer. */
  peerId: string;
  kind: MediaKind;
  /** Application-chosen name, unique per publisher (e.g. `camera`, `screen`). */
  name: string;
  source: TrackSource;
  /** True while the publisher has it muted (paused). */
  muted: boolean;
  /** Number of simulcast layers (1 without simulcast). */
  layers: number;
}

/** What a subscriber needs to create its mediasoup-client Consumer. */
export interface ConsumerInfo {
  id: string;
  trackId: string;
  peerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  /** True while the publisher has the track muted. */
  producerPaused: boolean;
}

/** Media requests a client sends, by method: parameters and result. */
export interface MediaRequests {
  /**
   * What the client's device can receive, once it has loaded the router's capabilities from the
   * join result; needed before `consume`. (A resuming client sends them with `join` instead.)
   */
  setRtpCapabilities: { params: { rtpCapabilities: RtpCapabilities }; result: Record<string, never> };
  /** Publishes a track on the send transport (needs the `publish` grant). */
  produce: {
    params: { transportId: string; kind: MediaKind; rtpParameters: RtpParameters; name: string; source: TrackSource };
    result: { id: string };
  };
  /** Stops publishing a track. */
  closeProducer: { params: { trackId: string }; result: Record<string, never> };
  /** Mutes (pauses) a published track. */
  pauseProducer: { params: { trackId: string }; result: Record<string, never> };
  /** Unmutes a published track. */
  resumeProducer: { params: { trackId: string }; result: Record<string, never> };
  /**
   * Subscribes to a track (needs the `subscribe` grant and RTP capabilities given at join). The
   * consumer starts paused; `resumeConsumer` once the client has set it up.
   */
  consume: { params: { trackId: string }; result: ConsumerInfo };
  resumeConsumer: { params: { consumerId: string }; result: Record<string, never> };
  pauseConsumer: { params: { consumerId: string }; result: Record<string, never> };
  closeConsumer: { params: { consumerId: string }; result: Record<string, never> };
  /** Asks for a simulcast layer (0 = lowest); the server switches when it is available. */
  setPreferredLayers: {
    params: { consumerId: string; spatialLayer: number; temporalLayer?: number };
    result: Record<string, never>;
  };
}

/** Media notifications the server pushes, by name. */
export interface MediaNotifications {
  trackPublished: { track: TrackInfo };
  trackUnpublished: { trackId: string; peerId: string };
  trackMuted: { trackId: string; peerId: string };
  trackUnmuted: { trackId: string; peerId: string };
  /** A consumer of ours closed on the server (its track went away). */
  consumerClosed: { consumerId: string; trackId: string };
  /** The simulcast layer a consumer of ours is receiving changed (null: none). */
  consumerLayersChanged: { consumerId: string; spatialLayer: number | null; temporalLayer: number | null };
  /** The loudest peer of the room changed. */
  activeSpeaker: { peerId: string };
}
