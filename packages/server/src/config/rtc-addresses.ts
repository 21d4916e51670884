import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { configError } from './option-spec.js';
import type { ServerConfig } from './server-config.js';

// Interfaces of containers and virtual machines: their addresses are not what a browser on this
// machine or the LAN reaches the server at.
const VIRTUAL_INTERFACE = /^(docker|br-|virbr|veth|cni|flannel|cali|vmnet|vboxnet|tun|tap|wg)/;

/** `--rtc-lan-ip` as given: `auto`, `none` or an IP address. */
export function parseLanIp(raw: string): string {
  if (raw === 'auto' || raw === 'none' || isIP(raw) !== 0) return raw;
  throw configError(`--rtc-lan-ip must be auto, none or an IP address, got "${raw}"`);
}

/** True for 127.0.0.0/8, ::1 and `localhost`: addresses only this machine reaches. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || address === 'localhost';
}

/**
 * This machine's LAN IPv4 address: the first of a physical-looking interface that is neither
 * internal (loopback) nor link-local (169.254/16, no DHCP answer). Undefined on a machine
 * without one.
 */
export function lanAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | undefined {
  for (const [name, infos] of Object.entries(interfaces)) {
    if (VIRTUAL_INTERFACE.test(name)) continue;
    for (const info of infos ?? []) {
      if (info.family === 'IPv4' && !info.internal && !info.address.startsWith('169.254.')) return info.address;
    }
  }
  return undefined;
}

/**
 * Settles `rtcLanIp` to an address or undefined. Firefox never pairs its ICE candidates with a
 * server's loopback candidates (its `media.peerconnection.ice.loopback` pref does not change
 * that in Firefox ESR 153), so a development server on the default `--rtc-ip 127.0.0.1` also
 * listens on the machine's LAN address (`auto`): Chromium connects over loopback, Firefox over
 * the LAN address. Outside dev mode, or when `--rtc-ip`/`--rtc-announced-address` already name a
 * reachable address, `auto` adds nothing.
 */
export function withRtcLanIp(config: ServerConfig, interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>): ServerConfig {
  const given = config.rtcLanIp ?? (config.dev ? 'auto' : 'none');
  if (given === 'none') return { ...config, rtcLanIp: undefined };
  if (given !== 'auto') {
    if (given === config.rtcListenIp) throw configError(`--rtc-lan-ip ${given} is already the --rtc-ip`);
    return { ...config, rtcLanIp: given };
  }
  const loopbackOnly = isLoopback(config.rtcListenIp) && config.rtcAnnouncedAddress === undefined;
  return { ...config, rtcLanIp: loopbackOnly ? lanAddress(interfaces) : undefined };
}
