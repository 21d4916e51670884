import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const DEMO_ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Feature {
  name: string;
  pages: string[];
  live: boolean;
}

describe('demo feature list (npm run demo)', function () {
  const { features } = JSON.parse(readFileSync(`${DEMO_ROOT}/features.json`, 'utf8')) as { features: Feature[] };

  it('names only pages the demo has', function () {
    expect(features.length).to.be.above(0);
    for (const feature of features) {
      expect(feature.pages.length, feature.name).to.be.above(0);
      for (const page of feature.pages) expect(existsSync(`${DEMO_ROOT}/${page}`), `${feature.name}: ${page}`).to.equal(true);
    }
  });

  it('prints each feature with whether it is live', function () {
    const output = execFileSync(process.execPath, [`${DEMO_ROOT}/print-features.mjs`], { encoding: 'utf8' });
    for (const { name, live } of features) expect(output).to.contain(`${live ? '[live]' : '[not yet]'} ${name}`);
  });
});
