import { execFile } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
const run = promisify(execFile);

/** One package of `npm pack --json`'s answer. */
export interface PackResult {
  name: string;
  filename: string;
  files: { path: string }[];
}

/** Packs the repository's `workspaces` (e.g. `packages/sdk`) into `dir`, as a release does. */
export async function packWorkspaces(dir: string, workspaces: readonly string[]): Promise<PackResult[]> {
  // prepack builds each package and strips the `source` export condition from the packed manifest.
  const args = ['pack', ...workspaces.flatMap((workspace) => ['-w', workspace]), '--pack-destination', dir, '--json'];
  const { stdout } = await run('npm', args, { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as PackResult[];
}

/**
 * Makes npm, npx and installed bins run on this test's Node until the returned function is
 * called. The machine's own `node` may be another version (Debian 12 has 20): they start with
 * `#!/usr/bin/env node`, so this Node goes first on PATH; and under `npm test` run by the
 * machine's npm, its `npm_*` variables (`npm_node_execpath` among them) and `NODE` name that
 * other Node to every npm started below, so they are taken out. A user runs them on Node 22.
 */
export function thisNodeFirstOnPath(): () => void {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('npm_') || name === 'NODE') delete process.env[name];
  process.env.PATH = `${dirname(process.execPath)}${delimiter}${saved.PATH ?? ''}`;
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}
