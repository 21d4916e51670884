import { css } from 'lit';

/**
 * The declarations that hide content from sight but not from screen readers (a live region, a
 * status line): it stays in the accessibility tree, unlike `display: none`.
 */
export const visuallyHidden = css`
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
`;
