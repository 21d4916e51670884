import { assert } from 'chai';
import '../../../src/elements/index.js';
import type { SbDanmaku } from '../../../src/elements/index.js';
import { Cleanup, server, sleep, until, uniqueRoom, type TestServer } from './helpers.js';

describe('<sb-danmaku>', function () {
  this.timeout(20_000);
  let testServer: TestServer;
  const cleanup = new Cleanup();

  before(async () => {
    testServer = await server();
  });
  afterEach(() => cleanup.run());

  function mount(attributes = ''): SbDanmaku {
    const wrapper = cleanup.track(document.createElement('div'));
    wrapper.innerHTML = `<sb-danmaku ${attributes} style="width: 400px; height: 130px"></sb-danmaku>`;
    document.body.append(wrapper);
    return wrapper.querySelector('sb-danmaku')!;
  }

  const comments = (danmaku: SbDanmaku): HTMLElement[] => [...danmaku.shadowRoot!.querySelectorAll<HTMLElement>('[part~="comment"]')];

  function assertNoOverlap(danmaku: SbDanmaku): void {
    const rects = comments(danmaku).map((element) => ({ text: element.textContent, rect: element.getBoundingClientRect() }));
    for (let i = 0; i < rects.length; i++) {
      for (let j = i + 1; j < rects.length; j++) {
        const a = rects[i]!.rect;
        const b = rects[j]!.rect;
        const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
        assert.isFalse(overlap, `"${rects[i]!.text}" overlaps "${rects[j]!.text}"`);
      }
    }
  }

  it('shows comments received in the room, with their colour', async () => {
    const name = uniqueRoom('danmaku');
    const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', '<sb-danmaku style="width: 400px; height: 200px"></sb-danmaku>');
    const danmaku = element.querySelector('sb-danmaku')!;
    const bob = await cleanup.join(testServer.wsUrl, name, 'bob');
    await bob.send('comment', { text: 'first!', color: 'rgb(255, 0, 0)' });
    await bob.send('other', { text: 'not a comment' });
    await bob.send('comment', { text: '<b>x</b>', color: 'url(javascript:1)' });
    await until(() => comments(danmaku).length === 2, 'two comments on screen');
    const [first, second] = comments(danmaku);
    assert.equal(first!.textContent, 'first!');
    assert.equal(getComputedStyle(first!).color, 'rgb(255, 0, 0)');
    assert.equal(second!.textContent, '<b>x</b>');
    assert.equal(second!.style.color, '');
    assert.equal(danmaku.shadowRoot!.querySelector('[part="stage"]')!.getAttribute('aria-hidden'), 'true');
  });

  for (const flyHistory of [false, true]) {
    it(flyHistory ? 'flies the room\'s history too with history set' : 'keeps the room\'s history for a late joiner off the video', async () => {
      const name = uniqueRoom('danmaku-history');
      // Bob opens the room asking it to keep its last 20 messages, and comments before Alice comes.
      const bob = await cleanup.join(testServer.wsUrl, name, 'bob', undefined, 20);
      for (const text of ['said before', 'and before that']) await bob.send('comment', { text });
      const element = await cleanup.mountRoom(testServer.wsUrl, name, 'alice', `<sb-danmaku ${flyHistory ? 'history' : ''} style="width: 400px; height: 200px"></sb-danmaku>`);
      const danmaku = element.querySelector('sb-danmaku')!;
      await bob.send('comment', { text: 'said live' });
      await until(() => comments(danmaku).some((c) => c.textContent === 'said live'), 'the live comment');
      await sleep(200);
      const shown = comments(danmaku).map((c) => c.textContent).sort();
      assert.deepEqual(shown, flyHistory ? ['and before that', 'said before', 'said live'] : ['said live']);
    });
  }

  it('keeps its top row clear of the top edge', async () => {
    const danmaku = mount('motion="full"');
    await danmaku.updateComplete;
    danmaku.add({ text: 'top row' });
    const [comment] = comments(danmaku);
    assert.isAtLeast(comment!.getBoundingClientRect().top - danmaku.getBoundingClientRect().top, 6);
  });

  it('flies comments in rows without overlap, and caps how many are on screen', async () => {
    const danmaku = mount('motion="full" max="5" duration="3000"');
    await danmaku.updateComplete;
    const texts = ['short', 'a somewhat longer comment', 'mid length', 'x', 'the longest comment of them all, really', 'ok', 'seven', 'eight!'];
    for (let i = 0; i < 24; i++) danmaku.add({ text: `${texts[i % texts.length]} ${i}` });
    let most = 0;
    const rows = new Set<string>();
    for (let t = 0; t < 20; t++) {
      assertNoOverlap(danmaku);
      most = Math.max(most, danmaku.onScreen);
      assert.isAtMost(danmaku.onScreen, 5);
      for (const element of comments(danmaku)) rows.add(element.dataset.row!);
      await sleep(150);
    }
    assert.equal(most, 5, 'the cap is reached');
    assert.isAbove(rows.size, 1, 'several rows are used');
    // Moving: a scroll comment's position changes over time.
    const one = comments(danmaku)[0]!;
    const before = one.getBoundingClientRect().left;
    await sleep(200);
    assert.notEqual(one.getBoundingClientRect().left, before);
  });

  it('fades comments in place with reduced motion', async () => {
    const danmaku = mount('motion="reduced"');
    await danmaku.updateComplete;
    assert.isTrue(danmaku.reducedMotion);
    for (let i = 0; i < 4; i++) danmaku.add({ text: `calm ${i}` });
    await until(() => comments(danmaku).length === 4, 'four comments');
    const lefts = comments(danmaku).map((element) => element.getBoundingClientRect().left);
    await sleep(300);
    assert.deepEqual(comments(danmaku).map((element) => element.getBoundingClientRect().left), lefts);
    assert.isTrue(comments(danmaku).every((element) => (element.getAnimations()[0]!.effect as KeyframeEffect).getKeyframes().every((k) => k.transform === undefined)));
    assertNoOverlap(danmaku);
  });

  it('keeps top and bottom comments in place at their edge', async () => {
    const danmaku = mount('motion="full"');
    await danmaku.updateComplete;
    danmaku.add({ text: 'on top', position: 'top' });
    danmaku.add({ text: 'at the bottom', position: 'bottom' });
    await until(() => comments(danmaku).length === 2, 'two comments');
    // At the edges of the stage, which keeps clear of the video's edges (--sb-danmaku-inset).
    const stage = danmaku.shadowRoot!.querySelector('[part="stage"]')!.getBoundingClientRect();
    const [top, bottom] = comments(danmaku).map((element) => element.getBoundingClientRect());
    assert.approximately(top!.top, stage.top, 1);
    assert.approximately(bottom!.bottom, stage.bottom, bottom!.height);
    assert.isAbove(bottom!.top, top!.bottom);
  });

  it('pauses with the paused property', async () => {
    const danmaku = mount('motion="full" duration="4000"');
    await danmaku.updateComplete;
    danmaku.add({ text: 'hold still' });
    await until(() => comments(danmaku).length === 1, 'a comment');
    danmaku.paused = true;
    await danmaku.updateComplete;
    const left = comments(danmaku)[0]!.getBoundingClientRect().left;
    await sleep(300);
    assert.equal(comments(danmaku)[0]!.getBoundingClientRect().left, left);
    danmaku.paused = false;
    await danmaku.updateComplete;
    await sleep(300);
    assert.notEqual(comments(danmaku)[0]!.getBoundingClientRect().left, left);
  });
});
