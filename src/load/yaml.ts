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

export function parseYaml(source: SourceText): ParsedYaml {
  const text = source.text;
  // Most policies are plain YAML, which a small reader reads (data and places) ~30 times faster.
  const plain = readPlainYaml(text, MAX_DEPTH);
  if (plain) return { ok: true, data: plain.data, locate: plain.locate };
  // `merge: true`: `<<` merge keys behave as in Go's yaml.v3, which the server is written against.
  const doc = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true, stringKeys: false });
  const problems: YamlProblem[] = [];
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    if (e.code === 'BAD_ALIAS') continue; // reported below with the alias, once
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
  if (deep) return { ok: false, problems: [{ ruleId: 'yaml/too-deep', message: `nesting deeper than ${MAX_DEPTH} levels: a policy is at most a few levels deep`, start: deep.range?.[0] ?? 0, end: deep.range?.[1] ?? 0 }] };
  try {
    return { ok: true, doc, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), locate: (path) => locateInDocument(doc, path) };
  } catch (e) {
    let first: Node | undefined;
    visit(doc, { Alias(_, a) { first ??= a; return visit.BREAK; } });
    return {
      ok: false,
      problems: [{ ruleId: 'yaml/alias-limit', message: `YAML aliases expand beyond ${MAX_ALIAS_COUNT} nodes (${firstLine((e as Error).message)}): write the values out`, start: first?.range?.[0] ?? 0, end: first?.range?.[1] ?? 0 }],
    };
  }
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
