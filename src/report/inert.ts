// Output safety (SPEC.md §4): text that comes from input (policy values and keys, file and folder
// names, claims, config) is shown inert on a terminal. Every control character (C0, DEL, C1; CR
// and LF included, so input never starts a line a CI runner reads as a workflow command), the line
// and paragraph separators and the bidirectional overrides are written as visible escapes. The one
// place every text renderer (stylish, text, the TUI, markdown, github) escapes input.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const escape = (c: string) => {
  const n = c.charCodeAt(0);
  return SHORT[c] ?? (n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`);
};

/** `s` with every character that could move the cursor, set a title, start a line or reorder text escaped (`\x1b`, `\n`, `\u202e`). */
export function inert(s: string): string {
  return s.replace(UNSAFE, escape);
}

/** Lines built from input, each made inert: for renderers whose every line is one `out` entry (no colours). */
export const inertLines = (lines: readonly string[]): string => lines.map(inert).join('\n');
