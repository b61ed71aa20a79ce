// A fast reader for the plain YAML policies are written in: block mappings and sequences keyed by
// identifiers, one-line plain and quoted scalars, and one-line flow mappings such as
// `{regex: '...'}`, also one inside another (`match: {repository: {regex: '...'}}`). For such a text it builds the data `yaml` builds and a small tree of where each
// key and value sits (what spans are read from); for anything else (anchors, aliases, tags, block or
// multi-line scalars, escapes other than `\\` and `\"`, numbers, booleans, nulls, duplicate keys,
// plain scalars with non-ASCII letters...) it answers undefined and parseYaml hands the text to
// `yaml`, which also reports every error. `yaml` (parse and toJS) costs ~230 us for a policy of the
// bench tree and was most of lint's time on ten thousand of them; this reader ~8 us (warm).
// test/plain-yaml.test.ts holds it to `yaml`'s result on every fixture and on mutated texts.
//
// Places: a node's start is `yaml`'s range[0], and so is its end for a scalar or flow mapping. A
// block collection's end may fall before trailing comment lines that `yaml` counts in: sts-policy
// reads only its first line.
import type { Locate, Located, Place, PathSegment } from './yaml.js';

interface Line {
  /** Column of the first character. */
  indent: number;
  /** Offset of the first character, of the line's end (before `\n`), and of the next line. */
  start: number;
  end: number;
  next: number;
}

/**
 * Where a node sits, with its entries' names, keys and values (a mapping) or its items (a
 * sequence). It is its own Place: the reader declines null values, so `isNull` is always false.
 */
class PlainNode implements Place {
  readonly isNull = false;
  constructor(
    readonly start: number,
    public end: number,
    readonly names: string[] | null = null,
    readonly keys: PlainNode[] | null = null,
    readonly items: PlainNode[] | null = null,
  ) {}
}

/** A value and where the block collection holding it as its last value ends (yaml's range[1]). */
interface Built {
  node: PlainNode;
  data: unknown;
  end: number;
}

const KEY = /[A-Za-z_][A-Za-z0-9_-]*/y;
/** Plain scalars that YAML 1.2's core schema reads as null or a boolean, not as a string. */
const NOT_A_STRING = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);
const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;

/** Characters a plain scalar may hold here (its first one must be a letter, a digit, `_` or `/`). */
const PLAIN = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./@:*?~-()') PLAIN[c.charCodeAt(0)] = 1;
const PLAIN_FIRST = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/') PLAIN_FIRST[c.charCodeAt(0)] = 1;
/**
 * Plain scalars starting with a digit that YAML 1.2's core schema reads as a number (`yaml`'s int,
 * octal, hex and float tests, less the signs and leading dots a digit-first scalar cannot have).
 * Anything else digit-first is a string: a commit SHA (`8672c2...`), `1.2.3`, `2024-01-01`.
 */
const CORE_NUMBER = /^(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+\.[0-9]*|[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+)$/;

/** The data `yaml` would build and where its nodes sit, or undefined when the text is not in the plain subset. */
export function readPlainYaml(text: string, maxDepth: number): { data: unknown; locate: Locate } | undefined {
  const lines: Line[] = [];
  for (let at = 0; at < text.length; ) {
    let nl = text.indexOf('\n', at);
    if (nl < 0) nl = text.length;
    let start = at;
    while (start < nl && text.charCodeAt(start) === SPACE) start++;
    for (let i = start; i < nl; i++) {
      const c = text.charCodeAt(i);
      // Control characters, and the Unicode ones YAML readers disagree on, are left to `yaml`.
      if (c < SPACE || (c > 0x7e && c < 0xa0) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c >= 0xfffe) return undefined;
    }
    if (start < nl && text.charCodeAt(start) !== HASH) lines.push({ indent: start - at, start, end: nl, next: Math.min(nl + 1, text.length) });
    at = nl + 1;
  }
  if (!lines.length || lines[0]!.indent !== 0) return undefined;
  const reader = new Reader(text, lines, maxDepth);
  const root = reader.map(0, lines[0]!.start, 0);
  if (!root || reader.i !== lines.length) return undefined;
  return { data: root.data, locate: (path) => locate(root.node, path) };
}

/** The nodes at a data path, as locateInDocument finds them in a yaml document. */
function locate(root: PlainNode, path: readonly PathSegment[]): Located {
  let current = root;
  let key: PlainNode | undefined;
  let depth = 0;
  for (const seg of path) {
    let next: PlainNode | undefined;
    if (current.names) {
      const i = current.names.indexOf(seg as string);
      if (i < 0) break;
      key = current.keys![i];
      next = current.items![i];
    } else if (current.items && typeof seg === 'number') {
      next = current.items[seg];
      key = undefined;
      if (!next) break;
    } else break;
    current = next!;
    depth++;
  }
  return { key, value: current, depth };
}

class Reader {
  /** The next line to read. */
  i = 0;

  constructor(
    private readonly text: string,
    private readonly lines: Line[],
    private readonly maxDepth: number,
  ) {}

  /** A block mapping whose entries start at `column`; the first one at `from` on the current line. */
  map(column: number, from: number, depth: number): Built | undefined {
    if (depth > this.maxDepth) return undefined;
    const { text, lines } = this;
    const node = new PlainNode(from, from, [], [], []);
    const data: Record<string, unknown> = {};
    let at = from;
    let end = from;
    for (;;) {
      const line = lines[this.i]!;
      KEY.lastIndex = at;
      if (!KEY.test(text)) return undefined;
      const keyEnd = KEY.lastIndex;
      const key = text.slice(at, keyEnd);
      if (text.charCodeAt(keyEnd) !== COLON || (keyEnd + 1 < line.end && text.charCodeAt(keyEnd + 1) !== SPACE)) return undefined;
      if (!isNewKey(key, data)) return undefined;
      const value = this.valueAfter(keyEnd + 1, column, depth);
      if (!value) return undefined;
      node.names!.push(key);
      node.keys!.push(new PlainNode(at, keyEnd));
      node.items!.push(value.node);
      data[key] = value.data;
      end = value.end;
      const next = lines[this.i];
      if (!next || next.indent < column) break;
      if (next.indent !== column || text.charCodeAt(next.start) === DASH) return undefined;
      at = next.start;
    }
    node.end = end;
    return { node, data, end };
  }

  /** The value of a mapping entry whose key (at `column`) ends before `at`: on this line or the block below. */
  private valueAfter(at: number, column: number, depth: number): Built | undefined {
    const { text, lines } = this;
    const line = lines[this.i]!;
    let p = at;
    while (p < line.end && text.charCodeAt(p) === SPACE) p++;
    if (p < line.end && text.charCodeAt(p) !== HASH) return this.inline(p, line);
    // Nothing after the colon: a block collection follows (a null value is left to `yaml`).
    this.i++;
    const next = lines[this.i];
    if (!next) return undefined;
    if (isDash(text, next)) return next.indent >= column ? this.seq(next.indent, depth + 1) : undefined;
    return next.indent > column ? this.map(next.indent, next.start, depth + 1) : undefined;
  }

  /** A block sequence whose dashes are at `column`. */
  private seq(column: number, depth: number): Built | undefined {
    if (depth > this.maxDepth) return undefined;
    const { text, lines } = this;
    const from = lines[this.i]!.start;
    const node = new PlainNode(from, from, null, null, []);
    const data: unknown[] = [];
    let end = from;
    for (;;) {
      const line = lines[this.i]!;
      let p = line.start + 1;
      while (p < line.end && text.charCodeAt(p) === SPACE) p++;
      if (p === line.end || text.charCodeAt(p) === HASH || text.charCodeAt(p) === DASH) return undefined;
      KEY.lastIndex = p;
      const item = KEY.test(text) && text.charCodeAt(KEY.lastIndex) === COLON && (KEY.lastIndex + 1 === line.end || text.charCodeAt(KEY.lastIndex + 1) === SPACE) ? this.map(p - (line.start - line.indent), p, depth + 1) : this.inline(p, line);
      if (!item) return undefined;
      node.items!.push(item.node);
      data.push(item.data);
      end = item.end;
      const next = lines[this.i];
      if (!next || next.indent < column || (next.indent === column && !isDash(text, next))) break;
      if (next.indent !== column) return undefined;
    }
    node.end = end;
    return { node, data, end };
  }

  /** A scalar or flow mapping starting at `p`, alone on the rest of its line (a comment aside). */
  private inline(p: number, line: Line): Built | undefined {
    const { text } = this;
    const c = text.charCodeAt(p);
    let value: Built | undefined;
    let after: number;
    if (c === 0x7b) {
      const flow = this.flowMap(p, line.end);
      if (!flow) return undefined;
      value = { node: flow.node, data: flow.data, end: line.next };
      after = flow.node.end;
    } else {
      const s = readScalar(text, p, line.end, false);
      if (!s) return undefined;
      value = { node: new PlainNode(p, s.close), data: s.value, end: line.next };
      after = s.close;
    }
    // Only spaces and a comment may follow (a comment needs a space before its `#`).
    let q = after;
    while (q < line.end && text.charCodeAt(q) === SPACE) q++;
    if (q < line.end && (text.charCodeAt(q) !== HASH || q === after)) return undefined;
    this.i++;
    return value;
  }

  /** `{key: value, ...}` on one line, values quoted or plain, or (`nested`) one flow mapping of those (`{regex: '...'}`). */
  private flowMap(open: number, lineEnd: number, nested = true): { node: PlainNode; data: Record<string, unknown> } | undefined {
    const { text } = this;
    const node = new PlainNode(open, open, [], [], []);
    const data: Record<string, unknown> = {};
    let p = open + 1;
    for (;;) {
      while (p < lineEnd && text.charCodeAt(p) === SPACE) p++;
      KEY.lastIndex = p;
      if (!KEY.test(text)) return undefined;
      const keyEnd = KEY.lastIndex;
      const key = text.slice(p, keyEnd);
      if (text.charCodeAt(keyEnd) !== COLON || text.charCodeAt(keyEnd + 1) !== SPACE) return undefined;
      if (!isNewKey(key, data)) return undefined;
      let v = keyEnd + 1;
      while (v < lineEnd && text.charCodeAt(v) === SPACE) v++;
      const inner = nested && text.charCodeAt(v) === 0x7b ? this.flowMap(v, lineEnd, false) : undefined;
      const s = inner ? { value: inner.data, close: inner.node.end } : readScalar(text, v, lineEnd, true);
      if (!s) return undefined;
      let q = s.close;
      while (q < lineEnd && text.charCodeAt(q) === SPACE) q++;
      node.names!.push(key);
      node.keys!.push(new PlainNode(p, keyEnd));
      node.items!.push(inner ? inner.node : new PlainNode(v, s.close));
      data[key] = s.value;
      const sep = text.charCodeAt(q);
      if (sep === 0x7d) {
        node.end = q + 1;
        return { node, data };
      }
      if (sep !== 0x2c) return undefined;
      p = q + 1;
    }
  }
}

/** A key `yaml` reads as this string, not yet in the mapping (a duplicate is `yaml`'s error to report). */
const isNewKey = (key: string, data: Record<string, unknown>) => !NOT_A_STRING.has(key) && key !== '__proto__' && !Object.hasOwn(data, key);

const isDash = (text: string, line: Line) => text.charCodeAt(line.start) === DASH && (line.start + 1 === line.end || text.charCodeAt(line.start + 1) === SPACE);

/** A one-line quoted or plain scalar at `p`: its value and the offset after it. */
function readScalar(text: string, p: number, end: number, inFlow: boolean): { value: string; close: number } | undefined {
  const c = text.charCodeAt(p);
  if (c === 0x22) {
    let value = '';
    let from = p + 1;
    for (let i = from; i < end; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) return { value: value + text.slice(from, i), close: i + 1 };
      if (ch === 0x5c) {
        const next = text.charCodeAt(i + 1);
        if (next !== 0x5c && next !== 0x22) return undefined;
        value += text.slice(from, i) + text[i + 1];
        from = i + 2;
        i++;
      }
    }
    return undefined;
  }
  if (c === 0x27) {
    let value = '';
    let from = p + 1;
    for (let i = from; i < end; i++) {
      if (text.charCodeAt(i) !== 0x27) continue;
      if (text.charCodeAt(i + 1) === 0x27) {
        value += text.slice(from, i + 1);
        from = i + 2;
        i++;
        continue;
      }
      return { value: value + text.slice(from, i), close: i + 1 };
    }
    return undefined;
  }
  if (!PLAIN_FIRST[c]) return undefined;
  let i = p + 1;
  while (i < end && PLAIN[text.charCodeAt(i)]) i++;
  // A plain scalar ends at a space or the line's end; a flow one also at `,` or `}`.
  const stop = text.charCodeAt(i);
  if (i < end && stop !== SPACE && !(inFlow && (stop === 0x2c || stop === 0x7d))) return undefined;
  const value = text.slice(p, i);
  // `a:` would be a key; `a:b` is a plain scalar, `a,b` in a flow collection is not.
  if (text.charCodeAt(i - 1) === COLON || NOT_A_STRING.has(value) || CORE_NUMBER.test(value)) return undefined;
  if (inFlow && value.includes(':')) return undefined;
  return { value, close: i };
}
