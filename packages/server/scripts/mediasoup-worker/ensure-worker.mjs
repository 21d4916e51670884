#!/usr/bin/env node
// Makes sure mediasoup has a working worker binary where it looks by default
// (<mediasoup>/worker/out/Release/mediasoup-worker).
//
// mediasoup's postinstall is never run here (without GitHub it falls back to
// PyPI, with pages of pip output and a failure), so the binary is, in order:
// already there (installed by that postinstall on a machine with internet), a
// build cached earlier, the worker mediasoup publishes for this version and
// platform (download-worker.mjs: seconds, with a bounded wait, used only if it
// runs here), or built from the installed package's source by build-worker.sh
// (minutes). Builds are cached outside the repo, keyed by mediasoup version and
// a hash of the build recipe: reinstalling node_modules costs a copy, and
// changing the recipe forces a rebuild.
//
// Usage: node packages/server/scripts/mediasoup-worker/ensure-worker.mjs
// Env: SWITCHBOARD_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/switchboard),
//      and mediasoup's download variables (see download-worker.mjs)

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { downloadWorker, DOWNLOAD_TIMEOUT_MS, publishedWorkerUrl } from './download-worker.mjs';

const RECIPE_DIR = path.dirname(fileURLToPath(import.meta.url));
const SERVER_DIR = path.resolve(RECIPE_DIR, '..', '..');
const PREFIX = '[mediasoup-worker]';

// mediasoup's own check (npm-scripts.mjs): started without MEDIASOUP_VERSION
// in its environment, a worker that can run on this host exits with 41.
const WORKER_SELF_CHECK_STATUS = 41;

/** @typedef {'existing' | 'cache' | 'download' | 'build'} Decision */

/**
 * What is tried, in order, given what is present; a failed download falls through to the build.
 * @param {{ targetValid: boolean, cacheValid: boolean, downloadAllowed: boolean }} state
 * @returns {Decision[]}
 */
export function planWorker({ targetValid, cacheValid, downloadAllowed }) {
  if (targetValid) return ['existing'];
  if (cacheValid) return ['cache'];
  return downloadAllowed ? ['download', 'build'] : ['build'];
}

/**
 * Fingerprint of everything that shapes the built binary besides mediasoup's
 * own source (which the version already pins).
 * @param {string} recipeDir
 * @returns {string} 16 hex chars
 */
export function recipeHash(recipeDir) {
  const files = ['build-worker.sh', 'patch-meson.py', ...listFiles(recipeDir, 'compat')].sort();
  const hash = createHash('sha256');
  for (const rel of files) {
    const file = path.join(recipeDir, rel);
    if (!fs.existsSync(file)) throw new Error(`recipe file missing: ${file}`);
    const content = fs.readFileSync(file);
    // Lengths keep the boundary between one file's path and contents and the
    // next file's unambiguous.
    hash.update(`${rel}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Relative paths (forward slashes, so the hash is platform independent) of
 * the files under recipeDir/sub.
 * @param {string} recipeDir
 * @param {string} sub
 * @returns {string[]}
 */
function listFiles(recipeDir, sub) {
  const dir = path.join(recipeDir, sub);
  if (!fs.existsSync(dir)) throw new Error(`recipe directory missing: ${dir}`);
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(recipeDir, path.join(entry.parentPath, entry.name)))
    .map((rel) => rel.split(path.sep).join('/'));
}

/** @param {string} binary */
export function validateWorker(binary) {
  const result = spawnSync(binary, [], { env: {}, stdio: 'ignore', timeout: 10_000 });
  return result.status === WORKER_SELF_CHECK_STATUS;
}

/**
 * @param {{ mediasoupDir: string, outFile: string, recipeDir: string }} args
 * @returns {Promise<void>}
 */
export function buildWorker({ mediasoupDir, outFile, recipeDir }) {
  const script = path.join(recipeDir, 'build-worker.sh');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, mediasoupDir, outFile], { stdio: 'inherit' });
    child.on('error', (err) => reject(new Error(`cannot run ${script}: ${err.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`build-worker.sh failed (${signal ?? `exit status ${code}`}); see its output above`));
    });
  });
}

// Resolved from packages/server because that is where the server's own
// `import 'mediasoup'` resolves from, whatever the cwd of this script.
function locateMediasoup() {
  const require = createRequire(path.join(SERVER_DIR, 'package.json'));
  let entry;
  try {
    // Not 'mediasoup/package.json': mediasoup's "exports" map does not list it.
    entry = require.resolve('mediasoup');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error(`the mediasoup package is not installed for ${SERVER_DIR}: install @switchboard/server (npm install) first`);
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkgFile = path.join(dir, 'package.json');
    if (fs.existsSync(pkgFile) && JSON.parse(fs.readFileSync(pkgFile, 'utf8')).name === 'mediasoup') return dir;
  }
  throw new Error(`no mediasoup package.json above ${entry}`);
}

function defaultCacheRoot() {
  if (process.env.SWITCHBOARD_CACHE_DIR) return process.env.SWITCHBOARD_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'switchboard');
}

/**
 * Copy without ever exposing a half-written binary at dest: a concurrent
 * mediasoup start (or ensure-worker run) sees either the old file or the new.
 * @param {string} src
 * @param {string} dest
 */
function installAtomically(src, dest) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp.${process.pid}`;
  try {
    fs.copyFileSync(src, tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, dest);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** @param {number} start */
function seconds(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

/**
 * @param {{
 *   mediasoupDir?: string,
 *   cacheRoot?: string,
 *   recipeDir?: string,
 *   build?: typeof buildWorker,
 *   validate?: (binary: string) => boolean,
 *   download?: { url?: string, timeoutMs?: number } | false,
 *   log?: (line: string) => void,
 * }} [options]
 * @returns {Promise<{ decision: Decision, binary: string }>}
 */
export async function ensureWorker({
  mediasoupDir = locateMediasoup(),
  cacheRoot = defaultCacheRoot(),
  recipeDir = RECIPE_DIR,
  build = buildWorker,
  validate = validateWorker,
  download = process.env.MEDIASOUP_SKIP_WORKER_PREBUILT_DOWNLOAD ? false : {},
  log = (line) => console.log(`${PREFIX} ${line}`),
} = {}) {
  const start = performance.now();
  const pkgFile = path.join(mediasoupDir, 'package.json');
  if (!fs.existsSync(pkgFile)) throw new Error(`mediasoup package.json not found at ${pkgFile}`);
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const { version } = pkg;
  const target = path.join(mediasoupDir, 'worker', 'out', 'Release', 'mediasoup-worker');
  const cached = path.join(cacheRoot, 'mediasoup-worker', `${version}-${recipeHash(recipeDir)}`, 'mediasoup-worker');
  const isValid = (/** @type {string} */ file) => fs.existsSync(file) && validate(file);

  const targetExists = fs.existsSync(target);
  const targetValid = targetExists && validate(target);
  const cacheExists = !targetValid && fs.existsSync(cached);
  const cacheValid = cacheExists && validate(cached);
  const plan = planWorker({ targetValid, cacheValid, downloadAllowed: download !== false });

  if (plan[0] === 'existing') {
    log(`using existing worker ${target} (mediasoup ${version}, ${seconds(start)})`);
    return { decision: 'existing', binary: target };
  }
  if (targetExists) log(`existing ${target} does not run on this host; replacing it`);
  if (cacheExists && !cacheValid) {
    log(`cached ${cached} does not run on this host; deleting it and rebuilding`);
    fs.rmSync(cached, { force: true });
  }

  if (plan[0] === 'download' && download !== false) {
    const url = download.url ?? publishedWorkerUrl({ repositoryUrl: pkg.repository?.url ?? '', version });
    const timeoutMs = download.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
    log(`trying the worker mediasoup publishes for ${version} on this platform (up to ${timeoutMs / 1000} s): ${url}`);
    const downloadStart = performance.now();
    const staged = `${target}.download.${process.pid}`;
    try {
      const result = await downloadWorker({ url, outFile: staged, validate, timeoutMs });
      if (result.ok) {
        fs.renameSync(staged, target);
        log(`installed the published worker ${target} (${seconds(start)})`);
        return { decision: 'download', binary: target };
      }
      log(`no usable published worker (${result.reason}, after ${seconds(downloadStart)}); building from source instead (a few minutes)`);
    } finally {
      fs.rmSync(staged, { force: true });
    }
  }

  if (plan[0] !== 'cache') {
    log(`no cached build for mediasoup ${version}; building into ${cached}`);
    const buildStart = performance.now();
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    await build({ mediasoupDir, outFile: cached, recipeDir });
    if (!isValid(cached)) {
      throw new Error(`the freshly built ${cached} is missing or fails mediasoup's self-check (exit status ${WORKER_SELF_CHECK_STATUS})`);
    }
    log(`built ${cached} (${seconds(buildStart)})`);
  }

  installAtomically(cached, target);
  if (!isValid(target)) throw new Error(`${target} fails mediasoup's self-check after copying it from ${cached}`);
  const decision = plan[0] === 'cache' ? 'cache' : 'build';
  log(`${decision === 'cache' ? 'using cached build' : 'installed new build'} ${cached} -> ${target} (${seconds(start)})`);
  return { decision, binary: target };
}

function isEntryPoint() {
  if (!process.argv[1]) return false;
  // realpath: import.meta.url is resolved through symlinks, argv[1] is not.
  return pathToFileURL(fs.realpathSync(process.argv[1])).href === import.meta.url;
}

if (isEntryPoint()) {
  if (process.env.MEDIASOUP_WORKER_BIN) {
    console.log(`${PREFIX} note: MEDIASOUP_WORKER_BIN=${process.env.MEDIASOUP_WORKER_BIN} is set; mediasoup will run that binary, not the one ensured here`);
  }
  ensureWorker().catch((err) => {
    console.error(`${PREFIX} error: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
