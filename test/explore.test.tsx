// `explore` as a component, driven through ink-testing-library's stdin like a terminal: typing a
// subject flips the right rule, a pasted JWT is decoded and never shown, the help overlay lists
// every key, `w` loads a witness, bursts of keys in one chunk edit correctly, NO_COLOR has no escapes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ExploreApp } from '../src/tui/app.js';
import { loadSource, planSources, type SourceEntry } from '../src/tui/sources.js';
import { KEY_HELP } from '../src/tui/state.js';
import { sharedSubjectTemplate } from '../src/lint/config.js';
import { ROOT } from './helpers/cli.js';

const EXAMPLE = join(ROOT, 'fixtures/examples/acme/terraform-modules');
const ESC = '\u001b';
const tmp = mkdtempSync(join(tmpdir(), 'sts-explore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A repo whose policy lint flags with witnesses: `acme*` admits the look-alike owner `acme-evil`. */
function lookalikeRepo(): string {
  const dir = join(tmp, 'acme', 'modules');
  mkdirSync(join(dir, '.atmos/pro/sts'), { recursive: true });
  writeFileSync(
    join(dir, '.atmos/pro/sts/default.yaml'),
    [
      '# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json',
      'apiVersion: atmos-pro.com/v1alpha1',
      'kind: TrustPolicy',
      'metadata:',
      '  name: default',
      'spec:',
      '  rules:',
      '    - match:',
      '        repository: "acme*"',
      '        environment: "production"',
      '      permissions:',
      '        contents: write',
      '',
    ].join('\n'),
  );
  return dir;
}

function entriesOf(...paths: string[]): SourceEntry[] {
  const plan = planSources(paths);
  expect(plan.errors).toEqual([]);
  return plan.sources.map(loadSource);
}

type Rendered = ReturnType<typeof render>;
let current: Rendered | undefined;
afterEach(() => {
  current?.unmount();
  current = undefined;
});

function start(entries: SourceEntry[], opts: { color?: boolean; columns?: number; rows?: number } = {}): Rendered {
  current = render(<ExploreApp entries={entries} color={opts.color ?? false} size={{ columns: opts.columns ?? 100, rows: opts.rows ?? 30 }} />);
  return current;
}

const frame = (r: Rendered) => r.lastFrame() ?? '';

/** Polls until the last frame satisfies `ok`; fails with the frame after a deadline. */
async function until(r: Rendered, ok: (frame: string) => boolean, what: string, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const f = frame(r);
    if (ok(f)) return f;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen shows:\n${f}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** Writes one stdin chunk (a key, or a burst) and lets Ink process it. */
async function send(r: Rendered, chunk: string): Promise<void> {
  r.stdin.write(chunk);
  await new Promise((res) => setTimeout(res, 15));
}

async function typeEach(r: Rendered, text: string): Promise<void> {
  for (const ch of text) await send(r, ch);
}

/** The screen line of a claims field (left pane), e.g. `subject`. */
function fieldLine(f: string, label: string): string {
  const l = f.split('\n').find((x) => new RegExp(`^[▸ ] ${label} `).test(x));
  if (!l) throw new Error(`no ${label} row on the screen:\n${f}`);
  return l.split('│')[0]!.trimEnd();
}

/** The left column (Claims, Rules) of a frame, its lines trimmed. */
const left = (f: string) => f.split('\n').map((l) => l.split('│')[0]!.trimEnd()).join('\n');

async function ready(r: Rendered): Promise<void> {
  await until(r, (f) => f.includes('Claims') && f.includes('Policies'), 'the first frame');
  // Ink subscribes to stdin in an effect, after the first frame.
  await new Promise((res) => setTimeout(res, 30));
}

describe('explore: typing a subject', () => {
  it('flips the rule it satisfies to matching, and the outcome to minted', async () => {
    const r = start(entriesOf(EXAMPLE));
    await ready(r);
    expect(frame(r)).toContain('trust_policy_denied');
    await typeEach(r, 'repo:acme/infra:ref:refs/heads/main');
    const f = await until(r, (x) => x.includes('minted with contents: read, metadata: read'), 'minted');
    expect(f).toContain('✓ rule 1 L10 matches, decides the grant');
    expect(f).toMatch(/✗ rule 2 L14 2 of 2 matchers fail/);
    // The subject was parsed into the claims the rule reads.
    expect(fieldLine(f, 'repository')).toMatch(/repository +acme\/infra$/);
    expect(fieldLine(f, 'ref')).toMatch(/ref +refs\/heads\/main$/);
    expect(fieldLine(f, 'ref_type')).toMatch(/ref_type +branch$/);
  });

  it('an environment subject flips rule 2 instead, with its permissions', async () => {
    const r = start(entriesOf(EXAMPLE));
    await ready(r);
    await send(r, 'repo:acme/platform:environment:production');
    const f = await until(r, (x) => x.includes('✓ rule 2'), 'rule 2 to match');
    expect(f).toContain('✓ rule 2 L14 matches, decides the grant');
    expect(left(f)).toMatch(/minted with contents: read, metadata: read,\n +pull_requests: write/);
    expect(f).toContain('✗ rule 1 L10');
    expect(f).toContain('[x] job has an environment');
    expect(fieldLine(f, 'environment')).toMatch(/production$/);
  });

  it('shows each failing matcher with its value, pattern and reason, the failing part marked', async () => {
    const r = start(entriesOf(EXAMPLE));
    await ready(r);
    await send(r, 'repo:acme/infra:ref:refs/heads/dev');
    const f = await until(r, (x) => x.includes('✗ ref  refs/heads/dev'), 'the ref matcher');
    const lines = f.split('\n').map((l) => l.split('│')[0]!);
    const at = lines.findIndex((l) => l.includes('✗ ref  refs/heads/dev'));
    expect(lines[at + 1]!.indexOf('^^^')).toBe(lines[at]!.indexOf('dev'));
    expect(lines[at + 2]).toContain('glob refs/heads/main');
    expect(f).toContain('glob stops matching at offset 11');
  });
});

describe('explore: a pasted JWT', () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
  const payload = b64({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:acme/platform:environment:production', repository: 'acme/platform', repository_owner: 'acme', ref: 'refs/heads/main', ref_type: 'branch', environment: 'production', actor: 'octocat', run_id: '42', exp: 2 });
  const signature = 'Zm9v'.repeat(80);
  const token = `${header}.${payload}.${signature}`;

  it('is decoded locally into the claims and never shown, even while it arrives in pieces', async () => {
    const r = start(entriesOf(EXAMPLE));
    await ready(r);
    const cut1 = header.length + 20;
    const cut2 = header.length + payload.length + 40;
    await send(r, token.slice(0, cut1));
    await send(r, token.slice(cut1, cut2));
    await send(r, `${token.slice(cut2)}\r\n`);
    const f = await until(r, (x) => x.includes('JWT decoded locally'), 'the decoded JWT');
    expect(f).toContain('(JWT)');
    expect(left(f)).toMatch(/minted with contents: read, metadata: read,\n +pull_requests: write/);
    expect(fieldLine(f, 'actor')).toMatch(/octocat$/);
    const pieces = [header, ...payload.match(/.{1,12}/g)!, signature.slice(0, 12)].filter((p) => p.length >= 8);
    for (const shown of r.frames) for (const p of pieces) expect(shown).not.toContain(p);
    // Ctrl+U clears the token and lets the subject be typed again.
    await send(r, '\u0015');
    const cleared = await until(r, (x) => x.includes('JWT cleared'), 'the JWT to clear');
    expect(fieldLine(cleared, 'subject')).toContain('(absent)');
  });
});

describe('explore: keys', () => {
  it('? shows the help overlay with every key, and closes it again', async () => {
    const r = start(entriesOf(EXAMPLE));
    await ready(r);
    await send(r, '\t');
    await send(r, '?');
    const f = await until(r, (x) => x.includes('every binding'), 'the help');
    for (const [key, what] of KEY_HELP) {
      expect(f).toContain(key);
      expect(f).toContain(what);
    }
    await send(r, '?');
    await until(r, (x) => x.includes('Claims') && !x.includes('every binding'), 'the help to close');
  });

  it('w loads the selected finding\'s witness: the look-alike owner gets in', async () => {
    const r = start(entriesOf(lookalikeRepo()));
    await ready(r);
    expect(frame(r)).toContain('✗ denied');
    for (let i = 0; i < 3; i++) await send(r, '\t');
    await until(r, (x) => x.includes('▶ Findings'), 'the Findings pane');
    for (let i = 0; i < 8 && !/▸ error +L9 security\/owner-prefix/.test(frame(r)); i++) await send(r, 'j');
    expect(frame(r)).toMatch(/▸ error +L9 security\/owner-prefix \[w\]/);
    await send(r, 'w');
    const f = await until(r, (x) => x.includes('loaded the witness of security/owner-prefix'), 'the witness');
    expect(fieldLine(f, 'owner')).toMatch(/acme-evil$/);
    expect(f).toContain('✓ minted');
    expect(f).toContain('minted with contents: write, metadata: read');
  });

  it('splits bursts: several Backspaces in one chunk delete that many characters', async () => {
    const r = start(entriesOf(EXAMPLE));
    await ready(r);
    await send(r, 'repo:acme/infra:ref:refs/heads/mainXYZ');
    await until(r, (x) => fieldLine(x, 'subject').endsWith('mainXYZ▏'), 'the typed subject');
    await send(r, '\u007f\u007f\u007f');
    const f = await until(r, (x) => fieldLine(x, 'subject').endsWith('refs/heads/main▏'), 'three characters deleted');
    expect(f).toContain('✓ rule 1');
    // Two Backspaces and text in one chunk, in order.
    await send(r, '\u007f\u007fin');
    await until(r, (x) => fieldLine(x, 'subject').endsWith('refs/heads/main▏'), 'the same subject again');
  });

  it('Ctrl+U clears the field (no "u"), and other control characters are dropped', async () => {
    const r = start(entriesOf(EXAMPLE));
    await ready(r);
    await send(r, 'repo:acme/infra');
    await send(r, '\u0015');
    let f = await until(r, (x) => fieldLine(x, 'subject').includes('(absent)'), 'the cleared subject');
    expect(fieldLine(f, 'subject')).toMatch(/^▸ subject +▏\(absent\)$/);
    await send(r, 'ab\u0015cd\u0007e\u0001');
    f = await until(r, (x) => fieldLine(x, 'subject').endsWith('cde▏'), 'cde');
    expect(fieldLine(f, 'subject')).toMatch(/subject +cde▏$/);
  });

  it('/ filters the policies, and Esc clears the filter', async () => {
    const r = start(entriesOf(EXAMPLE, join(ROOT, 'fixtures/valid')));
    await ready(r);
    await send(r, '\t');
    await send(r, '/');
    await typeEach(r, 'named');
    const f = await until(r, (x) => /Policies 1 of \d+/.test(x), 'the filtered list');
    expect(f).toContain('valid/named-ci');
    expect(f).not.toContain('terraform-modules  default');
    await send(r, ESC);
    await until(r, (x) => x.includes('terraform-modules'), 'the whole list');
  });
});

describe('explore: the screen', () => {
  it('has no escape sequences with colour off (NO_COLOR), and has them with colour on', async () => {
    const plain = start(entriesOf(EXAMPLE), { color: false });
    await ready(plain);
    await send(plain, 'repo:acme/infra:ref:refs/heads/dev');
    await send(plain, '\t');
    await until(plain, (x) => x.includes('▶ Policies'), 'the Policies pane');
    for (const f of plain.frames) expect(f).not.toContain(ESC);
    plain.unmount();
    const colored = start(entriesOf(EXAMPLE), { color: true });
    await ready(colored);
    expect(frame(colored)).toContain(`${ESC}[`);
  });

  it('fits 80x24, and says so when the terminal is too small', async () => {
    const r = start(entriesOf(EXAMPLE, join(ROOT, 'fixtures/valid')), { columns: 80, rows: 24 });
    await ready(r);
    await send(r, 'repo:acme/infra:ref:refs/heads/main');
    const f = await until(r, (x) => x.includes('minted'), 'minted');
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(80);
    r.unmount();
    const small = start(entriesOf(EXAMPLE), { columns: 50, rows: 15 });
    await until(small, (x) => /needs at least\s+60×20/.test(x), 'the size notice');
  });
});

describe('explore under the subject template of the checkout\'s .sts-policy.yaml', () => {
  const checkout = join(ROOT, 'fixtures/subject-template/owner-context');
  const plan = planSources([checkout], 'lookalike');
  // What `explore` passes the UI: the template the sources' settings share.
  const template = sharedSubjectTemplate(plan.sources.map((s) => s.path));

  it('reads the settings\' template', () => {
    expect(template).toEqual(['repository_owner', 'context']);
  });

  it('a typed subject is read with it: the owner and ref are derived, and the note names the template', async () => {
    current = render(<ExploreApp entries={plan.sources.map(loadSource)} subjectTemplate={template} color={false} size={{ columns: 160, rows: 32 }} />);
    const r = current;
    await ready(r);
    await send(r, 'repository_owner:acme:ref:refs/heads/main');
    const f = await until(r, (x) => fieldLine(x, 'owner').endsWith('acme'), 'the derived owner');
    expect(fieldLine(f, 'ref')).toMatch(/refs\/heads\/main$/);
    expect(f).toContain('subject template [repository_owner, context]: claims derived');
    expect(f).toContain('✓ minted');
  });

  it('w loads the owner-prefix witness, a whole token under the template: the look-alike owner gets in', async () => {
    current = render(<ExploreApp entries={plan.sources.map(loadSource)} subjectTemplate={template} color={false} size={{ columns: 160, rows: 32 }} />);
    const r = current;
    await ready(r);
    for (let i = 0; i < 3; i++) await send(r, '\t');
    await until(r, (x) => x.includes('▶ Findings'), 'the Findings pane');
    for (let i = 0; i < 8 && !/▸ error +L10 security\/owner-prefix/.test(frame(r)); i++) await send(r, 'j');
    await send(r, 'w');
    const f = await until(r, (x) => x.includes('loaded the witness of security/owner-prefix'), 'the witness');
    expect(fieldLine(f, 'subject')).toContain('repository_owner:acme-evil:ref:refs/heads/m');
    expect(fieldLine(f, 'owner')).toMatch(/acme-evil$/);
    expect(f).toContain('✓ minted');
    // Editing the subject afterwards still reads it with the template.
    await send(r, '\t');
    await until(r, (x) => x.includes('▶ Claims'), 'the Claims pane');
    await send(r, '\u0015');
    await send(r, 'repository_owner:acme-labs:pull_request');
    const g = await until(r, (x) => fieldLine(x, 'owner').endsWith('acme-labs'), 'the re-derived owner');
    expect(fieldLine(g, 'ref_type')).toMatch(/branch$/);
  });
});
