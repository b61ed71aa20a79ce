// SPEC.md §2/§4 globs, checked against an independent reference: a memoised recursive matcher over
// arrays of code points (no RegExp, no piece splitting), on random, instantiated and mutated values.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob } from '../src/engine/glob.js';
import { acceptsWord, afterPrefix, concat, findWord, fromGlob, fromLiteral, fromRegex, projectBefore, projectBeforeNth } from '../src/analysis/nfa.js';

/** Reference semantics: `*` any run of code points (empty too), `?` one code point, all else literal. */
function referenceMatch(pattern: string, value: string): boolean {
  const p = Array.from(pattern);
  const v = Array.from(value);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (v.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result: boolean;
    if (i === p.length) result = j === v.length;
    else if (p[i] === '*') result = go(i + 1, j) || (j < v.length && go(i, j + 1));
    else if (j === v.length) result = false;
    else if (p[i] === '?') result = go(i + 1, j + 1);
    else result = p[i] === v[j] && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

const LITERALS = ['/', ':', '-', '.', '[', ']', '{', '}', '!', '\\', 'a', 'b', 'A', '😀', '𝒜'];
const patternChar = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('*', '?') }, { weight: 5, arbitrary: fc.constantFrom(...LITERALS) });
// Values may hold `*` and `?` too: in a value they are ordinary characters.
const valueChar = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...LITERALS) }, { weight: 1, arbitrary: fc.constantFrom('*', '?', 'z', '\u00e9') });

const MAX_PATTERN = 12;
const patternArb = fc.array(patternChar, { maxLength: MAX_PATTERN }).map((cps) => cps.join(''));
const randomValueArb = fc.array(valueChar, { maxLength: 16 }).map((cps) => cps.join(''));

/** A value the pattern matches: each `*` becomes a random run (empty included), each `?` one code point. */
const instantiatedArb = fc
  .tuple(patternArb, fc.array(fc.array(valueChar, { maxLength: 4 }), { minLength: MAX_PATTERN, maxLength: MAX_PATTERN }), fc.array(valueChar, { minLength: MAX_PATTERN, maxLength: MAX_PATTERN }))
  .map(([pattern, runs, singles]) => {
    const value = Array.from(pattern)
      .map((cp, i) => (cp === '*' ? runs[i]!.join('') : cp === '?' ? singles[i]! : cp))
      .join('');
    return { pattern, value };
  });

type Mutation = { op: 'insert' | 'replace'; at: number; cp: string } | { op: 'delete' | 'split' | 'upper'; at: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('insert' as const, 'replace' as const), at: fc.nat(), cp: valueChar }),
  fc.record({ op: fc.constantFrom('delete' as const, 'split' as const, 'upper' as const), at: fc.nat() }),
);

/** Small edits near a match: the interesting boundary for an anchored matcher. */
function mutate(value: string, mutations: Mutation[]): string {
  const cps = Array.from(value);
  for (const m of mutations) {
    const at = cps.length === 0 ? 0 : m.at % (cps.length + (m.op === 'insert' ? 1 : 0));
    if (m.op === 'insert') cps.splice(at, 0, m.cp);
    else if (cps.length === 0) continue;
    else if (m.op === 'replace') cps[at] = m.cp;
    else if (m.op === 'delete') cps.splice(at, 1);
    else if (m.op === 'upper') cps[at] = cps[at]!.toUpperCase();
    // Split an astral code point into its two UTF-16 units, with a separator in between.
    else if (cps[at]!.length === 2) cps.splice(at, 1, cps[at]![0]!, '-', cps[at]![1]!);
  }
  return cps.join('');
}

const mutatedArb = fc.tuple(instantiatedArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([{ pattern, value }, ms]) => ({ pattern, value: mutate(value, ms) }));
const randomPairArb = fc.tuple(patternArb, randomValueArb).map(([pattern, value]) => ({ pattern, value }));
const anyPairArb = fc.oneof(randomPairArb, instantiatedArb, mutatedArb);

const RUNS = { numRuns: 3000 };

describe('compileGlob: properties against the reference matcher', () => {
  it('the reference itself: an instantiated value always matches its pattern', () => {
    fc.assert(fc.property(instantiatedArb, ({ pattern, value }) => referenceMatch(pattern, value)), RUNS);
  });

  it.each([
    ['random values', randomPairArb],
    ['instantiated values', instantiatedArb],
    ['mutated instantiated values', mutatedArb],
  ] as const)('test() equals the reference on %s', (_label, arb) => {
    fc.assert(
      fc.property(arb, ({ pattern, value }) => {
        expect(compileGlob(pattern).test(value)).toBe(referenceMatch(pattern, value));
      }),
      RUNS,
    );
  });

  it('explain() is undefined iff the value matches, and a non-empty string otherwise', () => {
    fc.assert(
      fc.property(anyPairArb, ({ pattern, value }) => {
        const why = compileGlob(pattern).explain(value);
        if (referenceMatch(pattern, value)) expect(why).toBeUndefined();
        else {
          expect(typeof why).toBe('string');
          expect(why!.trim().length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('a compiled glob is reusable: the same answers in any order', () => {
    fc.assert(
      fc.property(patternArb, fc.array(randomValueArb, { maxLength: 6 }), (pattern, values) => {
        const glob = compileGlob(pattern);
        const first = values.map((v) => glob.test(v));
        const again = [...values].reverse().map((v) => glob.test(v)).reverse();
        expect(again).toEqual(first);
        expect(first).toEqual(values.map((v) => referenceMatch(pattern, v)));
      }),
    );
  });

  it('a pattern without wildcards matches only itself', () => {
    const literal = fc.array(fc.constantFrom(...LITERALS), { maxLength: 10 }).map((cps) => cps.join(''));
    fc.assert(
      fc.property(literal, fc.oneof(randomValueArb, literal), (pattern, value) => {
        const glob = compileGlob(pattern);
        expect(glob.test(pattern)).toBe(true);
        expect(glob.explain(pattern)).toBeUndefined();
        expect(glob.test(value)).toBe(value === pattern);
      }),
      RUNS,
    );
  });

  it('`*` alone matches every string, the empty one included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (value) => {
        expect(compileGlob('*').test(value)).toBe(true);
      }),
    );
  });

  it('pattern keeps the text it was compiled from', () => {
    fc.assert(
      fc.property(patternArb, (pattern) => {
        expect(compileGlob(pattern).pattern).toBe(pattern);
      }),
    );
  });
});

describe('compileGlob: examples', () => {
  it.each([
    // `*`: any run, empty included, across `/` and `:`
    ['repo:acme/app:*', 'repo:acme/app:', true],
    ['repo:acme/app:*', 'repo:acme/app:ref:refs/heads/main', true],
    ['repo:acme/app:*', 'repo:acme/app', false],
    ['repo:acme/*', 'repo:acme/app:ref:refs/heads/feature/x', true],
    ['acme/*', 'acme/', true],
    ['acme/*', 'acme', false],
    ['acme/*', 'acme-labs/app', false],
    ['*', '', true],
    ['**', '', true],
    ['a**b', 'ab', true],
    ['', '', true],
    ['', 'a', false],
    ['*main', 'refs/heads/main', true],
    ['*main', 'refs/heads/main-2', false],
    ['main*', 'main', true],
    ['*/*', 'a/b/c', true],
    ['*/*', 'abc', false],
    // `?`: exactly one code point, `/`, `:` and astral ones included
    ['?', '/', true],
    ['?', ':', true],
    ['?', '😀', true],
    ['?', '𝒜', true],
    ['??', '😀', false],
    ['?', '😀😀', false],
    ['??', '😀😀', true],
    ['?', '', false],
    ['a?c', 'a/c', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['repo:acme/???:*', 'repo:acme/app:ref:x', true],
    ['repo:acme/???:*', 'repo:acme/apps:ref:x', false],
    // every other character is literal
    ['dependabot[bot]', 'dependabot[bot]', true],
    ['dependabot[bot]', 'dependabotb', false],
    ['dependabot[bot]', 'dependabott', false],
    ['*[bot]', 'renovate[bot]', true],
    ['*[bot]', 'renovateb', false],
    ['v{1,2}', 'v{1,2}', true],
    ['v{1,2}', 'v1', false],
    ['!main', '!main', true],
    ['!main', 'dev', false],
    ['a\\*b', 'a\\xyzb', true],
    ['a\\*b', 'a*b', false],
    ['a\\?', 'a\\x', true],
    ['a.c', 'abc', false],
    ['a.c', 'a.c', true],
    ['^acme$', 'acme', false],
    ['^acme$', '^acme$', true],
    ['(a)+', '(a)+', true],
    ['(a)+', 'aa', false],
    ['acme/**', 'acme/x/y', true],
    // whole string, case-sensitive, no normalisation
    ['acme', 'acme-evil', false],
    ['acme', 'my-acme', false],
    ['acme', 'ACME', false],
    ['Production', 'production', false],
    ['repo:Acme/*', 'repo:acme/app:ref:refs/heads/main', false],
    ['caf\u00e9', 'cafe\u0301', false],
  ])('%j vs %j -> %s', (pattern, value, expected) => {
    const glob = compileGlob(pattern);
    expect(glob.test(value)).toBe(expected);
    expect(referenceMatch(pattern, value)).toBe(expected);
    expect(glob.explain(value) === undefined).toBe(expected);
  });
});

describe('compileGlob: explain() texts', () => {
  it('names the offset where a literal head stops matching', () => {
    const why = compileGlob('acme/infra').explain('acme/platform')!;
    expect(why).toContain('offset 5');
    expect(why).toContain('`i`');
    expect(why).toContain('`p`');
  });

  it('counts offsets in code points, not UTF-16 units', () => {
    const why = compileGlob('😀😀a').explain('😀😀b')!;
    expect(why).toContain('offset 2');
    expect(why).toContain('`a`');
    expect(why).toContain('`b`');
  });

  it('says when the value is too short', () => {
    const why = compileGlob('acme/infra').explain('acme/in')!;
    expect(why).toContain('ends at offset 7');
    expect(why).toContain('`f`');
    expect(compileGlob('ab?').explain('ab')).toContain('one more character');
  });

  it('says when the value runs on past a pattern without `*`', () => {
    const why = compileGlob('acme').explain('acme-evil')!;
    expect(why).toContain('offset 4');
    expect(why).toContain('`-evil`');
  });

  it('says when the suffix after the last `*` is missing', () => {
    const why = compileGlob('repo:acme/*:ref:refs/heads/main').explain('repo:acme/app:ref:refs/heads/dev')!;
    expect(why).toContain('does not end with');
    expect(why).toContain('`:ref:refs/heads/main`');
  });

  it('says when a middle piece is not found', () => {
    const why = compileGlob('repo:*:environment:*').explain('repo:acme/app:ref:refs/heads/main')!;
    expect(why).toContain('`:environment:`');
    expect(why).toContain('does not occur after offset 5');
  });

  it('says nothing when the value matches', () => {
    expect(compileGlob('repo:acme/*').explain('repo:acme/app:pull_request')).toBeUndefined();
    expect(compileGlob('repo:acme/app:*').explain('repo:acme/app:')).toBeUndefined();
  });
});

describe('the glob automata the analysis builds (fromGlob, fromLiteral, concat, projectBefore)', () => {
  it('accept exactly what the reference matches', () => {
    fc.assert(
      fc.property(anyPairArb, ({ pattern, value }) => {
        expect(acceptsWord(fromGlob(pattern), value)).toBe(referenceMatch(pattern, value));
        expect(acceptsWord(fromLiteral(pattern), value)).toBe(pattern === value);
      }),
      RUNS,
    );
  });

  it('a concatenation accepts a value iff some split of it matches both parts', () => {
    const splits = (a: string, b: string, value: string) => {
      const cps = Array.from(value);
      return cps.some((_, i) => referenceMatch(a, cps.slice(0, i).join('')) && referenceMatch(b, cps.slice(i).join(''))) || (referenceMatch(a, value) && referenceMatch(b, ''));
    };
    fc.assert(
      fc.property(patternArb, patternArb, randomValueArb, fc.boolean(), (a, b, noise, literalFirst) => {
        const first = literalFirst ? fromLiteral(a) : fromGlob(a);
        const both = concat(first, fromGlob(b));
        // A literal's `*` and `?` are ordinary characters.
        const ref = (v: string) => (literalFirst ? v.startsWith(a) && referenceMatch(b, v.slice(a.length)) : splits(a, b, v));
        expect(acceptsWord(both, noise)).toBe(ref(noise));
        // The shortest word the search finds is in the language.
        const word = findWord({ include: [both] });
        if (word !== undefined) expect(ref(word)).toBe(true);
      }),
      RUNS,
    );
  });

  it('a derived language of one word is a literal, so searches answer it by membership', () => {
    expect(projectBefore(fromGlob('org-12/*'), [0x2f]).literal).toBe('org-12');
    expect(projectBefore(afterPrefix(fromGlob('repo:acme/*:ref:refs/heads/main'), 'repo:'), [0x2f, 0x40]).literal).toBe('acme');
    expect(projectBeforeNth(fromGlob('acme/app/.github/workflows/*'), 0x2f, 2).literal).toBe('acme/app');
    expect(fromRegex('refs/heads/main').literal).toBe('refs/heads/main');
    expect(fromRegex('').literal).toBe('');
    // More than one word, or a loop: not a literal.
    for (const nfa of [projectBefore(fromGlob('org-*/x'), [0x2f]), projectBefore(fromGlob('a*/b'), [0x2f]), fromRegex('refs/heads/(main|dev)'), fromRegex('a+'), fromGlob('a?')]) expect(nfa.literal).toBeUndefined();
    // Same answers as before the shortcut: membership and searches.
    const owners = projectBefore(fromGlob('org-12/*'), [0x2f]);
    expect([acceptsWord(owners, 'org-12'), acceptsWord(owners, 'org-1'), acceptsWord(owners, 'org-12/')]).toEqual([true, false, false]);
    expect(findWord({ include: [owners, fromGlob('org-*')] })).toBe('org-12');
    expect(findWord({ include: [owners], exclude: [fromLiteral('org-12')] })).toBeUndefined();
  });

  it('a language with no start state has no word, with or without exclusions', () => {
    // `acme/*` read past `other/` leaves no state: the search must answer at once, not spin.
    const none = afterPrefix(fromGlob('acme/*'), 'other/');
    expect(findWord({ include: [none] })).toBeUndefined();
    expect(findWord({ include: [fromGlob('*'), none], exclude: [fromGlob('x*')] })).toBeUndefined();
    expect(findWord({ include: [fromGlob('*')], exclude: [none] })).toBe('');
  });

  it('the part before a separator: a prefix that ends right before `/` in some matched value', () => {
    fc.assert(
      fc.property(instantiatedArb, ({ pattern, value }) => {
        const owners = projectBefore(fromGlob(pattern), [0x2f]);
        const cps = Array.from(value);
        const at = cps.indexOf('/');
        if (at >= 0) expect(acceptsWord(owners, cps.slice(0, at).join(''))).toBe(true);
      }),
      RUNS,
    );
  });

  it('the part before the nth separator: of a matched value, and of a literal exactly that one word', () => {
    /** The part of `value` before its nth `/`, if it has that many. */
    const beforeNth = (value: string, n: number) => {
      const cps = Array.from(value);
      for (let i = 0, seen = 0; i < cps.length; i++) if (cps[i] === '/' && ++seen === n) return cps.slice(0, i).join('');
      return undefined;
    };
    fc.assert(
      fc.property(instantiatedArb, fc.integer({ min: 1, max: 3 }), ({ pattern, value }, n) => {
        const expected = beforeNth(value, n);
        if (expected !== undefined) expect(acceptsWord(projectBeforeNth(fromGlob(pattern), 0x2f, n), expected)).toBe(true);
        const literal = projectBeforeNth(fromLiteral(value), 0x2f, n);
        if (expected === undefined) expect(findWord({ include: [literal] })).toBeUndefined();
        else {
          expect(acceptsWord(literal, expected)).toBe(true);
          expect(findWord({ include: [literal], exclude: [fromLiteral(expected)] })).toBeUndefined();
        }
      }),
      RUNS,
    );
    expect(acceptsWord(projectBeforeNth(fromLiteral('acme/app/.github/workflows/ci.yml@refs/heads/main'), 0x2f, 2), 'acme/app')).toBe(true);
  });
});
