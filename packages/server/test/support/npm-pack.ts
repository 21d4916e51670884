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
 * Puts this test's Node first on PATH until the returned function is called. The machine's own
 * `node` may be another version (Debian 12 has 20), and npm, npx and installed bins start with
 * `#!/usr/bin/env node`: a user runs them on the Node 22 the packages require.
 */
export function thisNodeFirstOnPath(): () => void {
  const machinePath = process.env.PATH;
  process.env.PATH = `${dirname(process.execPath)}${delimiter}${machinePath ?? ''}`;
  return () => {
    process.env.PATH = machinePath;
  };
}
