#!/usr/bin/env node
// Run by each package's prepack/postpack: the packed package.json must not carry the `source`
// export condition, which points workspace tools (mocha, esbuild, Vite) at src/*.ts. src/ is
// not in the tarball, so a consumer whose bundler or TypeScript enables a `source` condition
// would otherwise resolve to files that do not exist.
//
// Usage (in a package directory): node ../../scripts/publish-manifest.mjs strip|restore
import fs from 'node:fs';

const MANIFEST = 'package.json';
const BACKUP = '.package.json.unpacked';

function strip() {
  // A pack that failed between prepack and postpack left the stripped file: start from the original.
  if (fs.existsSync(BACKUP)) fs.copyFileSync(BACKUP, MANIFEST);
  const text = fs.readFileSync(MANIFEST, 'utf8');
  fs.writeFileSync(BACKUP, text);
  const manifest = JSON.parse(text);
  for (const target of Object.values(manifest.exports ?? {})) {
    if (typeof target === 'object' && target !== null) delete target.source;
  }
  fs.writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
}

function restore() {
  if (!fs.existsSync(BACKUP)) return;
  fs.copyFileSync(BACKUP, MANIFEST);
  fs.rmSync(BACKUP);
}

const command = process.argv[2];
if (command === 'strip') strip();
else if (command === 'restore') restore();
else {
  console.error('usage: publish-manifest.mjs strip|restore');
  process.exit(2);
}
