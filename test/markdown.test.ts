// The Markdown helpers every PR comment and job summary goes through: untrusted policy text must
// come out inert (no HTML, link, autolink or mention) and read the same to a person.
import { describe, expect, it } from 'vitest';
import { code, text } from '../src/report/markdown.js';

describe('text()', () => {
  it('breaks autolinks, mentions and HTML, keeping the characters a reader sees', () => {
    const input = 'see https://evil.example/x, www.evil.example and @octocat <img src=x>';
    const out = text(input);
    expect(out).not.toMatch(/https?:\/\//);
    expect(out).not.toMatch(/www\./i);
    expect(out).not.toMatch(/@[a-z]/);
    expect(out).not.toMatch(/(^|[^\\])</); // every `<` is backslash-escaped
    // Rendered, the escapes disappear and zero-width spaces are invisible: the reader sees the input.
    expect(out.replace(/\u200b/g, '').replace(/\\(.)/g, '$1')).toBe(input);
  });

  it('escapes link and emphasis syntax and flattens newlines', () => {
    expect(text('[x](y) *a* _b_\nnext')).toBe('\\[x\\]\\(y\\) \\*a\\* \\_b\\_ next');
  });
});

describe('code()', () => {
  it('fences values with backticks and escapes table pipes', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('a|b')).toBe('`a\\|b`');
  });
});
