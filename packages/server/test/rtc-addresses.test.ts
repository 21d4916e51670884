import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { loadConfig } from '../src/config.js';
import { isLoopback, lanAddress, withRtcLanIp } from '../src/config/rtc-addresses.js';

// Interface tables as os.networkInterfaces() returns them; no address here is ever contacted.
function iface(address: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}
const LAPTOP = {
  lo: [iface('127.0.0.1', true)],
  docker0: [iface('172.17.0.1')],
  wlan0: [{ ...iface('fe80::1'), family: 'IPv6', scopeid: 3 } as NetworkInterfaceInfo, iface('192.168.1.23')],
};

describe('WebRTC addresses (--rtc-ip, --rtc-lan-ip)', () => {
  it('finds the LAN IPv4 address, skipping loopback, container bridges, link-local and IPv6', () => {
    assert.equal(lanAddress(LAPTOP), '192.168.1.23');
    assert.equal(lanAddress({ eth0: [iface('169.254.3.4'), iface('10.1.2.3')] }), '10.1.2.3');
    assert.equal(lanAddress({ lo: [iface('127.0.0.1', true)], docker0: [iface('172.17.0.1')] }), undefined);
  });

  it('in dev mode on loopback, also listens on the LAN address (auto), so Firefox can connect', () => {
    const config = loadConfig(['--dev'], {});
    assert.equal(config.rtcListenIp, '127.0.0.1');
    assert.equal(withRtcLanIp({ ...config, rtcLanIp: undefined }, LAPTOP).rtcLanIp, '192.168.1.23');
    assert.equal(withRtcLanIp({ ...config, rtcLanIp: 'auto' }, LAPTOP).rtcLanIp, '192.168.1.23');
    // A machine with no LAN address stays on loopback (the server then warns that Firefox cannot join).
    assert.equal(withRtcLanIp({ ...config, rtcLanIp: undefined }, { lo: LAPTOP.lo }).rtcLanIp, undefined);
  });

  it('adds nothing outside dev mode, with none, or when --rtc-ip/--rtc-announced-address are reachable', () => {
    const dev = loadConfig(['--dev', '--rtc-lan-ip', 'none'], {});
    assert.equal(dev.rtcLanIp, undefined);
    const production = { ...dev, dev: false, rtcLanIp: undefined };
    assert.equal(withRtcLanIp(production, LAPTOP).rtcLanIp, undefined);
    assert.equal(withRtcLanIp({ ...dev, rtcLanIp: undefined, rtcListenIp: '0.0.0.0', rtcAnnouncedAddress: 'media.example.com' }, LAPTOP).rtcLanIp, undefined);
    assert.equal(withRtcLanIp({ ...dev, rtcLanIp: undefined, rtcListenIp: '192.168.1.23' }, LAPTOP).rtcLanIp, undefined);
  });

  it('takes an explicit address, and refuses anything else with a clear error', () => {
    assert.equal(loadConfig(['--dev', '--rtc-lan-ip', '127.0.0.2'], {}).rtcLanIp, '127.0.0.2');
    assert.equal(loadConfig(['--dev'], { SWITCHBOARD_RTC_LAN_IP: 'none' }).rtcLanIp, undefined);
    assert.throws(() => loadConfig(['--dev', '--rtc-lan-ip', 'eth0'], {}), { code: 'CONFIG_INVALID', message: /--rtc-lan-ip must be auto, none or an IP address/ });
    assert.throws(() => loadConfig(['--dev', '--rtc-lan-ip', '127.0.0.1'], {}), { code: 'CONFIG_INVALID', message: /already the --rtc-ip/ });
  });

  it('tells loopback addresses apart', () => {
    assert.deepEqual(['127.0.0.1', '127.8.9.10', '::1', 'localhost', '192.168.1.23', '::ffff:10.0.0.1'].map(isLoopback), [true, true, true, true, false, false]);
  });
});
