// Generates a deterministic tree of policy files for the throughput bench:
//   <dir>/org-<i>/repo-<j>/.atmos/pro/sts/<name>.yaml   (one policy per repository)
// Content varies like real policies: 1-5 rules, globs, some `{regex: ...}` matchers (flow and block
// style, single- and double-quoted), some permissions, comments, and about 1% invalid files of
// several kinds plus a few warning-only ones. The tree is cached: it is regenerated only when
// GENERATOR_VERSION, the file count or the seed changes (bump the version whenever output changes).
//
//   node bench/gen-tree.mjs [dir] [count]    # standalone use
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const GENERATOR_VERSION = 2;
const SEED = 0x5757_2024;

/** mulberry32: small, fast, deterministic. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The claim each invalid kind writes into its rule (kept out of that rule's random claims). */
const RESERVED = { 'unknown-claim': 'branch', 'regex-lookahead': 'ref', 'unquoted-asterisk': 'workflow_ref', 'duplicate-key': 'sha', 'yaml-syntax': 'environment' };
const INVALID_KINDS = ['unknown-claim', 'regex-lookahead', 'bad-level', 'unsupported-level', 'unquoted-asterisk', 'name-mismatch', 'duplicate-key', 'yaml-syntax'];

/**
 * Rule shapes of real policies, weighted: each admits one coherent kind of caller (claims that
 * agree with each other), mostly the org's own repositories, sometimes a neighbour org or a shared owner.
 */
export function ruleTemplates(pick, hex) {
  return [
    [5, (w, n) => ({ repository: glob(`${w}/${n}`), ref: glob('refs/heads/main') })],
    [5, (w, n) => ({ subject: glob(`repo:${w}/${n}:ref:refs/heads/main`) })],
    [3, (w) => ({ repository_owner: glob(w), environment: glob(pick(['production', 'staging', 'prod-*'])) })],
    [3, (w) => ({ repository: glob(`${w}/platform-*`), ref_type: glob('tag'), ref: glob('refs/tags/v*') })],
    [2, (w) => ({ subject: glob(`repo:${w}/*:environment:${pick(['production', 'prod-*'])}`) })],
    [2, (w, n) => ({ workflow_ref: glob(`${w}/${n}/.github/workflows/${pick(['deploy', 'release', 'plan'])}.yml@refs/heads/main`), repository: glob(`${w}/${n}`) })],
    [2, (w) => ({ repository_owner: glob(w), actor: glob(pick(['renovate-bot', 'deploy-*', `${w}-ci`])) })],
    [2, (w) => ({ repository: regex(`${w}/(infra|platform)-[a-z0-9-]+`), ref: regex(pick(['refs/heads/(main|release/v[0-9]+\\.[0-9]+)', 'refs/heads/main'])) })],
    [1, (w, n) => ({ sha: glob(hex()), repository: glob(`${w}/${n}`) })],
    [1, (w) => ({ repository: regex(`${w}/repo-\\d{1,3}`), environment: regex(pick(['prod(uction)?', '(staging|qa)-[a-z0-9]+'])) })],
    [1, (w) => ({ subject: regex(`repo:${w}/[^:]+:ref:refs/heads/main`) })],
    [1, (w) => ({ repository: glob(`${w}/?-tools`), ref: glob('refs/heads/release/*') })],
    [1, (w) => ({ repository: glob(`${w}/*`) })],
  ];
}

/** Draws a template by weight. */
export function templatePicker(templates, r) {
  const weightTotal = templates.reduce((n, [w]) => n + w, 0);
  return () => {
    let x = r() * weightTotal;
    for (const [w, t] of templates) if ((x -= w) < 0) return t;
    return templates[0][1];
  };
}

const glob = (v) => ({ glob: v });
const regex = (v) => ({ regex: v });

/** One policy's text and what the linter should say about it. */
export function policyText(org, repo, name, r) {
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const chance = (p) => r() < p;
  const o = `org-${org}`;
  const dq = (s) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const sq = (s) => `'${s.replace(/'/g, "''")}'`;
  const hex = () => Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');

  const template = templatePicker(ruleTemplates(pick, hex), r);
  const perms = [['contents', ['read', 'read', 'write']], ['pull_requests', ['read', 'write']], ['issues', ['read', 'write']], ['actions', ['read']], ['checks', ['write']], ['statuses', ['write']], ['deployments', ['read', 'write']], ['packages', ['read']]];

  const invalid = chance(0.012) ? pick(INVALID_KINDS) : undefined;
  const warning = !invalid && chance(0.004);
  const lines = [];
  if (chance(0.4)) lines.push('# yaml-language-server: $schema=https://atmos-pro.com/schemas/v1alpha1/trust-policy.json');
  if (chance(0.5)) lines.push(`# Who may mint a token for ${o}/repo-${repo}`);
  lines.push('apiVersion: atmos-pro.com/v1alpha1', 'kind: TrustPolicy', 'metadata:', `  name: ${invalid === 'name-mismatch' ? `${name}-old` : name}`, 'spec:', '  rules:');
  const ruleCount = 1 + Math.floor(r() * r() * 5.99); // skewed towards 1-2 rules
  const bad = invalid ? Math.floor(r() * ruleCount) : -1;
  for (let i = 0; i < ruleCount; i++) {
    if (chance(0.3)) lines.push(`    # rule ${i + 1}`);
    lines.push('    - match:');
    const who = chance(0.75) ? o : chance(0.6) ? `org-${(org + 1 + Math.floor(r() * 5)) % 100}` : 'acme';
    const match = template()(who, pick(['infra', 'platform', 'deploy-tools', `repo-${(repo + 1 + Math.floor(r() * 9)) % 100}`]));
    // Claims the bad or warning line below adds are left out here, so a file has one defect.
    if (i === bad) delete match[RESERVED[invalid]];
    if (warning && i === 0) delete match.actor;
    if (!Object.keys(match).length) match.repository_owner = glob(who);
    for (const [claim, m] of Object.entries(match)) {
      if (m.regex) {
        const quoted = chance(0.5) ? sq(m.regex) : dq(m.regex);
        if (chance(0.5)) lines.push(`        ${claim}: {regex: ${quoted}}`);
        else lines.push(`        ${claim}:`, `          regex: ${quoted}`);
      } else lines.push(`        ${claim}: ${chance(0.85) || m.glob.startsWith('*') ? dq(m.glob) : m.glob}`);
    }
    if (i === bad) {
      if (invalid === 'unknown-claim') lines.push(`        branch: "main"`);
      if (invalid === 'regex-lookahead') lines.push(`        ref: {regex: 'refs/heads/(?!wip/).*'}`);
      if (invalid === 'unquoted-asterisk') lines.push(`        workflow_ref: *.yml`);
      if (invalid === 'duplicate-key') lines.push(`        sha: "${'a'.repeat(40)}"`, `        sha: "${'b'.repeat(40)}"`);
      if (invalid === 'yaml-syntax') lines.push(`        environment: "production`);
    }
    if (warning && i === 0) lines.push(`        actor: {regex: '\\p{Letter}+-ci'}`);
    const wantPerms = i === bad && (invalid === 'bad-level' || invalid === 'unsupported-level');
    if (wantPerms || chance(0.35)) {
      lines.push('      permissions:');
      const chosen = perms.filter(([p]) => !(wantPerms && p === 'issues') && chance(0.3));
      if (!chosen.length) chosen.push(perms[0]);
      for (const [perm, levels] of chosen) lines.push(`        ${perm}: ${pick(levels)}`);
      if (wantPerms) lines.push(invalid === 'bad-level' ? '        metadata: execute' : '        issues: admin');
    }
  }
  return { text: lines.join('\n') + '\n', invalid, warning };
}

/**
 * Ensures `dir` holds the tree for `count` files at the current generator version; returns its
 * manifest ({ version, count, invalid, warnings, generatedMs, reused }).
 */
export function ensureTree(dir, count) {
  const stampFile = `${dir}.json`;
  const want = { version: GENERATOR_VERSION, count, seed: SEED };
  if (existsSync(stampFile) && existsSync(dir)) {
    try {
      const have = JSON.parse(readFileSync(stampFile, 'utf8'));
      if (have.version === want.version && have.count === want.count && have.seed === want.seed) return { ...have, reused: true };
    } catch {
      /* regenerate */
    }
  }
  const t0 = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const r = rng(SEED);
  const repos = 100;
  let invalid = 0;
  let warnings = 0;
  const byKind = {};
  for (let k = 0; k < count; k++) {
    const org = Math.floor(k / repos);
    const repo = k % repos;
    const name = r() < 0.9 ? 'default' : ['ci', 'deploy', 'release-bot', 'read_only'][Math.floor(r() * 4)];
    const p = policyText(org, repo, name, r);
    if (p.invalid) {
      invalid++;
      byKind[p.invalid] = (byKind[p.invalid] ?? 0) + 1;
    }
    if (p.warning) warnings++;
    const file = join(tmp, `org-${org}`, `repo-${repo}`, '.atmos', 'pro', 'sts', `${name}.yaml`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, p.text);
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  const manifest = { ...want, invalid, warnings, invalidByKind: byKind, generatedMs: Math.round(performance.now() - t0) };
  writeFileSync(stampFile, JSON.stringify(manifest, null, 2) + '\n');
  return { ...manifest, reused: false };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? new URL('../.bench/tree', import.meta.url).pathname;
  const count = Number(process.argv[3] ?? 10_000);
  mkdirSync(dirname(dir), { recursive: true });
  console.log(JSON.stringify(ensureTree(dir, count), null, 2));
}
