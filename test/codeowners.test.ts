// CODEOWNERS semantics: GitHub's documented example file, pattern tables, the unsupported syntax, and
// a differential test against the `ignore` package (gitignore semantics) where the two agree.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ignore from 'ignore';
import { compilePattern, parseCodeowners, parseOwner, ruleFor } from '../src/pr-check/codeowners.js';

const ownersOf = (file: string, path: string) => {
  const rule = ruleFor(parseCodeowners(file), path);
  return rule ? rule.owners : null;
};
const matches = (pattern: string, path: string) => compilePattern(pattern).matches(path.split('/'));

// The example file of GitHub's "About code owners" page, section by section.
const GITHUB_EXAMPLE = `# This is a comment.
# Each line is a file pattern followed by one or more owners.

# These owners will be the default owners for everything in
# the repo. Unless a later match takes precedence,
# @global-owner1 and @global-owner2 will be requested for
# review when someone opens a pull request.
*       @global-owner1 @global-owner2

# Order is important; the last matching pattern takes the most
# precedence. When someone opens a pull request that only
# modifies JS files, only @js-owner and not the global
# owner(s) will be requested for a review.
*.js    @js-owner #This is an inline comment.

# You can also use email addresses if you prefer. They'll be
# used to look up users just like we do for commit author
# emails.
*.go docs@example.com

# Teams can be specified as code owners as well. Teams should
# be identified in the format @org/team-name.
*.txt @octo-org/octocats

# In this example, @doctocat owns any files in the build/logs
# directory at the root of the repository and any of its
# subdirectories.
/build/logs/ @doctocat

# The \`docs/*\` pattern will match files like
# \`docs/getting-started.md\` but not further nested files like
# \`docs/build-app/troubleshooting.md\`.
docs/*  docs@example.com

# In this example, @octocat owns any file in an apps directory
# anywhere in your repository.
apps/ @octocat

# In this example, @doctocat owns any file in the \`/docs\`
# directory in the root of your repository and any of its
# subdirectories.
/docs/ @doctocat

# In this example, any change inside the \`/scripts\` directory
# will require approval from @doctocat or @octocat.
/scripts/ @doctocat @octocat

# In this example, @octocat owns any file in a \`/logs\` directory such as
# \`/build/logs\`, \`/scripts/logs\`, and \`/deeply/nested/logs\`.
**/logs @octocat

# @octocat owns any file in the \`/apps\` directory in the root of your
# repository except for the \`/apps/github\` subdirectory, as its owners are left empty.
/apps/ @octocat
/apps/github
`;

describe("GitHub's documented CODEOWNERS example", () => {
  const co = parseCodeowners(GITHUB_EXAMPLE);

  it('parses every rule and no errors; inline comments are not owners', () => {
    expect(co.errors).toEqual([]);
    expect(co.rules.map((r) => r.pattern)).toEqual(['*', '*.js', '*.go', '*.txt', '/build/logs/', 'docs/*', 'apps/', '/docs/', '/scripts/', '**/logs', '/apps/', '/apps/github']);
    expect(co.rules[1]!.owners).toEqual(['@js-owner']);
  });

  it.each([
    ['README.md', ['@global-owner1', '@global-owner2']],
    ['src/index.js', ['@js-owner']],
    ['cmd/main.go', ['docs@example.com']],
    ['notes/a.txt', ['@octo-org/octocats']],
    ['build/logs/today/x.log', ['@octocat']], // **/logs comes later and also matches
    ['build/logs/x.md', ['@octocat']],
    ['src/build/logs/x.md', ['@octocat']],
    ['docs/getting-started.md', ['@doctocat']], // /docs/ is later than docs/*
    ['docs/build-app/troubleshooting.md', ['@doctocat']],
    ['web/apps/main.ts', ['@octocat']],
    ['scripts/deploy.sh', ['@doctocat', '@octocat']],
    ['deeply/nested/logs/a', ['@octocat']],
    ['apps/main/index.ts', ['@octocat']],
    ['apps/github/index.ts', []], // un-owned by an owner-less rule
  ] as const)('%s is owned by %j', (path, owners) => {
    expect(ruleFor(co, path)?.owners).toEqual(owners);
  });

  it('docs/* covers one level only (checked without the later /docs/ rule)', () => {
    const file = '* @all\ndocs/* docs@example.com\n';
    expect(ownersOf(file, 'docs/getting-started.md')).toEqual(['docs@example.com']);
    expect(ownersOf(file, 'docs/build-app/troubleshooting.md')).toEqual(['@all']);
  });

  it('a later owner replaces an earlier one (the last match wins)', () => {
    expect(ownersOf('/apps/ @octocat\n/apps/github @doctocat\n', 'apps/github/x.ts')).toEqual(['@doctocat']);
    expect(ownersOf('/apps/github @doctocat\n/apps/ @octocat\n', 'apps/github/x.ts')).toEqual(['@octocat']);
  });
});

describe('pattern semantics', () => {
  it.each([
    // [pattern, path, matches]
    ['.atmos/pro/sts/default.yaml', '.atmos/pro/sts/default.yaml', true],
    ['.atmos/pro/sts/default.yaml', 'x/.atmos/pro/sts/default.yaml', false], // an inner slash anchors
    ['/.atmos/', '.atmos/pro/sts/default.yaml', true],
    ['/.atmos/', 'sub/.atmos/pro/sts/default.yaml', false],
    ['.atmos/', 'sub/.atmos/pro/sts/default.yaml', true], // only a trailing slash: any depth
    ['.atmos', '.atmos/pro/sts/default.yaml', true], // a name covers a directory's contents
    ['sts/', '.atmos/pro/sts/default.yaml', true],
    ['sts/', 'sts', false], // a trailing slash means a directory, never a file
    ['*.yaml', '.atmos/pro/sts/default.yaml', true],
    ['/*.yaml', '.atmos/pro/sts/default.yaml', false],
    ['/*.yaml', 'default.yaml', true],
    ['.atmos/*', '.atmos/pro/sts/default.yaml', false], // one level only
    ['.atmos/pro/sts/*', '.atmos/pro/sts/default.yaml', true],
    ['.atmos/*/sts/default.yaml', '.atmos/pro/sts/default.yaml', true],
    ['.atmos/*/default.yaml', '.atmos/pro/sts/default.yaml', false], // * does not cross /
    ['.atmos/**/default.yaml', '.atmos/pro/sts/default.yaml', true],
    ['.atmos/**/default.yaml', '.atmos/default.yaml', true], // ** spans zero directories too
    ['**/sts/*.yaml', '.atmos/pro/sts/ci.yaml', true],
    ['.atmos/**', '.atmos/pro/sts/ci.yaml', true],
    ['.atmos/**', '.atmos', false],
    ['.atmos/**/', '.atmos/pro/sts/default.yaml', true],
    ['.atmos/**/', '.atmos/notes.md', false], // the trailing slash still needs a directory
    ['**/', 'a/b', true],
    ['**/', 'top.txt', false],
    ['**', 'anything/at/all', true],
    ['*', 'anything/at/all', true],
    ['/*', 'top.txt', true],
    ['/*', 'dir/file.txt', false],
    ['default.yam?', '.atmos/pro/sts/default.yaml', true],
    ['default.yam?', '.atmos/pro/sts/default.yam', false],
    ['Default.yaml', '.atmos/pro/sts/default.yaml', false], // case-sensitive
    ['/.Atmos/', '.atmos/pro/sts/default.yaml', false],
    ['a\\*b', 'a*b', true], // an escaped star is literal
    ['a\\*b', 'axb', false],
    ['my\\ file.txt', 'my file.txt', true],
    ['d*t', 'déjàvu/dét', true], // code points, not bytes
  ] as const)('%s vs %s -> %s', (pattern, path, expected) => {
    expect(matches(pattern, path)).toBe(expected);
  });

  it('parses an escaped space as part of the pattern', () => {
    const co = parseCodeowners('my\\ file.txt @octocat\n');
    expect(co.rules[0]!.pattern).toBe('my\\ file.txt');
    expect(ruleFor(co, 'my file.txt')?.owners).toEqual(['@octocat']);
  });

  it('stays fast on a pattern built to make a backtracking matcher explode', () => {
    const path = `${'a'.repeat(3000)}/${'a/'.repeat(200)}b`;
    expect(matches(`${'*a'.repeat(40)}*c`, path)).toBe(false);
    expect(matches(`${'**/'.repeat(40)}c`, path)).toBe(false);
    expect(matches(`${'**/'.repeat(40)}b`, path)).toBe(true);
  });
});

describe('errors GitHub reports (the line is skipped, not a pattern)', () => {
  it.each([
    ['!/.atmos/ @octocat', 'negation'],
    ['/.atmos/pro/sts/[abc].yaml @octocat', 'character ranges'],
    ['*.y[a]ml @octocat', 'character ranges'],
    ['\\#notes @octocat', 'escaping a leading `#`'],
    ['/ @octocat', 'never matches'],
    ['* octocat', 'invalid owner'],
    ['* @octo/cat/s', 'invalid owner'],
  ])('%s', (line, message) => {
    const co = parseCodeowners(`* @everyone-else\n${line}\n`);
    expect(co.rules.map((r) => r.line)).toEqual([1]);
    expect(co.errors).toHaveLength(1);
    expect(co.errors[0]!.line).toBe(2);
    expect(co.errors[0]!.message).toContain(message);
    expect(co.errors[0]!.source).toBe(line);
  });

  it('an escaped bracket is a literal, not a range', () => {
    const co = parseCodeowners('a\\[1\\].txt @octocat\n');
    expect(co.errors).toEqual([]);
    expect(ruleFor(co, 'a[1].txt')?.owners).toEqual(['@octocat']);
  });

  it('reports the column of the bad owner', () => {
    expect(parseCodeowners('/docs/   @ok not-an-owner\n').errors[0]).toMatchObject({ line: 1, column: 14 });
  });

  it('ignores comments, blank lines and CRLF line ends', () => {
    const co = parseCodeowners('# comment\r\n\r\n   # indented comment\r\n/a/ @x\r\n');
    expect(co.errors).toEqual([]);
    expect(co.rules).toMatchObject([{ line: 4, pattern: '/a/', owners: ['@x'] }]);
  });
});

describe('owners', () => {
  it.each([
    ['@octocat', { kind: 'user', login: 'octocat' }],
    ['@octo-org/octocats', { kind: 'team', org: 'octo-org', slug: 'octocats' }],
    ['@acme/platform.security_team', { kind: 'team', org: 'acme', slug: 'platform.security_team' }],
    ['docs@example.com', { kind: 'email', email: 'docs@example.com' }],
  ])('%s', (text, owner) => expect(parseOwner(text)).toEqual(owner));

  it.each(['octocat', '@', '@-octocat', '@octo--cat', '@octocat-', '@a/b/c', 'mail@host', 'a@.b', 'a@b.', 'a@b@c.d', '@b.c'])('%s is not an owner', (text) => expect(parseOwner(text)).toBeUndefined());

  it('parses a 3 MB line of hostile owner tokens in linear time (no backtracking over pull request text)', () => {
    // An e-mail regex backtracked quadratically on a run of dots: 80 KB took 12 s.
    const dots = '.'.repeat(3 * 1024 * 1024 - 64);
    const started = performance.now();
    const co = parseCodeowners(`* @alice\n/.atmos/ x@${dots}\n/b/ @${dots}\n`);
    expect(performance.now() - started).toBeLessThan(2000);
    // `x@...` has the shape of an e-mail address, as GitHub's rule reads it; `@...` is no owner.
    expect(co.rules.map((r) => r.line)).toEqual([1, 2]);
    expect(co.errors.map((e) => [e.line, e.message.length < 300])).toEqual([[3, true]]);
  });
});

describe('differential: agrees with `ignore` (gitignore, case-sensitive) where GitHub keeps gitignore semantics', () => {
  const segment = fc.constantFrom('a', 'b', 'ab', 'a.b', '.a', '*', 'a*', '*b', '?', 'a?', '**', 'A');
  const pattern = fc
    .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([lead, segs, trail]) => `${lead ? '/' : ''}${segs.join('/')}${trail ? '/' : ''}`);
  const path = fc.array(fc.constantFrom('a', 'b', 'ab', 'a.b', '.a', 'A', 'ba', 'aab'), { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));

  /**
   * Where GitHub departs from gitignore (so `ignore` is no oracle): a final lone `*` after a named
   * directory covers one level only (`docs/*`).
   */
  const githubSpecific = (p: string) => {
    const segs = p.replace(/^\//, '').split('/');
    return segs[segs.length - 1] === '*' && (segs.length > 1 || p.startsWith('/')) && segs[segs.length - 2] !== '**';
  };

  it('on random patterns and paths', () => {
    fc.assert(
      fc.property(pattern, path, (p, file) => {
        fc.pre(!githubSpecific(p));
        expect(matches(p, file), `${p} vs ${file}`).toBe(ignore({ ignorecase: false }).add(p).ignores(file));
      }),
      { numRuns: 3000 },
    );
  });

  it('and disagrees exactly where GitHub documents its own rule', () => {
    expect(matches('docs/*', 'docs/build-app/troubleshooting.md')).toBe(false);
    expect(ignore({ ignorecase: false }).add('docs/*').ignores('docs/build-app/troubleshooting.md')).toBe(true);
  });
});
