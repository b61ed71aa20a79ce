// Styling and fitting screen lines. Colour is ANSI written here, not chalk's (which ignores
// NO_COLOR): with colour off every style is plain text, and every meaning shown in colour is also
// shown by a character (✓ ✗ ▸ ^^^), so nothing is lost.
import { inert } from '../report/inert.js';
export type Style = 'ok' | 'bad' | 'warn' | 'info' | 'dim' | 'bold' | 'focus' | 'selected' | 'hl' | 'cursor' | 'key';

const SGR: Record<Style, [string, string]> = {
  ok: ['32', '39'],
  bad: ['31', '39'],
  warn: ['33', '39'],
  info: ['36', '39'],
  dim: ['2', '22'],
  bold: ['1', '22'],
  focus: ['1;7', '22;27'],
  selected: ['7', '27'],
  hl: ['97;41', '39;49'],
  cursor: ['7', '27'],
  key: ['1;36', '22;39'],
};

export interface Theme {
  color: boolean;
  paint(style: Style | undefined, text: string): string;
}

export function theme(color: boolean): Theme {
  return {
    color,
    paint: (style, text) => (color && style && text ? `\u001b[${SGR[style][0]}m${text}\u001b[${SGR[style][1]}m` : text),
  };
}

/** A piece of a line: plain text or text with a style. */
export type Part = string | readonly [string, Style | undefined];

/** Display width: one column per code point, two for East Asian wide and emoji code points. */
export function width(s: string): number {
  let w = 0;
  for (const ch of s) w += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return w;
}

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
}

/** Cuts text to `max` columns, ending with `…` when it had to cut. */
export function fit(text: string, max: number): string {
  if (width(text) <= max) return text;
  if (max <= 0) return '';
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = isWide(ch.codePointAt(0)!) ? 2 : 1;
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return `${out}…`;
}

/** Renders parts into one line of at most `cols` columns; `fill` pads it to `cols` (for a selected row). */
export function line(t: Theme, cols: number, parts: readonly Part[], whole?: Style, fill = false): string {
  let left = cols;
  let out = '';
  for (const part of parts) {
    if (left <= 0) break;
    const [raw, style] = typeof part === 'string' ? [part, undefined] : part;
    // Parts carry input (values, paths, messages): shown inert, styled only by `paint`.
    const text = inert(raw);
    const cut = fit(text, left);
    out += t.paint(style, cut);
    left -= width(cut);
    if (cut !== text) left = 0;
  }
  if (fill && left > 0) out += ' '.repeat(left);
  return whole ? t.paint(whole, out) : out;
}

/** Word-wraps plain text into lines of at most `cols` columns (long words are cut). */
export function wrap(text: string, cols: number): string[] {
  if (cols <= 0) return [];
  const out: string[] = [];
  let cur = '';
  for (const word of inert(text).split(/\s+/).filter(Boolean)) {
    let w = word;
    while (width(w) > cols) {
      if (cur) (out.push(cur), (cur = ''));
      const chars = Array.from(w);
      let take = 0;
      let tw = 0;
      while (take < chars.length && tw + width(chars[take]!) <= cols) tw += width(chars[take++]!);
      out.push(chars.slice(0, take).join(''));
      w = chars.slice(take).join('');
    }
    if (!w) continue;
    if (!cur) cur = w;
    else if (width(cur) + 1 + width(w) <= cols) cur += ` ${w}`;
    else (out.push(cur), (cur = w));
  }
  if (cur) out.push(cur);
  return out;
}
