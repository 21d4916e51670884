import type { RouterRtpCodecCapability } from 'mediasoup/types';

/**
 * Codecs every room's router offers: Opus for audio; VP8 (simulcast-friendly, every browser),
 * H264 constrained baseline (hardware encoders, Safari) and VP9 for video. Clients pick what
 * they publish; subscribers get what their capabilities allow.
 */
export const MEDIA_CODECS: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
  },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
];
