import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs `script` as an ES module in a fresh Node process, as Next or Astro would load the SDK; returns its last line, parsed. */
async function inFreshNode(script: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: REPO },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}

const ALL = ['sb-room', 'sb-danmaku', 'sb-comment-box', 'sb-peer-list', 'sb-video', 'sb-video-grid', 'sb-publisher', 'sb-controlled-player', 'sb-remote-control'];
const DATA_ONLY = ALL.filter((tag) => !['sb-video', 'sb-video-grid', 'sb-publisher'].includes(tag));

/**
 * A script that renders every tag of `tags` inside an `<sb-room>` with @lit-labs/ssr, and prints
 * for each whether it is registered and whether its shadow root was rendered, and the markup.
 */
function renderScript(entry: string, tags: string[]): string {
  const inner = tags.filter((tag) => tag !== 'sb-room').map((tag) => `<${tag}></${tag}>`).join('');
  return `
    import { render } from '@lit-labs/ssr';
    import { collectResult } from '@lit-labs/ssr/lib/render-result.js';
    import { html, unsafeStatic } from 'lit/static-html.js';
    await import('${entry}');
    const markup = await collectResult(render(html\`\${unsafeStatic('<sb-room url="wss://rtc.example.com" token="t">${inner}</sb-room>')}\`));
    const tags = ${JSON.stringify(tags)};
    console.log(JSON.stringify({
      dom: typeof document !== 'undefined',
      registered: tags.filter((tag) => customElements.get(tag) !== undefined),
      rendered: tags.filter((tag) => new RegExp('<' + tag + '[^>]*>\\\\s*<template shadowroot(mode)?="open"').test(markup)),
      markup,
    }));`;
}

describe('elements under Node (server-side rendering)', function () {
  this.timeout(30000);

  it('imports @switchboard/sdk/elements without a DOM, registers every element in Lit\'s registry shim, and exports the classes', async () => {
    const script = `
      const elements = await import('@switchboard/sdk/elements');
      console.log(JSON.stringify({
        dom: typeof document !== 'undefined',
        defined: ${JSON.stringify(ALL)}.filter((tag) => globalThis.customElements?.get(tag) !== undefined),
        classes: ['SbRoom', 'SbDanmaku', 'SbVideo', 'SbPublisher'].filter((name) => typeof elements[name] === 'function'),
      }));`;
    assert.deepEqual(await inFreshNode(script), { dom: false, defined: ALL, classes: ['SbRoom', 'SbDanmaku', 'SbVideo', 'SbPublisher'] });
  });

  it('renders every element with @lit-labs/ssr, each with its shadow root, and touches no browser API', async () => {
    const result = (await inFreshNode(renderScript('@switchboard/sdk/elements', ALL))) as { dom: boolean; registered: string[]; rendered: string[]; markup: string };
    assert.equal(result.dom, false);
    assert.deepEqual(result.registered, ALL);
    assert.deepEqual(result.rendered, ALL, result.markup);
    // What each shows before the browser takes over: the room's status, danmaku's live log.
    assert.match(result.markup, /part="status"[^>]*>(<!--[^>]*-->)*Not connected/);
    assert.match(result.markup, /role="log" aria-label="Live comments"/);
  });

  it('renders the data-only elements (@switchboard/sdk/elements/data) the same way', async () => {
    const result = (await inFreshNode(renderScript('@switchboard/sdk/elements/data', DATA_ONLY))) as { registered: string[]; rendered: string[]; markup: string };
    assert.deepEqual(result.registered, DATA_ONLY);
    assert.deepEqual(result.rendered, DATA_ONLY, result.markup);
  });
});
