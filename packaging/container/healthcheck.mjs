// The image's HEALTHCHECK: GET /healthz of the server in this container; exit 0 when it answers
// 200 ("ok"), 1 otherwise (503 "degraded": no live mediasoup worker; no answer within 2 s).
// The address comes from the settings the server itself read: the flags it was started with
// (the command line of process 1), the SWITCHBOARD_* environment and the config file, through
// the server's own loadConfig, so a port or TLS set in a mounted file is probed where it is.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

// The server package's config module only, beside its entry point (dist/config.js, or
// src/config.ts in this repository): the whole package would load mediasoup and uWebSockets.js,
// about a second of CPU on every probe.
const configModule = import.meta.resolve('@switchboard/server').replace(/\/index\.(js|ts)$/, '/config.$1');
const { loadConfig } = await import(configModule);

// Process 1's arguments after the server's entry point; none when something else is process 1
// (e.g. `podman run --init`): then the environment and the file say it all.
function serverFlags() {
  const argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter((arg) => arg !== '');
  const entry = argv.findIndex((arg) => /switchboard-server$|server\/dist\/main\.js$/.test(arg));
  return entry === -1 ? [] : argv.slice(entry + 1);
}

function probeUrl() {
  if (process.env.SWITCHBOARD_HEALTH_URL) return process.env.SWITCHBOARD_HEALTH_URL;
  const config = loadConfig(serverFlags(), process.env);
  // A wildcard listener answers on loopback.
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  const scheme = config.tlsCert === undefined ? 'http' : 'https';
  return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${config.port}/healthz`;
}

const url = new URL(probeUrl());
const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
// The certificate is for the public name, not loopback: this probe checks health, not TLS.
const probe = request(url, { timeout: 2000, rejectUnauthorized: false }, (response) => {
  response.resume();
  console.log(`${url.href}: ${response.statusCode}`);
  process.exit(response.statusCode === 200 ? 0 : 1);
});
probe.on('timeout', () => probe.destroy(new Error('no answer within 2 s')));
probe.on('error', (error) => {
  console.log(`${url.href}: ${error.message}`);
  process.exit(1);
});
probe.end();
