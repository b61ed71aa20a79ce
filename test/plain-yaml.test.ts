// The plain-YAML reader against the `yaml` library: whenever the reader accepts a text, it must
// build the data `yaml` builds, place every key and value where `yaml` does (what spans read: the
// start, and the end on the start's line), and `yaml` must find no error in the text. Checked on
// every fixture, on generated policies, and on mutated texts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { readPlainYaml } from '../src/load/plain-yaml.js';
import { MAX_DEPTH, locateInDocument, type Locate, type PathSegment, type Place } from '../src/load/yaml.js';
import { ROOT } from './helpers/cli.js';
// @ts-expect-error: the bench's generator is plain JavaScript
import { policyText, rng } from '../bench/gen-tree.mjs';

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });

/** Compares what the reader built with what `yaml` builds; returns whether the reader accepted the text. */
function agreesWithYaml(text: string): boolean {
  const plain = readPlainYaml(text, MAX_DEPTH);
  if (!plain) return false;
  const doc = parsePlainly(text);
  expect(doc.errors.map((e) => e.message), JSON.stringify(text)).toEqual([]);
  expect(doc.warnings.map((e) => e.message), JSON.stringify(text)).toEqual([]);
  expect(plain.data, JSON.stringify(text)).toEqual(doc.toJS());
  samePlaces(plain.locate, doc, text);
  return true;
}

const parsePlainly = (text: string) => parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true, stringKeys: false });

/** For the path of every node of `yaml`'s tree, and for missing paths below it, the reader's locate() answers as the document's does. */
function samePlaces(locate: Locate, doc: Document, text: string): void {
  // What spans read of a place: its start, its end up to the end of the start's line, and nullness.
  const seen = (p: Place | undefined) => p && [p.start, Math.min(p.end, text.indexOf('\n', p.start) === -1 ? p.end : text.indexOf('\n', p.start)), p.isNull];
  const check = (path: PathSegment[]) => {
    const got = locate(path);
    const want = locateInDocument(doc, path);
    expect([seen(got.key), seen(got.value), got.depth], `${JSON.stringify(text)} at ${JSON.stringify(path)}`).toEqual([seen(want.key), seen(want.value), want.depth]);
  };
  const walk = (node: Node, path: PathSegment[]) => {
    // The node itself; a missing entry or item, and a path through a scalar (the nearest node answers).
    for (const p of [path, [...path, 'no-such-key'], [...path, 999], [...path, 0]]) check(p);
    if (isMap(node)) for (const p of node.items) (expect(isPair(p)).toBe(true), walk(p.value as Node, [...path, (p.key as { value: string }).value]));
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item as Node, [...path, i]));
    else expect(isScalar(node), `${JSON.stringify(text)} at ${JSON.stringify(path)}`).toBe(true);
  };
  walk(doc.contents as Node, []);
}

// Policy files and everything else YAML in fixtures/ (policy tests, configs).
const fixtures = yamlFiles(join(ROOT, 'fixtures')).map((path) => ({ path, text: readFileSync(path, 'utf8').replace(/^\uFEFF/, '') }));
const r: () => number = rng(0x51ce);
const generated = Array.from({ length: 600 }, (_, k) => policyText(k % 7, k, 'default', r).text as string);

describe('plain-YAML reader', () => {
  it('builds what yaml builds for every fixture it accepts, and accepts the plain ones', () => {
    const accepted = fixtures.filter((f) => agreesWithYaml(f.text)).map((f) => f.path);
    // The seed examples and the bundled examples are plain YAML: the fast path is the usual path.
    for (const dir of ['fixtures/valid', 'fixtures/examples']) {
      const all = fixtures.filter((f) => f.path.startsWith(join(ROOT, dir)) && /\/\.atmos\/pro\/sts\/[^/]+\.yaml$/.test(f.path));
      const taken = all.filter((f) => accepted.includes(f.path));
      expect(taken.length / all.length, dir).toBeGreaterThan(0.8);
    }
  });

  it('builds what yaml builds for generated policies', () => {
    const accepted = generated.filter(agreesWithYaml).length;
    expect(accepted / generated.length).toBeGreaterThan(0.8);
  });

  it('declines, or agrees with yaml, on mutated texts', () => {
    const bases = [...fixtures.map((f) => f.text), ...generated.slice(0, 100)].filter((t) => readPlainYaml(t, MAX_DEPTH));
    const alphabet = ` \n'"#:-{}[](),*&!|>?%@\`\\~.x0é—\t`;
    const m: () => number = rng(0xfa57);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(m() * xs.length)]!;
    let tried = 0;
    let accepted = 0;
    for (const base of bases)
      for (let k = 0; k < 40; k++) {
        let text = base;
        for (let n = 1 + Math.floor(m() * 2); n > 0; n--) {
          const at = Math.floor(m() * (text.length + 1));
          const op = m();
          if (op < 0.4) text = text.slice(0, at) + pick([...alphabet]) + text.slice(at);
          else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1);
          else if (op < 0.9) text = text.slice(0, at) + pick([...alphabet]) + text.slice(at + 1);
          else {
            // Re-indent a line: the commonest real mistake.
            const start = text.lastIndexOf('\n', at - 1) + 1;
            text = m() < 0.5 ? `${text.slice(0, start)} ${text.slice(start)}` : text.slice(0, start) + text.slice(start).replace(/^ /, '');
          }
        }
        tried++;
        if (agreesWithYaml(text)) accepted++;
      }
    // Not vacuous: many mutants stay plain YAML (a changed letter, a moved comment).
    expect(tried).toBeGreaterThan(3000);
    expect(accepted / tried).toBeGreaterThan(0.2);
  }, 120_000);

  it('declines what it does not read: anchors, aliases, tags, block scalars, escapes, non-strings, duplicates', () => {
    for (const text of [
      'a: &x b\nc: *x\n',
      'a: !!str b\n',
      'a: |\n  b\n',
      'a: "b\\n"\n',
      'a: 1\n',
      'a: true\n',
      'a: ~\n',
      'a:\n',
      'a: b\na: c\n',
      'a: b\n  c\n',
      'a: "b\n  c"\n',
      '---\na: b\n',
      'a: b\n---\nc: d\n',
      'a:\tb\n',
      'a: é\n',
      'a: b#c\n',
      '<<: {a: b}\n',
      '"a": b\n',
      'a: [b, c]\n',
      '- a\n',
    ])
      expect(readPlainYaml(text, MAX_DEPTH), JSON.stringify(text)).toBeUndefined();
  });

  it('reads digit-first strings (a commit SHA) and declines what the core schema reads as a number', () => {
    const texts = (value: string) => [`sha: ${value}\n`, `m:\n  sha: ${value}\n  ref: main\n`, `a: {sha: ${value}}\n`];
    /** What yaml reads as the `sha` of one of those texts: a string, or another type. */
    const yamlValue = (text: string) => {
      const data = parsePlainly(text).toJS() as { sha?: unknown; m?: { sha: unknown }; a?: { sha: unknown } };
      return typeof (data.sha ?? data.m?.sha ?? data.a?.sha) === 'string' ? 'string' : 'other';
    };
    for (const value of ['8672c284a4e757991624d278c110c19bc2693e6b', '064c0926c17b5ecb8b1fc587c6d98e7f95581d4f', '1.2.3', '2024-01-01', '1_000', '0b101', '12e', '1e5x', '0x1G', '0o8', '9/app'])
      for (const text of texts(value)) expect(agreesWithYaml(text), JSON.stringify(text)).toBe(true);
    for (const value of ['12', '0', '012', '0x1F', '0o17', '1.5', '1.', '1e5', '1E5', '1.5e3', '1e-5', '3.14e-2'])
      for (const text of texts(value)) {
        expect(yamlValue(text), JSON.stringify(text)).toBe('other');
        expect(readPlainYaml(text, MAX_DEPTH), JSON.stringify(text)).toBeUndefined();
      }
    // Random digit-first scalars: accepted exactly when yaml reads a string, and then alike.
    const m: () => number = rng(0xd161);
    const chars = '0123456789abcdefxoE.-_';
    for (let k = 0; k < 2000; k++) {
      const value = String(Math.floor(m() * 10)) + Array.from({ length: Math.floor(m() * 6) }, () => chars[Math.floor(m() * chars.length)]).join('');
      const text = `sha: ${value}\n`;
      if (yamlValue(text) === 'string') expect(agreesWithYaml(text), JSON.stringify(text)).toBe(true);
      else expect(readPlainYaml(text, MAX_DEPTH), JSON.stringify(text)).toBeUndefined();
    }
  });

  it("reads a `*` inside a flow mapping's plain scalar (`{ref: refs/tags/v*}`), as yaml does", () => {
    for (const text of ['match: {repository: acme/platform-*, ref_type: tag, ref: refs/tags/v*}\n', 'a: {b: x*y, c: d}\n']) {
      expect(readPlainYaml(text, MAX_DEPTH), JSON.stringify(text)).toBeDefined();
      expect(agreesWithYaml(text), JSON.stringify(text)).toBe(true);
    }
  });

  it('reads a matcher flow mapping inside a flow mapping, and `(`, `)` and `?` in flow plain scalars, as yaml does', () => {
    const texts = [
      'match: {repository: {regex: "acme/(infra|platform)-[a-z0-9-]+"}, environment: {regex: prod(uction)?}}\n',
      'match: {repository: acme/?-tools, ref: {regex: refs/heads/main}}\n',
      'rules:\n  - match: {repository: {regex: "acme/repo-\\\\d{1,3}"}}\n    permissions: {contents: read}\n',
    ];
    for (const text of texts) {
      expect(readPlainYaml(text, MAX_DEPTH), JSON.stringify(text)).toBeDefined();
      expect(agreesWithYaml(text), JSON.stringify(text)).toBe(true);
    }
    // One level only, and what yaml reads differently stays yaml's: a mapping two flow levels down, a space inside a flow scalar.
    for (const text of ['a: {b: {c: {d: e}}}\n', 'a: {b: x? y}\n', 'a: {b: {c: d}, }\n']) expect(readPlainYaml(text, MAX_DEPTH), JSON.stringify(text)).toBeUndefined();
  });

  it('stops at the depth bound instead of recursing without end', () => {
    const deep = Array.from({ length: MAX_DEPTH + 5 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' v\n';
    expect(readPlainYaml(deep, MAX_DEPTH)).toBeUndefined();
  });
});
