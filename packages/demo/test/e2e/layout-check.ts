import type { Page } from 'playwright-core';

/**
 * What a demanding reader of the page would notice, measured in the page: anything that sticks
 * out of the viewport (or makes it scroll sideways), out of its card or out of the page's
 * column (text included, shadow DOM included), a header element something else covers, and a
 * card with an empty gap at its bottom. Kept as source text: it runs in the page as written.
 */
const LAYOUT_PROBLEMS = String.raw`(() => {
  const problems = [];
  const slack = 0.5;
  const viewportWidth = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > viewportWidth + slack) {
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + viewportWidth);
  }
  const parentOf = (node) => node.parentElement ?? (node.parentNode instanceof ShadowRoot ? node.parentNode.host : null);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.getAttribute('part') ? '[part=' + el.getAttribute('part') + ']' : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const contentBox = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return { left: r.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft), right: r.right - parseFloat(s.borderRightWidth) - parseFloat(s.paddingRight),
      bottom: r.bottom - parseFloat(s.borderBottomWidth) - parseFloat(s.paddingBottom) };
  };
  const round = (n) => Math.round(n * 10) / 10;
  // Checks the part of rect that its ancestors do not clip, and returns it (null when none of it is in sight).
  const check = (node, rect, what) => {
    if (rect.width === 0 || rect.height === 0) return null;
    let left = rect.left;
    let right = rect.right;
    let container = null;
    for (let a = parentOf(node); a; a = parentOf(a)) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        const r = a.getBoundingClientRect();
        left = Math.max(left, r.left);
        right = Math.min(right, r.right);
      }
      if (!container && (a.classList.contains('card') || a.tagName === 'MAIN')) container = a;
    }
    if (right - left < 1) return null; // clipped out of sight, as intended (a comment about to fly in)
    if (left < -slack || right > viewportWidth + slack) problems.push(what + ' overflows the viewport: ' + round(left) + ' to ' + round(right) + ' of ' + viewportWidth);
    if (container) {
      const box = contentBox(container);
      if (left < box.left - slack || right > box.right + slack) problems.push(what + ' overflows ' + name(container) + ': ' + round(left) + ' to ' + round(right) + ', inside ' + round(box.left) + ' to ' + round(box.right));
    }
    return { left, right };
  };
  const visible = (el) => el.checkVisibility({ visibilityProperty: true });
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (['SCRIPT', 'STYLE', 'OPTION', 'TITLE'].includes(el.tagName)) continue;
      if (!visible(el)) continue;
      check(el, el.getBoundingClientRect(), name(el));
      for (const child of el.childNodes) {
        if (child.nodeType !== Node.TEXT_NODE || child.textContent.trim() === '') continue;
        const range = document.createRange();
        range.selectNodeContents(child);
        const box = el.getBoundingClientRect();
        const clips = getComputedStyle(el).overflowX !== 'visible';
        for (const rect of range.getClientRects()) {
          const what = 'the text "' + child.textContent.trim().slice(0, 40) + '" in ' + name(el);
          // Text in sight that spills out of its own element runs into its neighbours (a title under a chip).
          const seen = check(child, rect, what);
          if (seen && !clips && (seen.left < box.left - slack || seen.right > box.right + slack)) {
            problems.push(what + ' spills out of it: ' + round(seen.left) + ' to ' + round(seen.right) + ', inside ' + round(box.left) + ' to ' + round(box.right));
          }
        }
      }
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);

  // The header: each of its parts is what the page shows at its centre (nothing covers it).
  const header = document.querySelector('.topbar');
  if (header) {
    for (const el of header.querySelectorAll('*')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      const top = document.elementFromPoint(x, y);
      if (!top || !header.contains(top)) problems.push(name(el) + ' in the header is covered by ' + (top ? name(top) : 'nothing (off screen)'));
    }
  }

  // Cards end where their content ends.
  for (const card of document.querySelectorAll('.card')) {
    if (!visible(card)) continue;
    const children = [...card.children].filter(visible);
    if (children.length === 0) continue;
    const bottom = Math.max(...children.map((c) => c.getBoundingClientRect().bottom + parseFloat(getComputedStyle(c).marginBottom)));
    const gap = contentBox(card).bottom - bottom;
    if (gap > 2) problems.push(name(card) + ' has an empty gap of ' + round(gap) + ' px at its bottom');
  }
  return { problems, headerTop: header ? header.getBoundingClientRect().top + scrollY : null };
})()`;

export interface Layout {
  problems: string[];
  /** Where the page's header starts (the same on every page), or null without one. */
  headerTop: number | null;
}

/** Measures `page` as it is now (see {@link LAYOUT_PROBLEMS}). */
export function measureLayout(page: Page): Promise<Layout> {
  return page.evaluate(LAYOUT_PROBLEMS) as Promise<Layout>;
}
