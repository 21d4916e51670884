import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

describe('elements under Node (server-side rendering)', function () {
  this.timeout(20000);

  it('imports @switchboard/sdk/elements without a DOM, defining nothing, and exports the element classes', async () => {
    // A fresh Node process, as Next or Astro would load the module: no document.
    const script = `
      const elements = await import('@switchboard/sdk/elements');
      console.log(JSON.stringify({
        dom: typeof document !== 'undefined',
        // Lit's Node build may install a registry shim; nothing is defined in it either way.
        defined: globalThis.customElements?.get('sb-room') !== undefined,
        classes: ['SbRoom', 'SbDanmaku', 'SbVideo', 'SbPublisher'].filter((name) => typeof elements[name] === 'function'),
      }));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: REPO },
    );
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''), { dom: false, defined: false, classes: ['SbRoom', 'SbDanmaku', 'SbVideo', 'SbPublisher'] });
  });
});
