// A lone surrogate is not Unicode at all; in a `u` regular expression \p{Cs} matches only those.
const LONE_SURROGATE = /\p{Cs}/u;
// Bidirectional controls: LRM, RLM, ALM, the embeddings and overrides, the isolates.
const BIDI_CONTROLS: ReadonlySet<number> = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);

// Invisible format characters (zero-width space, word joiner, BOM, soft hyphen, tags…), except
// the zero-width (non-)joiners that emoji sequences and several scripts need.
const FORMAT = /\p{Cf}/u;
const JOINERS: ReadonlySet<number> = new Set([0x200c, 0x200d]);
// Line and paragraph separators, and the Hangul fillers and blank braille pattern, which show as nothing.
const INVISIBLE: ReadonlySet<number> = new Set([0x2028, 0x2029, 0x115f, 0x1160, 0x3164, 0xffa0, 0x2800]);
const ONLY_SPACE = /^[\p{White_Space}\u200c\u200d]+$/u;

/**
 * Why `text` may not be an identity, display name, room name or reason shown to a peer, or
 * undefined if it may. Such text must be well-formed Unicode (no lone surrogates) without C0/C1
 * control characters (NUL, ESC, DEL, …), bidirectional controls, invisible characters (U+200B,
 * U+2028, U+FEFF, tag characters, U+3164…) or nothing but spaces: those make a name print
 * differently in a terminal, a log, a JSON answer and a web page, or make one identity look like
 * another ("ab\u200bcd" and "abcd"). The server refuses such text rather than altering it, so a
 * name reads the same on the wire, in the HTTP API and in the logs.
 */
export function unsafeTextReason(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'contains a lone surrogate (not valid Unicode)';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || BIDI_CONTROLS.has(code)) {
      return `contains the control character U+${hex(code)}`;
    }
    if (INVISIBLE.has(code) || (FORMAT.test(char) && !JOINERS.has(code))) return `contains the invisible character U+${hex(code)}`;
  }
  if (ONLY_SPACE.test(text)) return 'is only spaces';
  return undefined;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
