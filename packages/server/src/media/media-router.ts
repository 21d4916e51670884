import type { ActiveSpeakerObserver, Consumer, Producer, Router, RtpCapabilities, WebRtcTransport } from 'mediasoup/types';
import {
  SwitchboardError,
  type ConsumerInfo,
  type MediaRequests,
  type NotificationName,
  type ServerNotifications,
  type TrackInfo,
  type TrackSource,
} from '@switchboard/sdk/protocol';
import type { Logger } from '../log.js';
import type { Peer } from '../rooms/peer.js';
import { ProducerPipes, type PipeRelease } from './producer-pipes.js';
import type { RemoteProducers } from './remote-producers.js';
import { VideoStarts } from './video-starts.js';

type Params<M extends keyof MediaRequests> = MediaRequests[M]['params'];

/** How the media plane reaches the room's peers. */
export interface MediaRoomLink {
  /** Sends a notification to every connected peer but `except`. */
  broadcast<N extends NotificationName>(method: N, data: ServerNotifications[N], except?: Peer): void;
  /** The peer's tracks changed (published, unpublished, muted, unmuted): its cluster record follows. */
  tracksChanged(peer: Peer): void;
  logger: Logger;
  /** The room's name, which other nodes' tracks are looked up in. */
  room: string;
  /** Tracks of other nodes (cluster mode); without it only this node's tracks can be played. */
  remote?: RemoteProducers | undefined;
}

/** How the media plane treats its tracks. */
export interface MediaOptions {
  /**
   * Window in which a video track's key frame requests are merged into one, in ms (mediasoup's
   * `keyFrameRequestDelay`). A browser ignores a request made within 300 ms of the previous one,
   * so without it a viewer joining just after another waits for mediasoup's retry, a second later.
   */
  keyFrameRequestDelayMs: number;
  /** Longest a new viewer's video is held to start with others arriving at the same time, in ms (0 = never). */
  videoStartHoldMs: number;
}

interface PeerMedia {
  readonly producers: Map<string, Producer>;
  readonly consumers: Map<string, Consumer>;
  rtpCapabilities: RtpCapabilities | undefined;
}

interface Speakers {
  readonly observer: ActiveSpeakerObserver;
  readonly router: Router;
}

/**
 * A room's audio and video: the tracks peers publish (mediasoup Producers on their send
 * transports) and the subscriptions to them (Consumers, created paused and resumed by the
 * subscriber once it is ready), plus the room's active speaker. Peers may be on different
 * routers (workers): a track is piped to a subscriber's router, and every microphone to the one
 * router that observes the active speaker. Grants are checked here.
 */
export class MediaRouter {
  private readonly media = new Map<Peer, PeerMedia>();
  /** The router each published track lives on. */
  private readonly origins = new Map<string, Router>();
  private readonly pipes = new ProducerPipes();
  private readonly starts: VideoStarts;
  private speakers: Promise<Speakers> | undefined;

  constructor(
    private readonly link: MediaRoomLink,
    private readonly options: MediaOptions,
  ) {
    this.starts = new VideoStarts({ holdMs: options.videoStartHoldMs });
  }

  /** Handles one media request of `peer`, whose transports and their router are given. */
  async handle<M extends keyof MediaRequests>(
    peer: Peer,
    on: { send: WebRtcTransport | undefined; recv: WebRtcTransport; router: Router },
    method: M,
    params: MediaRequests[M]['params'],
  ): Promise<MediaRequests[M]['result']> {
    // One shape for every request's fields; each case reads only its own.
    const p = params as Params<'produce'> & Params<'setPreferredLayers'> & Params<'setRtpCapabilities'> & { trackId: string };
    let result: unknown = {};
    switch (method) {
      case 'setRtpCapabilities':
        this.setCapabilities(peer, p.rtpCapabilities as RtpCapabilities);
        break;
      case 'produce':
        if (!on.send || p.transportId !== on.send.id) throw new SwitchboardError('NOT_FOUND', `no send transport ${p.transportId}`);
        result = await this.produce(peer, on.send, on.router, p);
        break;
      case 'closeProducer':
        this.producerOf(peer, p.trackId).close();
        break;
      case 'pauseProducer':
      case 'resumeProducer':
        await this.setProducerPaused(peer, p.trackId, method === 'pauseProducer');
        break;
      case 'consume':
        result = await this.consume(peer, on.recv, on.router, p.trackId);
        break;
      case 'resumeConsumer':
      case 'pauseConsumer':
        await this.setConsumerPaused(peer, p.consumerId, method === 'pauseConsumer');
        break;
      case 'closeConsumer':
        this.closeConsumer(peer, p.consumerId);
        break;
      default:
        await this.setPreferredLayers(peer, p);
    }
    return result as MediaRequests[M]['result'];
  }

  /** Every published track of the room. */
  tracks(): TrackInfo[] {
    return [...this.media.values()].flatMap((m) => [...m.producers.values()].map(trackInfo));
  }

  /** The tracks one peer publishes. */
  tracksOf(peer: Peer): TrackInfo[] {
    return [...(this.media.get(peer)?.producers.values() ?? [])].map(trackInfo);
  }

  /** Remembers what the peer's device can receive (from its join). */
  setCapabilities(peer: Peer, rtpCapabilities: RtpCapabilities | undefined): void {
    this.of(peer).rtpCapabilities = rtpCapabilities;
  }

  /** Publishes a track on the peer's send transport and tells the room. */
  private async produce(peer: Peer, transport: WebRtcTransport, router: Router, params: Params<'produce'>): Promise<{ id: string }> {
    if (!peer.grants.publish) throw new SwitchboardError('PERMISSION_DENIED', 'this token does not grant publish');
    const media = this.of(peer);
    for (const existing of media.producers.values()) {
      if ((existing.appData as { name: string }).name === params.name) {
        throw new SwitchboardError('ALREADY_JOINED', `a track named "${params.name}" is already published`);
      }
    }
    const producer = await transport.produce({
      kind: params.kind,
      rtpParameters: params.rtpParameters as Parameters<WebRtcTransport['produce']>[0]['rtpParameters'],
      keyFrameRequestDelay: params.kind === 'video' ? this.options.keyFrameRequestDelayMs : 0,
      appData: { peerId: peer.id, name: params.name, source: params.source },
    });
    media.producers.set(producer.id, producer);
    this.origins.set(producer.id, router);
    this.link.remote?.published(this.link.room, producer, router);
    // The transport closing (a dropped connection) ends its tracks like an explicit unpublish.
    producer.observer.once('close', () => {
      media.producers.delete(producer.id);
      this.origins.delete(producer.id);
      this.link.broadcast('trackUnpublished', { trackId: producer.id, peerId: peer.id });
      this.link.tracksChanged(peer);
    });
    // The active speaker is a nicety: a failure here must not fail the publication.
    if (producer.kind === 'audio') await this.observeSpeaker(producer, router).catch(() => undefined);
    this.link.broadcast('trackPublished', { track: trackInfo(producer) }, peer);
    this.link.tracksChanged(peer);
    return { id: producer.id };
  }

  /** Mutes or unmutes one of the peer's tracks; subscribers are told. */
  private async setProducerPaused(peer: Peer, trackId: string, paused: boolean): Promise<void> {
    const producer = this.producerOf(peer, trackId);
    if (paused) await producer.pause();
    else await producer.resume();
    this.link.broadcast(paused ? 'trackMuted' : 'trackUnmuted', { trackId, peerId: peer.id }, peer);
    this.link.tracksChanged(peer);
  }

  /** Subscribes the peer to a track, on its receive transport; the consumer starts paused. */
  private async consume(peer: Peer, transport: WebRtcTransport, router: Router, trackId: string): Promise<ConsumerInfo> {
    if (!peer.grants.subscribe) throw new SwitchboardError('PERMISSION_DENIED', 'this token does not grant subscribe');
    const media = this.of(peer);
    const rtpCapabilities = media.rtpCapabilities;
    if (!rtpCapabilities) {
      throw new SwitchboardError('UNSUPPORTED', 'this device cannot receive that track (call setRtpCapabilities first; or no common codec)');
    }
    const { producer, release } = await this.holdOn(trackId, router);
    let consumer: Consumer;
    try {
      if (!router.canConsume({ producerId: trackId, rtpCapabilities })) {
        throw new SwitchboardError('UNSUPPORTED', 'this device cannot receive that track (no common codec)');
      }
      consumer = await transport.consume({ producerId: trackId, rtpCapabilities, paused: true, appData: { peerId: peer.id } });
    } catch (error) {
      release();
      throw error;
    }
    consumer.observer.once('close', release);
    media.consumers.set(consumer.id, consumer);
    this.starts.created(consumer);
    const connection = () => peer.connection;
    consumer.on('producerclose', () => {
      media.consumers.delete(consumer.id);
      connection()?.notify('consumerClosed', { consumerId: consumer.id, trackId });
    });
    consumer.on('transportclose', () => media.consumers.delete(consumer.id));
    consumer.on('layerschange', (layers) => {
      connection()?.notify('consumerLayersChanged', {
        consumerId: consumer.id,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      });
    });
    const owner = (producer.appData as { peerId: string }).peerId;
    return {
      id: consumer.id,
      trackId,
      peerId: owner,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters as ConsumerInfo['rtpParameters'],
      producerPaused: consumer.producerPaused,
    };
  }

  // Makes the track consumable on `router`: piped from another worker of this node, or from
  // another node (cluster mode) when no local peer publishes it.
  private async holdOn(trackId: string, router: Router): Promise<{ producer: Producer; release: PipeRelease }> {
    const producer = this.findProducer(trackId);
    const origin = this.origins.get(trackId);
    if (producer && origin) return { producer, release: await this.pipes.hold(producer, origin, router) };
    if (!this.link.remote) throw new SwitchboardError('NOT_FOUND', `no track ${trackId} in this room`);
    return this.link.remote.hold(this.link.room, trackId, router);
  }

  /** Resumes or pauses one of the peer's consumers. */
  private async setConsumerPaused(peer: Peer, consumerId: string, paused: boolean): Promise<void> {
    const consumer = this.consumerOf(peer, consumerId);
    if (paused) {
      this.starts.paused(consumer);
      await consumer.pause();
    } else {
      await this.starts.resume(consumer);
    }
  }

  /** Closes one of the peer's consumers. */
  private closeConsumer(peer: Peer, consumerId: string): void {
    const consumer = this.consumerOf(peer, consumerId);
    consumer.close();
    this.media.get(peer)?.consumers.delete(consumerId);
  }

  /** Asks for a simulcast layer for one of the peer's consumers. */
  private async setPreferredLayers(peer: Peer, params: Params<'setPreferredLayers'>): Promise<void> {
    const consumer = this.consumerOf(peer, params.consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') {
      throw new SwitchboardError('UNSUPPORTED', 'that track has no layers to choose from');
    }
    await consumer.setPreferredLayers({
      spatialLayer: params.spatialLayer,
      ...(params.temporalLayer === undefined ? {} : { temporalLayer: params.temporalLayer }),
    });
  }

  // Adds a microphone to the room's active speaker observer, piping it to the observer's router
  // if it lives elsewhere; the observer is created on the first microphone's router.
  private async observeSpeaker(producer: Producer, origin: Router): Promise<void> {
    const speakers = await (this.speakers ??= this.createSpeakers(origin));
    const release = await this.pipes.hold(producer, origin, speakers.router);
    producer.observer.once('close', release);
    if (producer.closed) return;
    await speakers.observer.addProducer({ producerId: producer.id });
  }

  private createSpeakers(router: Router): Promise<Speakers> {
    const created = router.createActiveSpeakerObserver({ interval: 300 }).then((observer) => {
      observer.on('dominantspeaker', ({ producer }) => {
        const peerId = (producer.appData as { peerId?: string }).peerId;
        if (peerId) this.link.broadcast('activeSpeaker', { peerId });
      });
      // Its router closed (no peer left on it, or its worker died): observe again elsewhere.
      observer.observer.once('close', () => {
        if (this.speakers !== created) return;
        this.speakers = undefined;
        for (const [id, origin] of this.origins) {
          const microphone = this.findProducer(id);
          if (microphone?.kind === 'audio' && !origin.closed) void this.observeSpeaker(microphone, origin).catch(() => undefined);
        }
      });
      return { observer, router };
    });
    created.catch(() => this.speakers === created && (this.speakers = undefined));
    return created;
  }

  /** Counts for `/metrics`. */
  counts(): { producers: number; consumers: number } {
    let producers = 0;
    let consumers = 0;
    for (const media of this.media.values()) {
      producers += media.producers.size;
      consumers += media.consumers.size;
    }
    return { producers, consumers };
  }

  /** Ends the peer's tracks once it may no longer publish, its subscriptions once it may no longer subscribe. */
  grantsChanged(peer: Peer): void {
    const media = this.media.get(peer);
    if (!media) return;
    if (!peer.grants.publish) for (const producer of [...media.producers.values()]) producer.close();
    if (peer.grants.subscribe) return;
    for (const consumer of [...media.consumers.values()]) {
      consumer.close();
      media.consumers.delete(consumer.id);
      peer.connection?.notify('consumerClosed', { consumerId: consumer.id, trackId: consumer.producerId });
    }
  }

  /** The peer's connection is gone: its tracks end now, whenever its transports close. */
  endTracks(peer: Peer): void {
    for (const producer of [...(this.media.get(peer)?.producers.values() ?? [])]) producer.close();
  }

  /** Forgets a peer that left (its tracks ended and its transports are closing). */
  removePeer(peer: Peer): void {
    this.media.delete(peer);
  }

  private of(peer: Peer): PeerMedia {
    let media = this.media.get(peer);
    if (!media) {
      media = { producers: new Map(), consumers: new Map(), rtpCapabilities: undefined };
      this.media.set(peer, media);
    }
    return media;
  }

  private findProducer(trackId: string): Producer | undefined {
    for (const media of this.media.values()) {
      const producer = media.producers.get(trackId);
      if (producer) return producer;
    }
    return undefined;
  }

  private producerOf(peer: Peer, trackId: string): Producer {
    const producer = this.media.get(peer)?.producers.get(trackId);
    if (!producer) throw new SwitchboardError('NOT_FOUND', `you publish no track ${trackId}`);
    return producer;
  }

  private consumerOf(peer: Peer, consumerId: string): Consumer {
    const consumer = this.media.get(peer)?.consumers.get(consumerId);
    if (!consumer) throw new SwitchboardError('NOT_FOUND', `you have no consumer ${consumerId}`);
    return consumer;
  }
}

function trackInfo(producer: Producer): TrackInfo {
  const appData = producer.appData as { peerId: string; name: string; source: TrackSource };
  return {
    id: producer.id,
    peerId: appData.peerId,
    kind: producer.kind,
    name: appData.name,
    source: appData.source,
    muted: producer.paused,
    layers: Math.max(1, producer.rtpParameters.encodings?.length ?? 1),
  };
}
