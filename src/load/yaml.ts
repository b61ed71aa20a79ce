// YAML 1.2 parsing with positions, bounded: aliases, nesting depth and alias expansion.
import { parseDocument, isAlias, isMap, isSeq, isScalar, isPair, visit, type Alias, type Document, type Node, type Pair } from 'yaml';
import type { SourceText } from './text.js';
import { readPlainYaml } from './plain-yaml.js';

export const MAX_DEPTH = 64;
export const MAX_ALIAS_COUNT = 100;

export interface YamlProblem {
  ruleId: string;
  message: string;
  start: number;
  end: number;
  fix?: { range: [number, number]; text: string; description: string };
}

/** Where a node sits in the text; `isNull` marks a null scalar (a key with no value, `~`). */
export interface Place {
  readonly start: number;
  readonly end: number;
  readonly isNull: boolean;
}

/** The nodes at a data path (aliases followed): the value, and for a mapping entry its key; `depth` segments were found. */
export interface Located {
  key?: Place;
  value?: Place;
  depth: number;
}
export type Locate = (path: readonly PathSegment[]) => Located;

/**
 * What to point at for a data path: its key or its value (the key of a null value); for a path
 * that runs past the file, the nearest existing entry's key, else its value.
 */
export function placeAt(locate: Locate, path: readonly PathSegment[], at: 'key' | 'value'): Place | undefined {
  const { key, value, depth } = locate(path);
  if (depth < path.length || at === 'key' || (value?.isNull && key)) return key ?? value;
  return value ?? key;
}

/** The data, where its nodes sit, and the yaml document when the `yaml` library read the text (the plain reader builds none). */
export type ParsedYaml = { ok: true; data: unknown; locate: Locate; doc?: Document } | { ok: false; problems: YamlProblem[] };

const ERROR_RULE: Record<string, string> = {
  DUPLICATE_KEY: 'yaml/duplicate-key',
  MULTIPLE_DOCS: 'yaml/multiple-documents',
};

/**
 * Characters a YAML stream may not hold (YAML 1.2 §5.1): C0 controls but tab, LF and CR; DEL; C1
 * controls but NEL; lone surrogates; U+FFFE, U+FFFF; and a byte-order mark anywhere but before the
 * first character (the decoder drops that one). libyaml and Go's yaml.v3 reject them; `yaml` does not.
 */
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u0084\u0086-\u009F\u{D800}-\u{DFFF}\uFEFF\uFFFE\uFFFF]/u;

/** `U+0000`: how a message names a character, never the character itself. */
export const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function forbiddenCharacter(at: number, c: string, escaped: boolean): YamlProblem {
  const what = c === '\uFEFF' ? 'a byte-order mark (U+FEFF), allowed only as the first character of the file' : `the character ${codePoint(c)}, which YAML does not allow in a stream (YAML 1.2 §5.1)`;
  const how = escaped ? 'an escape in this quoted value produces ' : 'the file holds ';
  return { ruleId: 'yaml/forbidden-character', message: `${how}${what}: YAML readers such as Go's yaml.v3 reject such a file; remove it`, start: at, end: at + c.length };
}

export function parseYaml(source: SourceText): ParsedYaml {
  const text = source.text;
  const raw = FORBIDDEN.exec(text);
  if (raw) return { ok: false, problems: [forbiddenCharacter(raw.index, raw[0], false)] };
  // Most policies are plain YAML, which a small reader reads (data and places) ~30 times faster.
  const plain = readPlainYaml(text, MAX_DEPTH);
  if (plain) return { ok: true, data: plain.data, locate: plain.locate };
  // `merge: true`: `<<` merge keys behave as in Go's yaml.v3, which the server is written against.
  const doc = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true, stringKeys: false });
  const problems: YamlProblem[] = [];
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    if (e.code === 'BAD_ALIAS') continue; // reported below with the alias, once
    // `yaml` catches its own stack overflow on deep nesting and reports it as a syntax error.
    if (e.message.startsWith('Maximum call stack size exceeded')) return { ok: false, problems: [tooDeep(flowTooDeep(text) ?? start, end)] };
    const ruleId = ERROR_RULE[e.code] ?? 'yaml/syntax';
    const message =
      e.code === 'DUPLICATE_KEY'
        ? `duplicate key \`${keyAt(text, start)}\`: a key may appear once in a mapping (YAML keeps only one); merge the two entries`
        : e.code === 'MULTIPLE_DOCS'
          ? 'more than one YAML document (`---`): a policy file holds exactly one document'
          : `YAML syntax error: ${firstLine(e.message)}`;
    const width = e.code === 'DUPLICATE_KEY' ? Math.max(1, (/^[^:\n]*/.exec(text.slice(start))?.[0] ?? '').trimEnd().length) : end - start;
    problems.push({ ruleId, message, start, end: start + Math.max(width, 1) });
  }
  for (const w of doc.warnings) {
    if (w.code === 'TAG_RESOLVE_FAILED')
      problems.push({ ruleId: 'yaml/syntax', message: `${firstLine(w.message)}: custom YAML tags are not part of a policy; remove the tag`, start: w.pos[0], end: w.pos[1] });
  }
  // One walk finds unresolved aliases (an alias node exists only where the text has a `*`) and
  // the first node nested too deep.
  const shape = walkNodes(doc, text.includes('*'));
  for (const alias of shape.unresolved) {
    const [start, end] = alias.range ?? [0, 0];
    const raw = text.slice(start, end);
    problems.push({
      ruleId: 'yaml/unquoted-asterisk',
      message: `\`${raw}\` is read as a YAML alias, not a pattern: an unquoted \`*\` starts an alias; quote it: "${raw}"`,
      start,
      end,
      fix: { range: [start, end], text: JSON.stringify(raw), description: `quote ${raw}` },
    });
  }
  if (problems.length) return { ok: false, problems: dedupe(problems) };
  if (doc.contents === null) return { ok: false, problems: [{ ruleId: 'yaml/empty-file', message: 'the file is empty: a policy needs apiVersion, kind, metadata and spec', start: 0, end: 0 }] };
  const deep = shape.tooDeep;
  if (deep) return { ok: false, problems: [tooDeep(deep.range?.[0] ?? 0, deep.range?.[1] ?? 0)] };
  try {
    const data: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    const locate: Locate = (path) => locateInDocument(doc, path);
    // No raw forbidden character is left: one in the data came from an escape (`"\0"`, `"\x1b"`).
    const escaped = forbiddenInData(data, []);
    if (escaped) {
      const place = placeAt(locate, escaped.path, escaped.inKey ? 'key' : 'value');
      return { ok: false, problems: [{ ...forbiddenCharacter(place?.start ?? 0, escaped.char, true), end: place?.end ?? 0 }] };
    }
    return { ok: true, doc, data, locate };
  } catch (e) {
    let first: Node | undefined;
    visit(doc, { Alias(_, a) { first ??= a; return visit.BREAK; } });
    return {
      ok: false,
      problems: [{ ruleId: 'yaml/alias-limit', message: `YAML aliases expand beyond ${MAX_ALIAS_COUNT} nodes (${firstLine((e as Error).message)}): write the values out`, start: first?.range?.[0] ?? 0, end: first?.range?.[1] ?? 0 }],
    };
  }
}

const tooDeep = (start: number, end: number): YamlProblem => ({ ruleId: 'yaml/too-deep', message: `nesting deeper than ${MAX_DEPTH} levels: a policy is at most a few levels deep`, start, end: Math.max(end, start + 1) });

/** Where flow brackets (`[`, `{`, outside quotes and comments) first nest deeper than MAX_DEPTH. */
function flowTooDeep(text: string): number | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** The first key or value string holding a forbidden character, and its path (depth is bounded before). */
function forbiddenInData(data: unknown, path: PathSegment[]): { path: PathSegment[]; inKey: boolean; char: string } | undefined {
  if (typeof data === 'string') {
    const m = FORBIDDEN.exec(data);
    return m ? { path, inKey: false, char: m[0] } : undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  for (const [k, v] of Array.isArray(data) ? data.entries() : Object.entries(data)) {
    const key = typeof k === 'string' ? FORBIDDEN.exec(k) : null;
    if (key) return { path: [...path, k], inKey: true, char: key[0] };
    const found = forbiddenInData(v, [...path, k]);
    if (found) return found;
  }
  return undefined;
}

/** The aliases that name no earlier anchor (when `aliases`), and the first node nested deeper than MAX_DEPTH. */
function walkNodes(doc: Document, aliases: boolean): { unresolved: Alias[]; tooDeep?: Node } {
  const unresolved: Alias[] = [];
  let tooDeep: Node | undefined;
  const walk = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) {
      tooDeep ??= node as Node;
      if (!aliases) return;
    }
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          walk(item.key, depth + 1);
          walk(item.value, depth + 1);
        } else walk(item, depth + 1);
      }
    } else if (aliases && isAlias(node) && !node.resolve(doc)) unresolved.push(node);
  };
  walk(doc.contents, 0);
  return { unresolved, tooDeep };
}

const keyAt = (text: string, offset: number) => (/^[^:\n]*/.exec(text.slice(offset))?.[0] ?? '').trim().replace(/^["']|["']$/g, '');

const firstLine = (s: string) => s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');

function dedupe(problems: YamlProblem[]): YamlProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.ruleId}:${p.start}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

export type PathSegment = string | number;

/** Locate for a document the `yaml` library built. */
export function locateInDocument(doc: Document, path: readonly PathSegment[]): Located {
  const { key, value, depth } = nodeAt(doc, path);
  return { key: placeOf(key), value: placeOf(value), depth };
}

const placeOf = (node: Node | undefined): Place | undefined => (node?.range ? { start: node.range[0], end: node.range[1], isNull: isScalar(node) && node.value === null } : undefined);

function nodeAt(doc: Document, path: readonly PathSegment[]): { key?: Node; value?: Node; depth: number } {
  let current: unknown = doc.contents;
  let key: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isAlias(current)) current = current.resolve(doc);
    let next: Pair | Node | undefined;
    if (isMap(current)) {
      const pair = current.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      key = pair.key as Node;
      next = pair.value as Node | undefined;
    } else if (isSeq(current) && typeof seg === 'number') {
      next = current.items[seg] as Node | undefined;
      key = undefined;
      if (!next) break;
    } else break;
    current = next;
    depth++;
    if (current === null || current === undefined) return { key, value: undefined, depth };
  }
  return { key, value: (isAlias(current) ? current.resolve(doc) : current) as Node | undefined, depth };
}
