import type { Device } from 'mediasoup-client';
import type { ProducerOptions, RtpCodecCapability, RtpEncodingParameters } from 'mediasoup-client/types';
import type { TrackSource } from '../protocol/index.js';
import type { ProduceAppData } from '../transport/rtc-session.js';
import { capturedSource } from './media-devices.js';
import { TrackError } from './track-errors.js';

/** A video codec the server's router offers. */
export type VideoCodec = 'vp8' | 'h264' | 'vp9';

/** Options of `room.publish`. */
export interface PublishOptions {
  /**
   * Name of the track, unique among this peer's tracks; subscribers see it, and it identifies the
   * track across reconnects. Default: the source (`camera`, `microphone`, `screen`), or the kind
   * (`video`, `audio`) for a `custom` source.
   */
  name?: string;
  /**
   * What the track shows. Default: what {@link openCamera}, {@link openMicrophone} or
   * {@link openScreen} opened; otherwise guessed from the track's settings (a display surface is
   * a screen, a capture device a camera or microphone), else `custom`.
   */
  source?: TrackSource;
  /**
   * Video only: send several layers so that each subscriber gets the one its bandwidth allows
   * and can choose with `setPreferredLayers` (default true in browsers, false in Node). Three
   * layers (1/4, 1/2 and full resolution) from 960×540, two (1/4 and full) from 480×270, one
   * below. With `vp9`, the layers are SVC layers of one stream instead.
   */
  simulcast?: boolean;
  /** Video only: the codec to send (default: the browser's first choice, usually VP8). */
  codec?: VideoCodec;
}

/** A publication's settings, defaults applied. */
export interface Publication {
  name: string;
  source: TrackSource;
  simulcast: boolean;
  codec: VideoCodec | undefined;
}

// Simulcast layers: a quarter, a half and the full resolution, with bitrate caps enough for
// 180p, 360p and 720p of camera video.
const QUARTER: RtpEncodingParameters = { scaleResolutionDownBy: 4, maxBitrate: 150_000 };
const HALF: RtpEncodingParameters = { scaleResolutionDownBy: 2, maxBitrate: 500_000 };
const FULL: RtpEncodingParameters = { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 };
// VP9 scales inside one stream (SVC); mediasoup forwards its layers like simulcast ones, and
// libwebrtc drops spatial layers too small to be useful by itself.
const SVC: RtpEncodingParameters = { scalabilityMode: 'L3T3_KEY', maxBitrate: 1_500_000 };

/**
 * Applies the defaults to `options` (`simulcast` for video: `simulcastByDefault`) and checks them
 * against `track`; throws {@link TrackError}.
 */
export function resolvePublication(track: MediaStreamTrack, options: PublishOptions, simulcastByDefault: boolean): Publication {
  if (track.readyState === 'ended') throw new TrackError('MALFORMED', 'cannot publish a track that has ended');
  if (track.kind !== 'audio' && track.kind !== 'video') throw new TrackError('MALFORMED', `cannot publish a track of kind "${track.kind}"`);
  if (track.kind === 'audio' && options.codec !== undefined) throw new TrackError('MALFORMED', 'codec applies to video tracks only');
  const source = options.source ?? guessSource(track);
  const name = options.name ?? (source === 'custom' ? track.kind : source);
  if (name === '') throw new TrackError('MALFORMED', 'a track name cannot be empty');
  return { name, source, simulcast: track.kind === 'video' && (options.simulcast ?? simulcastByDefault), codec: options.codec };
}

/** What `transport.produce` gets for `track`; throws {@link TrackError} `UNSUPPORTED` for a codec the device lacks. */
export function producerOptions(track: MediaStreamTrack, publication: Publication, device: Device): ProducerOptions<ProduceAppData> {
  const codec = publication.codec === undefined ? undefined : findCodec(device, publication.codec);
  const encodings = !publication.simulcast ? undefined : publication.codec === 'vp9' ? [SVC] : simulcastLayers(settingsOf(track));
  return {
    track,
    ...(encodings === undefined ? {} : { encodings: encodings.map((encoding) => ({ ...encoding })) }),
    ...(codec === undefined ? {} : { codec }),
    // The application owns its tracks: a dropped connection must not stop the camera, which the
    // next connection publishes again.
    stopTracks: false,
    appData: { name: publication.name, source: publication.source },
  };
}

function findCodec(device: Device, codec: VideoCodec): RtpCodecCapability {
  const mimeType = `video/${codec}`;
  const found = device.rtpCapabilities.codecs?.find((candidate) => candidate.mimeType.toLowerCase() === mimeType);
  if (found === undefined) throw new TrackError('UNSUPPORTED', `this browser and the server have no ${codec.toUpperCase()} codec in common`);
  return found;
}

/**
 * The simulcast layers for a video of the given size, or undefined for one layer. libwebrtc
 * (Chrome, and wrtc in Node) sends only as many layers as the size allows, three from 960×540,
 * two from 480×270, one below, and drops the top ones: three layers at 640×480 would never send
 * the full resolution. So the top layer is always the full resolution and the lowest a quarter.
 */
function simulcastLayers({ width, height }: MediaTrackSettings): RtpEncodingParameters[] | undefined {
  // Without a size (nothing reported yet), assume a camera's usual 720p.
  const pixels = width !== undefined && height !== undefined ? width * height : 1280 * 720;
  if (pixels >= 960 * 540) return [QUARTER, HALF, FULL];
  if (pixels >= 480 * 270) return [QUARTER, FULL];
  return undefined;
}

function settingsOf(track: MediaStreamTrack): MediaTrackSettings {
  // Not every implementation has getSettings.
  return typeof track.getSettings === 'function' ? track.getSettings() : {};
}

function guessSource(track: MediaStreamTrack): TrackSource {
  const opened = capturedSource(track);
  if (opened !== undefined) return opened;
  const settings = settingsOf(track);
  if ('displaySurface' in settings) return 'screen';
  if (settings.deviceId) return track.kind === 'audio' ? 'microphone' : 'camera';
  return 'custom';
}
